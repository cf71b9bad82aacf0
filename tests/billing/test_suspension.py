"""A suspended studio bills nobody and books nobody from its waitlist: desk renewals wait,
card subscriptions pause at Stripe (through the SDK, against the local Stripe server) until
the operator resumes the studio, and a membership's own freeze outlasts the suspension."""

from datetime import timedelta

from app.billing.services.renewals import renew_due_memberships
from app.bookings import services as bookings
from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.extensions import db
from app.studios.services.operating import resume_studio, suspend_studio
from tests.billing.test_freeze import fake_sub
from tests.billing.test_renewals import membership as desk_membership
from tests.billing.test_stripe import card_order, deliver, membership, membership_events, pass_of
from tests.factories import ClassFactory, StudioFactory, UserFactory


def subscription_calls(fake) -> list[dict]:
    return [c["params"] for c in fake.requests
            if c["method"] == "POST" and c["path"].startswith("/v1/subscriptions/")]


def test_desk_renewals_wait_while_the_studio_is_suspended(app, ctx):
    studio = StudioFactory()
    pass_, _order = desk_membership(studio, UserFactory(), bought_days_ago=31)
    suspend_studio(studio, actor=None)
    assert renew_due_memberships() == []
    resume_studio(studio, actor=None)
    assert len(renew_due_memberships()) == 1 and pass_.expires_at > utcnow()


def test_a_freed_spot_is_not_given_to_the_waitlist_while_suspended(app, ctx):
    studio = StudioFactory()
    cls = ClassFactory(studio=studio, capacity=1)
    first, waiting = UserFactory(), UserFactory()
    booked = bookings.book_class(studio, cls, first, actor=first)
    queued = bookings.book_class(studio, cls, waiting, actor=waiting)
    assert queued.status == BookingStatus.WAITLISTED
    suspend_studio(studio, actor=None)
    bookings.cancel_booking(studio, booked, actor=first)
    db.session.expire_all()
    assert db.session.get(Booking, queued.id).status == BookingStatus.WAITLISTED


def test_card_memberships_pause_at_stripe_and_bill_again_on_resume(client, studio, customer,
                                                                   fake, jobs, run_jobs):
    order = card_order(studio, membership(studio), customer)
    for event in membership_events(fake, order).values():
        deliver(client, studio, event)
    before = len(subscription_calls(fake))

    suspend_studio(studio, actor=None)
    db.session.commit()
    run_jobs()
    [paused] = subscription_calls(fake)[before:]
    assert paused["pause_collection"] == {"behavior": "void"}  # until resumed, no end date

    resume_studio(studio, actor=None)
    db.session.commit()
    run_jobs()
    [resumed] = subscription_calls(fake)[before + 1:]
    assert resumed["pause_collection"] == ""
    assert fake.objects[fake_sub(fake)].get("pause_collection") in (None, "", {})


def test_a_membership_frozen_past_the_suspension_stays_paused_until_its_freeze_ends(
        client, studio, customer, fake, jobs, run_jobs):
    order = card_order(studio, membership(studio), customer)
    for event in membership_events(fake, order).values():
        deliver(client, studio, event)
    pass_ = pass_of(order)
    pass_.frozen_from, pass_.frozen_until = utcnow(), utcnow() + timedelta(days=10)
    suspend_studio(studio, actor=None)
    db.session.commit()
    run_jobs()
    before = len(subscription_calls(fake))

    resume_studio(studio, actor=None)
    db.session.commit()
    run_jobs()
    [call] = subscription_calls(fake)[before:]
    assert call["pause_collection"] == {"behavior": "void",
                                        "resumes_at": str(int(pass_.frozen_until.timestamp()))}
