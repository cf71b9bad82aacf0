"""Money messages: a membership renewing soon, a renewal the card did not pay (Stripe's
invoice.payment_failed), and money owed at the desk (once per order per week), each once,
in the customer's language, with the studio's name (through a real SMTP server)."""

from datetime import timedelta

import pytest

from app.billing.models import OrderStatus
from app.billing.notices import due_notices, queue_due_notices
from app.core.db import utcnow
from app.extensions import db
from tests.billing.fake_stripe import card_studio
from tests.billing.test_renewals import membership
from tests.billing.test_stripe import card_order, deliver, membership_events, outcome
from tests.billing.test_stripe import membership as card_membership
from tests.factories import StudioFactory, UserFactory

JOB = "send_money_notice"


def sweep(jobs, run_jobs, now, customer_keys):
    """The worker's sweep at `now` for these rows only (other tests commit rows of their
    own), then its jobs."""
    queue_due_notices(now)
    db.session.commit()
    jobs[:] = [j for j in jobs if JOB in j[0] and j[1][2] in customer_keys(now)]
    return [r for _f, _a, r in run_jobs(JOB)]



@pytest.fixture
def no_quiet_hours():
    def off(user):
        from app.notifications.services.preferences import preferences_for

        prefs = preferences_for(user)
        prefs.quiet_start = prefs.quiet_end = None
    return off


def test_a_membership_renewing_in_three_days_is_told_once(app, ctx, jobs, run_jobs, mail_server,
                                                          no_quiet_hours):
    studio, customer = StudioFactory(), UserFactory(locale="ar")
    no_quiet_hours(customer)
    pass_, _order = membership(studio, customer, bought_days_ago=1)
    pass_.expires_at = utcnow() + timedelta(days=5)
    db.session.commit()
    run_jobs()
    before = len(mail_server.to(customer.email))

    def mine(now):
        return {key for t, row, key in due_notices(now) if row == pass_.id}

    assert mine(utcnow()) == set()  # five days before: not yet
    later = utcnow() + timedelta(days=2, hours=1)
    assert sweep(jobs, run_jobs, later, mine) == [True]
    assert sweep(jobs, run_jobs, later + timedelta(hours=1), mine) == []  # once
    (mail,) = mail_server.to(customer.email)[before:]
    assert mail["Subject"].startswith("يتجدد اشتراكك في")
    assert f"استوديو {studio.slug}" in mail.get_body(("plain",)).get_content()


def test_money_owed_at_the_desk_is_told_once_a_week_until_paid(app, ctx, jobs, run_jobs,
                                                               mail_server, no_quiet_hours):
    studio, customer = StudioFactory(), UserFactory(locale="en")
    no_quiet_hours(customer)
    _pass, order = membership(studio, customer, bought_days_ago=0)
    db.session.commit()
    run_jobs()
    before = len(mail_server.to(customer.email))

    def mine(now):
        return {key for t, row, key in due_notices(now) if row == order.id}

    start = order.created_at
    assert mine(start + timedelta(days=2)) == set()  # not owed long enough yet
    assert sweep(jobs, run_jobs, start + timedelta(days=3, hours=1), mine) == [True]
    assert sweep(jobs, run_jobs, start + timedelta(days=6), mine) == []  # same week
    assert sweep(jobs, run_jobs, start + timedelta(days=7, hours=1), mine) == [True]
    mails = mail_server.to(customer.email)[before:]
    assert len(mails) == 2 and mails[0]["Subject"] == f"CA$599.00 is owed at Studio {studio.slug}"
    assert mine(start + timedelta(weeks=8, hours=1)) == set()  # eight weeks of nudges at most
    order.status = OrderStatus.PAID
    db.session.commit()
    assert sweep(jobs, run_jobs, start + timedelta(days=14, hours=1), mine) == []


def test_a_declined_renewal_is_told_once_per_invoice(client, fake, run_jobs, mail_server):
    studio, customer = card_studio(), UserFactory(locale="en")
    order = card_order(studio, card_membership(studio), customer)
    for event in membership_events(fake, order).values():
        deliver(client, studio, event)
    run_jobs()
    before = len(mail_server.to(customer.email))
    sub_id = order.stripe_subscription_id
    invoice = fake.renew(sub_id)
    declined = {**fake.invoice(invoice["id"]), "status": "open", "amount_paid": 0,
                "amount_due": 10000}
    events = [fake.event("invoice.payment_failed", declined, created=fake.clock + 10 + i)
              for i in range(2)]  # Stripe retried the card: the same invoice, twice
    for event in events:
        assert deliver(client, studio, event).status_code == 200
    assert outcome(events[0]) == "processed"
    run_jobs(JOB)
    (mail,) = mail_server.to(customer.email)[before:]
    assert mail["Subject"] == "Your membership could not be renewed"
    assert "declined" in mail.get_body(("plain",)).get_content()
