from datetime import timedelta

from app.accounts.models import User
from app.accounts.services import find_user
from app.bookings.models import Booking, BookingStatus, CancelReason
from app.core.jobs import enqueue_after_commit
from app.core.mail import one_connection
from app.core.queues import get_queue
from app.core.urls import external_url
from app.extensions import db
from app.notifications.services import send_email, send_email_to
from app.notifications.services.sending import DELIVER, QUEUE, batch, overdue
from app.schedule.models import ScheduledClass
from app.studios.models import Studio
from workers.jobs import job


def _booking_email(booking_id: int, template: str, still_true, dedup: str = "") -> bool:
    """Email the booking's customer if the booking is still in the state the email is about."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or not still_true(booking):
        return False
    cls = booking.scheduled_class
    if template in ("class_cancelled", "offer_expired"):
        url = external_url("bookings.week", studio=cls.studio.slug)
    else:
        url = external_url("bookings.class_detail", studio=cls.studio.slug, class_id=cls.id)
    return send_email(booking.customer, template,
                      dedup_key=f"{template}:{booking.id}{':' if dedup else ''}{dedup}",
                      fallback_locale=cls.studio.default_language, booking=booking, cls=cls,
                      studio=cls.studio, url=url)


@job
def send_promoted(booking_id: int) -> bool:
    """Tell a customer they moved from the waitlist into the class."""
    return _booking_email(booking_id, "waitlist_promoted",
                          lambda b: b.status == BookingStatus.CONFIRMED)


@job
def send_offer(booking_id: int) -> bool:
    """Tell a customer a spot is held for them until the offer expires."""
    return _booking_email(booking_id, "waitlist_offer", lambda b: b.status == BookingStatus.OFFERED)


@job
def send_booked_for_you(booking_id: int) -> bool:
    """Tell a participant that a place in a class was booked for them (a group booking)."""
    return _booking_email(booking_id, "booked_for_you",
                          lambda b: b.status == BookingStatus.CONFIRMED)


@job
def send_class_cancelled(booking_id: int) -> bool:
    """Tell a booked customer their class was cancelled by the studio."""
    return _booking_email(booking_id, "class_cancelled",
                          lambda b: b.cancel_reason == CancelReason.CLASS_CANCELLED)


@job
def send_class_changed(booking_id: int, stamp: str) -> bool:
    """Tell a booked customer their class has a new time, place or coach (once per booking and
    resulting class: `stamp`)."""
    return _booking_email(booking_id, "class_changed", lambda b: b.is_active, dedup=stamp)


@job
def send_walk_in_invite(class_id: int, email: str) -> bool:
    """Invite someone who came to a class as a walk-in: an account holder to book with the
    studio, anyone else to join first."""
    cls = db.session.get(ScheduledClass, class_id)
    if cls is None:
        return False
    studio = cls.studio
    user = find_user(email)
    schedule = external_url("bookings.week", studio=studio.slug)
    url = schedule if user else external_url("accounts.signup_form", next=schedule)
    send_email_to(email, "walk_in_invite", locale=(user and user.locale) or studio.default_language,
                  user=user, studio=studio, cls=cls, url=url)
    return True


@job
def send_invitation(invitation_id: int) -> bool:
    """E-mail an invitation's signed link, in the invitee's language when they have an account
    (else the studio's); nothing once it was accepted or cancelled."""
    from app.studios.models import Invitation
    from app.studios.services.operating import invitation_token

    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.accepted_at or invitation.cancelled_at:
        return False
    studio, user = invitation.studio, find_user(invitation.email)
    url = external_url("studios.invitation", invitation_token=invitation_token(invitation))
    send_email_to(invitation.email, "staff_invitation",
                  locale=(user and user.locale) or studio.default_language, user=user,
                  studio=studio, invitation=invitation, url=url)
    return True


@job
def deliver(notification_id: int) -> bool:
    """Send one queued or deferred message that is due (sent once, however often this runs)."""
    from app.notifications.services import deliver as deliver_row

    return deliver_row(notification_id)


SWEEP_EVERY = timedelta(minutes=5)
SWEEP_JOB_ID = "notifications-sweep"


@job
def sweep() -> int:
    """Queue again the deliveries whose job should have run by now, and the class reminders
    that are due: after a worker restart or a Redis that lost its schedule nothing is lost."""
    from app.appointments.notices import queue_due_reminders as queue_session_reminders
    from app.billing.notices import queue_due_notices as queue_money_notices
    from app.bookings.reminders import queue_due_reminders
    from app.memberships.notices import queue_due_notices

    late = overdue()
    for row_id in late:
        enqueue_after_commit(DELIVER, row_id, queue=QUEUE)
    return (len(late) + queue_due_reminders() + queue_due_notices()
            + queue_session_reminders() + queue_money_notices())


def schedule_sweep() -> None:
    get_queue("default").enqueue_in(SWEEP_EVERY, "workers.jobs.notifications.sweep_and_reschedule",
                                    job_id=SWEEP_JOB_ID)


def sweep_and_reschedule() -> int:
    try:
        return sweep()
    finally:
        schedule_sweep()


@job
def send_booking_confirmed(booking_id: int) -> bool:
    """Confirm a booking (or a place on the waitlist) to its customer."""
    booking = db.session.get(Booking, booking_id)
    if booking is not None and booking.status == BookingStatus.WAITLISTED:
        return _booking_email(booking_id, "waitlist_joined",
                              lambda b: b.status == BookingStatus.WAITLISTED)
    return _booking_email(booking_id, "booking_confirmed",
                          lambda b: b.status == BookingStatus.CONFIRMED)


def send_class_reminders(hours: int, *booking_ids: int) -> int:
    """Remind each booking's customer of their class (`hours` before it), a batch over one
    SMTP connection; the number sent or deferred.

    The ones inside their quiet hours are only written down, deferred, in one transaction
    (nothing leaves, so nothing can go twice). The others are committed one by one as soon as
    each went out: a batch that dies midway keeps the ones it sent logged, and its retry (or
    the next sweep) sends only the rest. A temporary failure of one message schedules that
    message's own retry."""
    from app.bookings.reminders import bookings_to_remind, is_held, send_class_reminder
    from app.core.db import commit_keeping_loaded, use_asynchronous_commit, utcnow

    done = 0
    try:
        bookings = bookings_to_remind(hours, list(booking_ids))
        with one_connection(), batch([b.customer for b in bookings]):
            now = utcnow()
            held = {b.id for b in bookings if is_held(b, now)}
            for booking in (b for b in bookings if b.id in held):
                done += send_class_reminder(booking, hours, now)
            # The batch's bookings, classes and people stay loaded: read at its start, they
            # are what it was queued for.
            commit_keeping_loaded()
            for booking in (b for b in bookings if b.id not in held):
                use_asynchronous_commit()  # a commit per message, none waiting for the disk
                done += send_class_reminder(booking, hours)
                commit_keeping_loaded()
    except BaseException:  # a job timeout or a stop: the message in flight was not logged
        db.session.rollback()
        raise
    return done


@job
def send_booking_cancelled(booking_id: int, late: bool, credit_back: bool, credit_used: bool,
                           fee_minor: int, currency: str) -> bool:
    """Confirm a cancellation and what it cost (credit back or used, a fee owed)."""
    from app.bookings.entitlements import Released

    released = Released(late=late, credit_back=credit_back, credit_used=credit_used,
                        fee_minor=fee_minor, currency=currency)
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.cancel_reason == CancelReason.CLASS_CANCELLED:
        return False
    cls = booking.scheduled_class
    return send_email(booking.customer, "booking_cancelled",
                      dedup_key=f"booking_cancelled:{booking.id}",
                      fallback_locale=cls.studio.default_language, booking=booking, cls=cls,
                      studio=cls.studio, consequence=released,
                      url=external_url("bookings.week", studio=cls.studio.slug))


@job
def send_offer_expired(booking_id: int) -> bool:
    """Tell a customer the spot held for them went to the next person."""
    return _booking_email(booking_id, "offer_expired",
                          lambda b: b.cancel_reason == CancelReason.OFFER_EXPIRED)


@job
def send_pass_notice(pass_id: int, template: str) -> bool:
    """A pass expiring soon or down to its last credit (once per pass and expiry)."""
    from app.memberships.models import Pass
    from app.memberships.notices import credits_key, expiring_key

    pass_ = db.session.get(Pass, pass_id)
    if pass_ is None or template not in ("pass_expiring", "credits_low"):
        return False
    studio = db.session.get(Studio, pass_.studio_id)
    customer = db.session.get(User, pass_.customer_id)
    key = expiring_key(pass_) if template == "pass_expiring" else credits_key(pass_)
    return send_email(customer, template, dedup_key=key,
                      fallback_locale=studio.default_language, studio=studio, pass_=pass_,
                      plan=pass_.plan, url=external_url("billing.plans", studio=studio.slug))


@job
def send_membership_notice(pass_id: int, template: str, about_id: int) -> bool:
    """A membership renewed at the studio (`about_id`: the order owed at the desk) or paused
    (`about_id`: the freeze); once each."""
    from app.billing.models import Order
    from app.memberships.models import Pass, PassFreeze

    pass_ = db.session.get(Pass, pass_id)
    kinds = {"membership_renewed": Order, "membership_frozen": PassFreeze}
    if pass_ is None or template not in kinds:
        return False
    about = db.session.get(kinds[template], about_id)
    if about is None:
        return False
    studio = db.session.get(Studio, pass_.studio_id)
    return send_email(db.session.get(User, pass_.customer_id), template,
                      dedup_key=f"{template}:{about_id}", fallback_locale=studio.default_language,
                      studio=studio, pass_=pass_, plan=pass_.plan, order=about, freeze=about,
                      url=external_url("billing.wallet"))
