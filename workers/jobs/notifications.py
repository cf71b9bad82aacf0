from app.accounts.services import find_user
from app.bookings.models import Booking, BookingStatus, CancelReason
from app.core.urls import external_url
from app.extensions import db
from app.notifications.services import send_email, send_email_to
from app.schedule.models import ScheduledClass
from workers.jobs import job


def _booking_email(booking_id: int, template: str, still_true, dedup: str = "") -> bool:
    """Email the booking's customer if the booking is still in the state the email is about."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or not still_true(booking):
        return False
    cls = booking.scheduled_class
    if template == "class_cancelled":
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
