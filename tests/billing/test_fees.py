"""Late-cancel and no-show fees: told before confirming, owed once, waivable (audited), and
the Stripe keys a studio enters to take cards."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.billing.models import Order, OrderStatus
from app.billing.services.fees import NotAFee, waive_fee
from app.bookings import attendance
from app.bookings import services as bookings
from app.core.db import utcnow
from app.extensions import db
from app.memberships.services import grant_pass
from app.studios.models import Role
from tests.conftest import login
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory, staff


@pytest.fixture
def studio(app):
    studio = StudioFactory(booking_requires_pass=True, late_cancel_fee_minor=1500,
                           no_show_fee_minor=2000, cancel_cutoff_minutes=12 * 60)
    studio.default_location.tax_jurisdiction = "CA-ON"
    return studio


def fees_of(customer):
    return db.session.scalars(select(Order).where(Order.customer_id == customer.id,
                                                  Order.fee_booking_id.is_not(None))).all()


def test_a_late_cancel_says_the_fee_first_then_charges_it_once(studio, ctx):
    user = UserFactory()
    grant_pass(studio, PlanFactory(studio=studio), user)
    booking = bookings.book_class(studio, ClassFactory(studio=studio, hours_ahead=2), user,
                                  actor=user)
    told = bookings.cancel_consequence(studio, booking, utcnow()).message
    assert "1 credit is used" in told and "CA$15.00" in told
    bookings.cancel_booking(studio, booking, actor=user)
    (fee,) = fees_of(user)
    assert (fee.status, fee.net_minor, fee.tax_minor) == (OrderStatus.AWAITING_PAYMENT, 1327, 173)
    assert fee.description["ar"] and fee.plan_id is None


def test_a_timely_cancel_costs_nothing(studio, ctx):
    user = UserFactory()
    grant_pass(studio, PlanFactory(studio=studio), user)
    booking = bookings.book_class(studio, ClassFactory(studio=studio, hours_ahead=48), user,
                                  actor=user)
    bookings.cancel_booking(studio, booking, actor=user)
    assert fees_of(user) == []


def test_a_no_show_is_charged_and_staff_can_waive_it(studio, ctx):
    user, coach = UserFactory(), UserFactory()
    grant_pass(studio, PlanFactory(studio=studio), user)
    cls = ClassFactory(studio=studio, hours_ahead=1)
    booking = bookings.book_class(studio, cls, user, actor=user)
    attendance.mark_no_show(studio, booking, actor=coach, now=cls.starts_at + timedelta(minutes=5))
    (fee,) = fees_of(user)
    assert fee.gross_minor == 2000
    waive_fee(studio, fee, actor=coach)
    assert fee.status == OrderStatus.CANCELLED
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fee.waived"))
    with pytest.raises(NotAFee):
        waive_fee(studio, fee, actor=coach)


def test_stripe_keys_are_kept_when_left_empty_and_never_shown(client, studio):
    admin = staff(studio, Role.STUDIO_ADMIN)
    login(client, admin)
    base = {"invoice_prefix": "INV", "tax_jurisdiction": "CA-ON", "late_cancel_fee": "15.00",
            "no_show_fee": "20.00"}
    secret = "sk_test_" + "a" * 24
    saved = client.post(f"/manage/{studio.slug}/settings/money",
                        data={**base, "stripe_secret_key": secret,
                              "stripe_webhook_secret": "whsec_" + "b" * 24})
    assert saved.status_code == 303
    page = client.get(f"/manage/{studio.slug}/settings/money").get_data(as_text=True)
    assert secret not in page
    client.post(f"/manage/{studio.slug}/settings/money", data=base)  # empty: keep
    db.session.expire_all()
    assert studio.stripe_secret_key == secret and studio.takes_cards
    bad = client.post(f"/manage/{studio.slug}/settings/money",
                      data={**base, "stripe_secret_key": "pk_test_public"})
    assert bad.status_code == 422
    client.post(f"/manage/{studio.slug}/settings/money", data={**base, "remove_stripe": "y"})
    db.session.expire_all()
    assert studio.stripe_secret_key is None and not studio.takes_cards


def test_staff_waive_a_fee_from_the_order_page(client, studio):
    admin, user = staff(studio, Role.STUDIO_ADMIN), UserFactory()
    grant_pass(studio, PlanFactory(studio=studio), user)
    booking = bookings.book_class(studio, ClassFactory(studio=studio, hours_ahead=2), user,
                                  actor=user)
    bookings.cancel_booking(studio, booking, actor=user)
    (fee,) = fees_of(user)
    db.session.commit()
    login(client, admin)
    assert client.post(f"/manage/{studio.slug}/orders/{fee.id}/waive").status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, fee.id).status == OrderStatus.CANCELLED
    again = client.post(f"/manage/{studio.slug}/orders/{fee.id}/waive")
    assert again.status_code == 409


def test_the_wallet_lists_what_is_owed_at_the_desk(client, studio):
    user = UserFactory(locale="en")
    grant_pass(studio, PlanFactory(studio=studio), user)
    booking = bookings.book_class(studio, ClassFactory(studio=studio, hours_ahead=2), user,
                                  actor=user)
    bookings.cancel_booking(studio, booking, actor=user)
    db.session.commit()
    login(client, user)
    from tests.pages import Page

    page = Page(client.get("/me/wallet?lang=en"))
    assert "Late cancellation fee" in page.text(".unpaid") and "CA$15.00" in page.text(".unpaid")


def test_a_studio_adds_its_own_tax(client, studio):
    from tests.billing.test_manage_views import MONEY

    admin = staff(studio, Role.STUDIO_ADMIN)
    login(client, admin)
    own = {"custom_taxes-0-code": "CITY", "custom_taxes-0-name": "City levy",
           "custom_taxes-0-rate": "2.5"}
    saved = client.post(f"/manage/{studio.slug}/settings/money",
                        data={**MONEY, "tax_jurisdiction": "CA-ON", **own})
    assert saved.status_code == 303
    db.session.expire_all()
    from app.billing.services.orders import place_order

    order = place_order(studio, PlanFactory(studio=studio, price_minor=10000), UserFactory(),
                        actor=admin)
    assert [(t["code"], t["amount_minor"]) for t in order.taxes] == [("HST", 1300), ("CITY", 250)]
    assert order.gross_minor == 11550
    half = {**own, "custom_taxes-0-rate": ""}
    bad = client.post(f"/manage/{studio.slug}/settings/money",
                      data={**MONEY, "tax_jurisdiction": "CA-ON", **half})
    assert bad.status_code == 422
    clash = {**own, "custom_taxes-0-code": "HST"}
    assert client.post(f"/manage/{studio.slug}/settings/money",
                       data={**MONEY, "tax_jurisdiction": "CA-ON", **clash}).status_code == 422
