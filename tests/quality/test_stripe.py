"""Card payments reconciled against the studio's Stripe account (the local Stripe-compatible
server answers the charge and refund lists in Stripe's shape, page by page)."""

from datetime import timedelta

from app.billing.models import Payment, PaymentMethod, Refund
from app.core.db import utcnow
from app.extensions import db
from app.quality.models import QualityRun
from app.quality.services import run_checks
from tests.billing.fake_stripe import card_studio
from tests.factories import UserFactory, paid_order
from tests.quality.helpers import stored


def card_payment(studio, intent_id, amount=5650, minutes_ago=60):
    """A card payment FitFlow applied (an order paid through Stripe)."""
    order, _cash, _invoice = paid_order(studio, UserFactory())
    payment = Payment(studio_id=studio.id, order_id=order.id, amount_minor=amount,
                      currency=studio.currency, method=PaymentMethod.STRIPE,
                      reference=intent_id, stripe_payment_intent_id=intent_id,
                      received_at=utcnow() - timedelta(minutes=minutes_ago))
    db.session.add(payment)
    db.session.flush()
    return order, payment


def card_findings(studio):
    return sorted((f.kind, f.params.get("charge") or f.params.get("refund")
                   or f.params.get("reference")) for f in stored(studio)
                  if f.check_name == "card_payment")


def test_matching_payments_and_refunds_give_nothing(fake):
    studio = card_studio()
    fake.page_size = 2  # the SDK follows `starting_after` across pages
    for _ in range(3):
        intent = fake._intent(5650, "cad", {})
        _order, payment = card_payment(studio, intent)
    refund = fake._refund(fake.intents[intent], 1000, {}, via_api=True)
    db.session.add(Refund(studio_id=studio.id, payment_id=payment.id, amount_minor=1000,
                          stripe_refund_id=refund["id"],
                          created_at=utcnow() - timedelta(hours=1)))
    db.session.flush()
    run_checks(studio)
    assert card_findings(studio) == []
    assert len(fake.calls("GET", "/v1/charges")) == 2


def test_a_charge_not_applied_and_a_payment_stripe_lacks_are_found(fake):
    studio = card_studio()
    matched = fake._intent(5650, "cad", {})
    card_payment(studio, matched)
    stray = fake._intent(9900, "cad", {"order_id": "999999"})
    order, _payment = card_payment(studio, "pi_never_paid")
    refund = fake.refund_in_dashboard(matched, 500)
    run_checks(studio)
    charge_id = fake.intents[stray]["charge"]
    assert card_findings(studio) == sorted([
        ("charge_not_applied", charge_id), ("payment_not_at_stripe", "pi_never_paid"),
        ("refund_not_applied", refund["id"])])
    lacking = next(f for f in stored(studio) if f.kind == "payment_not_at_stripe")
    assert (lacking.endpoint, lacking.endpoint_args) == ("billing_manage.order",
                                                         {"order_id": order.id})
    calls = fake.calls("GET", "/v1/charges")
    assert calls[0]["authorization"] == f"Bearer {studio.stripe_secret_key}"


def test_fixed_at_either_side_the_findings_go(fake):
    studio = card_studio()
    stray = fake._intent(9900, "cad", {})
    run_checks(studio)
    assert [k for k, _ in card_findings(studio)] == ["charge_not_applied"]
    card_payment(studio, stray, amount=9900)  # the payment is applied
    run_checks(studio)
    assert card_findings(studio) == []


def test_a_payment_just_applied_is_not_yet_a_finding(fake):
    studio = card_studio()
    card_payment(studio, "pi_just_now", minutes_ago=1)
    run_checks(studio)
    assert card_findings(studio) == []


def test_stripe_down_keeps_the_last_findings_and_says_so(fake):
    studio = card_studio()
    fake._intent(9900, "cad", {})
    run_checks(studio)
    assert len(card_findings(studio)) == 1
    fake.stop()
    run_checks(studio)
    assert len(card_findings(studio)) == 1
    assert db.session.get(QualityRun, studio.id).skipped == ["card_payment"]
    fake.start()  # the fixture stops it again


def test_a_studio_without_card_payments_asks_stripe_nothing(fake):
    from tests.factories import StudioFactory

    run_checks(StudioFactory())
    assert fake.requests == []
