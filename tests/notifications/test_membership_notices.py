"""Membership messages: renewed at the studio (with what is owed at the desk) and paused."""

from sqlalchemy import select

from app.billing.services.renewals import renew_due_memberships
from app.extensions import db
from app.memberships.models import Pass
from tests.billing.test_freeze import FREEZABLE, day
from tests.billing.test_renewals import membership
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, paid_order


def test_a_renewal_tells_what_is_owed_at_the_desk_once(app, ctx, run_jobs, mail_server):
    studio, customer = StudioFactory(), UserFactory(locale="en")
    membership(studio, customer, bought_days_ago=31)
    db.session.commit()
    run_jobs()  # the purchase's own jobs
    assert len(renew_due_memberships()) == 1
    db.session.commit()
    done = run_jobs("send_membership_notice")
    assert [r for _f, _a, r in done] == [True]
    (mail,) = [m for m in mail_server.to(customer.email) if "renewed" in m["Subject"]]
    body = mail.get_body(("plain",)).get_content()
    assert "is owed at the desk" in body and "599" in body
    assert not [r for _f, a, r in done if import_again(a)]


def import_again(args):
    """The same job run twice sends nothing more."""
    from workers.jobs.notifications import send_membership_notice

    return send_membership_notice(*args)


def test_a_pause_is_told_in_the_customer_s_language(app, client, run_jobs, mail_server):
    studio = StudioFactory(booking_requires_pass=True)
    customer = UserFactory(locale="ar")
    order, _payment, _invoice = paid_order(studio, customer, **FREEZABLE)
    pass_ = db.session.scalar(select(Pass).where(Pass.order_id == order.id))
    db.session.commit()
    run_jobs()  # the receipt
    before = len(mail_server.to(customer.email))
    login(client, customer)
    response = client.post(f"/me/passes/{pass_.id}/freeze",
                           data={"starts_on": day(2).isoformat(), "ends_on": day(8).isoformat()})
    assert response.status_code == 303
    run_jobs("send_membership_notice")
    mails = mail_server.to(customer.email)[before:]
    assert len(mails) == 1 and 'dir="rtl"' in mails[0].get_body(("html",)).get_content()
