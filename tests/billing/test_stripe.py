"""Card payments with Stripe, per studio: checkout, signed webhooks stored at once and applied
once by the worker in any order, renewals, refunds that survive network faults. The real
`stripe` SDK talks to a local Stripe-compatible server (tests/billing/fake_stripe.py); webhooks
are signed as Stripe signs."""

import random
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.billing.errors import PaymentServiceUnavailable, RefundTooLarge
from app.billing.models import (
    DocumentKind,
    Invoice,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    Refund,
    StripeCustomer,
    StripeEvent,
    StripeSubscription,
)
from app.billing.services.checkout import start_checkout
from app.billing.services.orders import place_order
from app.billing.services.payments import refund_payment
from app.billing.stripe import events as stripe_events
from app.billing.stripe import inbox as stripe_inbox
from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import Pass, PassStatus, Period, PlanKind
from app.memberships.services import balances
from app.schedule.models import ClassStatus
from tests.billing.fake_stripe import FakeStripe, card_studio, signed
from tests.conftest import login
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory
from tests.pages import Page
from tests.sql import Statements
from workers.jobs.billing import apply_stripe_event

HX = {"HX-Request": "true"}
# Counted, savepoints aside; one of them reads the company an invoice is billed to.
STATEMENTS_TO_APPLY_A_PAID_CHECKOUT = 21


@pytest.fixture
def signed_in(client, customer):
    login(client, customer)
    return client


def membership(studio, **fields):
    return PlanFactory(studio=studio, kind=PlanKind.MEMBERSHIP, credits=None, validity_days=None,
                       period=Period.MONTH, price_minor=10000, name={"en": "Monthly", "ar": "شهري"},
                       **fields)


def deliver(client, studio, event, *, secret=None, timestamp=None, by_query=True):
    """Stripe delivers one event; then the worker applies what the webhook queued."""
    body, headers = signed(event, secret or studio.stripe_webhook_secret, timestamp=timestamp)
    url = f"/webhooks/stripe?studio={studio.slug}" if by_query else "/webhooks/stripe"
    answer = client.post(url, data=body, headers=headers)
    apply_queued(client.application)
    return answer


def apply_queued(app) -> list:
    """Run the queued Stripe-event jobs as the worker would (others stay queued); their
    results. A failing job raises, as it would in RQ (which retries it)."""
    db.session.commit()  # what the test wrote is committed before a worker could see it
    queued = app.config["JOBS_CAPTURE"]
    mine = [job for job in queued if job[0] == stripe_inbox.APPLY_JOB]
    queued[:] = [job for job in queued if job[0] != stripe_inbox.APPLY_JOB]
    return [apply_stripe_event(*args) for _func, args, _queue, _at in mine]


def outcome(event) -> str | None:
    """What applying the stored event came to ("" while it waits to be applied)."""
    db.session.expire_all()
    return db.session.scalar(select(StripeEvent.outcome).where(StripeEvent.event_id == event["id"]))


def card_order(studio, plan, customer, *, cls=None) -> Order:
    """A card order sent to Checkout, as the plans page does it (services, no browser)."""
    order = place_order(studio, plan, customer, actor=customer,
                                 method=PaymentMethodKind.CARD, booking_class=cls)
    start_checkout(studio, order, success_url=f"http://t/me/orders/{order.id}",
                            cancel_url="http://t/plans")
    return order


def count(model, *where, studio=None) -> int:
    """Rows of `model` (of `studio` only, when given: other tests commit rows of their own)."""
    if studio is not None:
        where = (*where, model.studio_id == studio.id)
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def pass_of(order) -> Pass | None:
    return db.session.scalar(select(Pass).where(Pass.order_id == order.id))


# --- Buying by card ---------------------------------------------------------------------------


def test_card_button_only_where_the_studio_takes_cards(signed_in, studio):
    plan = PlanFactory(studio=studio)
    page = Page(signed_in.get(f"/s/{studio.slug}/plans?lang=en"))
    form = page.one("form[action$='/checkout']")
    assert form.get("action") == f"/s/{studio.slug}/plans/{plan.id}/checkout"
    assert form.get("hx-boost") == "false"  # a real navigation: the answer leaves for Stripe
    assert ("Pay by card" in page.text(".plan-card")
            and "pay at the studio" in page.text(".plan-card"))
    desk_only = StudioFactory()
    plan = PlanFactory(studio=desk_only)
    page = Page(signed_in.get(f"/s/{desk_only.slug}/plans?lang=en"))
    assert page.all("form[action$='/checkout']") == [] and "pay at the studio" in page.text()
    refused = signed_in.post(f"/s/{desk_only.slug}/plans/{plan.id}/checkout", data={})
    assert refused.status_code == 303 and count(Order, Order.studio_id == desk_only.id) == 0


def test_checkout_happy_path_pays_grants_books_invoices_and_stops_polling(
        signed_in, studio, customer, fake, jobs):
    cls = ClassFactory(studio=studio)
    plan = PlanFactory(studio=studio, price_minor=20000)
    answer = signed_in.post(f"/s/{studio.slug}/plans/{plan.id}/checkout",
                            data={"idempotency_key": "tap-1", "class_id": cls.id})
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("https://checkout.stripe.test/c/pay/cs_test_")
    order = db.session.scalar(select(Order).where(Order.customer_id == customer.id))
    assert (order.status, order.payment_method_kind) == (OrderStatus.AWAITING_PAYMENT, "card")
    assert order.booking_class_id == cls.id and pass_of(order) is None  # nothing granted yet

    # What Stripe was asked for: our total in minor units, our ids, a reusable customer.
    (created,) = fake.calls("POST", "/v1/checkout/sessions")
    p = created["params"]
    assert p["mode"] == "payment" and created["idempotency_key"] == f"checkout-{order.id}"
    assert p["line_items"][0]["price_data"] == {
        "currency": "cad", "unit_amount": "22600", "product_data": {"name": "10-class pack"}}
    assert p["metadata"] == p["payment_intent_data"]["metadata"] == {
        "order_id": str(order.id), "studio_id": str(studio.id)}
    assert p["customer"] == db.session.scalar(select(StripeCustomer.customer_id).where(
        StripeCustomer.user_id == customer.id))
    assert p["success_url"] == f"http://localhost/me/orders/{order.id}"
    assert fake.calls("GET", "/v1/checkout/sessions") == []

    waiting = Page(signed_in.get(f"/me/orders/{order.id}?lang=en", headers=HX))
    status = waiting.one("#order-status")
    assert "<html" not in waiting.html and status.get("hx-trigger") == "every 1s"
    assert status.get("hx-get") == f"/me/orders/{order.id}?polls=1"
    assert "Waiting for the payment confirmation…" in waiting.text()

    session = fake.complete(order.stripe_checkout_session_id)
    event = fake.event("checkout.session.completed", session)
    done = deliver(signed_in, studio, event)
    assert done.status_code == 200 and done.json == {"outcome": "received"}
    assert outcome(event) == "processed"

    db.session.expire_all()
    assert order.status == OrderStatus.PAID
    (payment,) = order.payments
    assert (payment.method, payment.amount_minor) == (PaymentMethod.STRIPE, 22600)
    assert payment.reference == payment.stripe_payment_intent_id == session["payment_intent"]
    pass_ = pass_of(order)
    assert balances([pass_.id])[pass_.id] == 9  # ten credits, one used for the class
    booking = db.session.scalar(select(Booking).where(Booking.customer_id == customer.id))
    assert booking.class_id == cls.id and booking.status == BookingStatus.CONFIRMED
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert invoice.gross_minor == 22600 and invoice.snapshot["payment"]["method"] == "Card"
    assert ("workers.jobs.documents.render_invoice_pdf", (invoice.id,), "documents", None) in jobs

    paid = Page(signed_in.get(f"/me/orders/{order.id}?lang=en", headers=HX))
    status = paid.one("#order-status")
    assert status.get("hx-trigger") is None and status.get("hx-get") is None  # polling stops
    assert "Paid — your pass is ready" in paid.text()
    links = {a.get("href") for a in paid.all("#order-status a")}
    assert {f"/s/{studio.slug}/classes/{cls.id}", "/me/wallet",
            f"/me/invoices/{invoice.id}.pdf"} <= links
    page = Page(signed_in.get(f"/me/orders/{order.id}?lang=en"))  # the whole page, same block
    assert "<html" in page.html and page.one("#order-status").get("hx-trigger") is None


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_after_a_minute_of_waiting_the_order_page_polls_slowly_and_says_why(
        signed_in, studio, customer, fake, lang):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    url = f"/me/orders/{order.id}"
    status = Page(signed_in.get(f"{url}?polls=59&lang={lang}", headers=HX)).one("#order-status")
    assert (status.get("hx-trigger"), status.get("hx-get")) == ("every 1s", f"{url}?polls=60")
    page = Page(signed_in.get(f"{url}?polls=60&lang={lang}", headers=HX))
    status = page.one("#order-status")
    assert (status.get("hx-trigger"), status.get("hx-get")) == ("every 10s", f"{url}?polls=61")
    assert {"en": "we will email your receipt", "ar": "سنرسل إيصالك"}[lang] in page.text()
    for odd in ("-5", "abc", "99999999999999999999"):
        answer = signed_in.get(f"{url}?polls={odd}", headers=HX)
        assert answer.status_code == 200 and Page(answer).one("#order-status").get("hx-trigger")


def test_someone_elses_order_is_a_404(signed_in, studio, fake):
    order = card_order(studio, PlanFactory(studio=studio), UserFactory())
    assert signed_in.get(f"/me/orders/{order.id}").status_code == 404
    assert signed_in.get(f"/me/orders/{order.id}", headers=HX).status_code == 404


def test_a_double_tap_is_one_order_and_one_checkout_session(signed_in, studio, customer, fake):
    plan = PlanFactory(studio=studio)
    url = f"/s/{studio.slug}/plans/{plan.id}/checkout"
    first = signed_in.post(url, data={"idempotency_key": "tap-2"})
    again = signed_in.post(url, data={"idempotency_key": "tap-2"})
    assert first.headers["Location"] == again.headers["Location"]
    assert count(Order, Order.customer_id == customer.id) == 1
    assert len(fake.created["checkout.session"]) == len(fake.created["customer"]) == 1
    assert len(fake.calls("POST", "/v1/checkout/sessions")) == 2  # the second was replayed


def test_the_customer_id_is_saved_per_studio_and_reused(studio, customer, fake):
    card_order(studio, PlanFactory(studio=studio), customer)
    card_order(studio, PlanFactory(studio=studio), customer)
    other = card_studio("other")
    card_order(other, PlanFactory(studio=other), customer)
    assert len(fake.created["customer"]) == 2 == count(StripeCustomer,
                                                       StripeCustomer.user_id == customer.id)
    sessions = fake.calls("POST", "/v1/checkout/sessions")
    assert sessions[0]["params"]["customer"] == sessions[1]["params"]["customer"]
    assert sessions[2]["authorization"] == "Bearer sk_test_other"  # that studio's own account


def test_stripe_down_at_checkout_writes_nothing(signed_in, studio, customer, fake):
    plan = PlanFactory(studio=studio)
    fake.drop_answers("POST", "/v1/customers", 3)
    answer = signed_in.post(f"/s/{studio.slug}/plans/{plan.id}/checkout?lang=en",
                            data={"idempotency_key": "tap-3"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(
        f"/s/{studio.slug}/plans")
    assert count(Order, Order.customer_id == customer.id) == 0
    assert "did not answer" in Page(signed_in.get(f"/s/{studio.slug}/plans?lang=en")).text()


# --- The webhook: signature, storage, idempotency -----------------------------------------------


def test_bad_signature_is_a_400_and_writes_nothing(client, studio, customer, fake):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    event = fake.event("checkout.session.completed",
                       fake.complete(order.stripe_checkout_session_id))
    assert deliver(client, studio, event, secret="whsec_wrong").status_code == 400
    body, headers = signed(event, studio.stripe_webhook_secret)
    tampered = body.replace('"amount_total": 22600', '"amount_total": 1')
    assert client.post(f"/webhooks/stripe?studio={studio.slug}", data=tampered,
                       headers=headers).status_code == 400
    assert client.post("/webhooks/stripe", data=body).status_code == 400  # no header at all
    assert count(StripeEvent, studio=studio) == 0 and count(Payment, studio=studio) == 0
    db.session.expire_all()
    assert order.status == OrderStatus.AWAITING_PAYMENT


def test_a_stale_timestamp_is_a_400(client, studio, customer, fake):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    event = fake.event("checkout.session.completed",
                       fake.complete(order.stripe_checkout_session_id))
    stale = deliver(client, studio, event, timestamp=int(time.time()) - 301)
    assert stale.status_code == 400 and count(StripeEvent, studio=studio) == 0
    assert deliver(client, studio, event, timestamp=int(time.time()) - 240).status_code == 200


def test_the_same_event_five_times_is_one_payment_pass_and_invoice(client, studio, customer, fake):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    event = fake.event("checkout.session.completed",
                       fake.complete(order.stripe_checkout_session_id))
    answers = [deliver(client, studio, event) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.json["outcome"] for a in answers] == ["received"] + ["duplicate"] * 4
    assert outcome(event) == "processed"
    assert count(Payment, Payment.order_id == order.id) == 1
    assert count(Pass, Pass.order_id == order.id) == 1
    assert count(Invoice, Invoice.order_id == order.id) == 1
    assert count(StripeEvent, studio=studio) == 1


def test_applying_a_paid_checkout_runs_a_fixed_handful_of_statements(client, studio, customer,
                                                                     fake):
    """The event, the studio, the order locked once with its customer and plan, the payment,
    the invoice and its number, the pass and its credits, the audit, the jobs: no statement
    reads again what the order's lock already brought."""
    order = card_order(studio, PlanFactory(studio=studio), customer)
    event = fake.event("checkout.session.completed",
                       fake.complete(order.stripe_checkout_session_id))
    body, headers = signed(event, studio.stripe_webhook_secret)
    assert client.post(f"/webhooks/stripe?studio={studio.slug}", data=body,
                       headers=headers).status_code == 200
    db.session.commit()
    with Statements().counting() as sql:
        apply_queued(client.application)
    assert outcome(event) == "processed"
    assert sql.count == STATEMENTS_TO_APPLY_A_PAID_CHECKOUT, sql.count


def test_without_the_query_the_studio_is_found_by_its_secret(client, studio, customer, fake):
    card_studio("second")  # tried too, and does not match
    order = card_order(studio, PlanFactory(studio=studio), customer)
    event = fake.event("checkout.session.completed",
                       fake.complete(order.stripe_checkout_session_id))
    assert deliver(client, studio, event, by_query=False).status_code == 200
    db.session.expire_all()
    assert order.status == OrderStatus.PAID


def test_an_event_naming_another_studios_order_changes_nothing(client, studio, customer, fake):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    session = fake.complete(order.stripe_checkout_session_id)
    other = card_studio("intruder")
    event = fake.event("checkout.session.completed", session)
    assert deliver(client, other, event).status_code == 200
    assert outcome(event).startswith("ignored")
    db.session.expire_all()
    assert order.status == OrderStatus.AWAITING_PAYMENT


def test_unknown_types_are_stored_as_ignored(client, studio, fake):
    answer = deliver(client, studio, fake.event("customer.created", {"id": "cus_1",
                                                                     "object": "customer"}))
    assert answer.status_code == 200 and answer.json == {"outcome": "received"}
    (row,) = db.session.scalars(select(StripeEvent).where(StripeEvent.studio_id == studio.id)).all()
    assert (row.type, row.outcome, row.studio_id) == ("customer.created", "ignored", studio.id)
    assert row.processed_at is not None and row.payload["data"]["object"]["id"] == "cus_1"


def test_the_webhook_needs_no_csrf_token(client, csrf, studio, fake):
    assert deliver(client, studio, fake.event("balance.available", {"object": "balance"})
                   ).status_code == 200


def test_a_failure_while_applying_leaves_just_the_stored_event_and_a_retry_applies_it(
        client, studio, customer, fake, monkeypatch):
    cls = ClassFactory(studio=studio)
    order = card_order(studio, PlanFactory(studio=studio), customer, cls=cls)
    event = fake.event("checkout.session.completed",
                       fake.complete(order.stripe_checkout_session_id))
    real = stripe_events.deliver_card_order

    def deliver_then_fail(*args, **kwargs):
        real(*args, **kwargs)  # payment, invoice, pass and booking are written by now
        raise RuntimeError("the database went away")

    monkeypatch.setattr(stripe_events, "deliver_card_order", deliver_then_fail)
    with pytest.raises(RuntimeError):
        deliver(client, studio, event)  # Stripe got its 200: the event is stored
    db.session.expire_all()
    assert count(StripeEvent, studio=studio) == 1 and outcome(event) == ""
    assert (count(Payment, studio=studio) == count(Invoice, studio=studio)
            == count(Booking, studio=studio) == 0)
    assert pass_of(order) is None and order.status == OrderStatus.AWAITING_PAYMENT

    # Stripe resends it (from its dashboard, say): not applied yet, so it is queued again.
    body, headers = signed(event, studio.stripe_webhook_secret)
    again = client.post(f"/webhooks/stripe?studio={studio.slug}", data=body, headers=headers)
    assert again.status_code == 200 and again.json["outcome"] == "received"
    monkeypatch.setattr(stripe_events, "deliver_card_order", real)
    row = db.session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event["id"]))
    assert apply_stripe_event(row) == "processed"  # RQ's retry of the failed job
    assert apply_queued(client.application) == [None]  # the resend's job finds it applied
    db.session.expire_all()
    assert (order.status == OrderStatus.PAID and count(Booking, studio=studio) == 1
            and count(Invoice, studio=studio) == 1)
    assert count(Payment, studio=studio) == 1 and outcome(event) == "processed"


def test_an_event_whose_job_was_lost_is_queued_again_for_three_days(client, studio, customer,
                                                                   fake):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    event = fake.event("checkout.session.completed",
                       fake.complete(order.stripe_checkout_session_id))
    body, headers = signed(event, studio.stripe_webhook_secret)
    assert client.post(f"/webhooks/stripe?studio={studio.slug}", data=body,
                       headers=headers).json == {"outcome": "received"}
    client.application.config["JOBS_CAPTURE"].clear()  # its job is lost (or failed for good)
    early = fake.event("charge.refunded", {  # about a payment not here: it waits for it
        "id": "ch_early", "object": "charge", "payment_intent": "pi_not_here_yet",
        "refunds": {"data": []}})
    deliver(client, studio, early)
    assert outcome(early).startswith("deferred")
    now = utcnow()

    assert stripe_inbox.requeue_unapplied(now=now) == 0  # its own job may be on its way yet
    assert stripe_inbox.requeue_unapplied(now=now + timedelta(days=4)) == 0  # Stripe gave up too
    assert stripe_inbox.requeue_unapplied(now=now + timedelta(minutes=11)) == 1  # not `early`
    assert apply_queued(client.application) == ["processed"]
    db.session.expire_all()
    assert order.status == OrderStatus.PAID and count(Payment, studio=studio) == 1
    assert stripe_inbox.requeue_unapplied(now=now + timedelta(minutes=11)) == 0


def test_events_wait_for_the_worker_and_the_order_page_polls_meanwhile(
        signed_in, studio, customer, fake):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    event = fake.event("checkout.session.completed",
                       fake.complete(order.stripe_checkout_session_id))
    body, headers = signed(event, studio.stripe_webhook_secret)
    answer = signed_in.post(f"/webhooks/stripe?studio={studio.slug}", data=body, headers=headers)
    assert answer.json == {"outcome": "received"} and outcome(event) == ""
    page = Page(signed_in.get(f"/me/orders/{order.id}?lang=en", headers=HX))
    assert page.one("#order-status").get("hx-trigger") == "every 1s"  # not paid yet
    (job,) = [j for j in signed_in.application.config["JOBS_CAPTURE"]
              if j[0] == stripe_inbox.APPLY_JOB]
    assert job[2] == "default" and job[3] is None  # straight away, on the worker's queue
    assert apply_queued(signed_in.application) == ["processed"]
    page = Page(signed_in.get(f"/me/orders/{order.id}?lang=en", headers=HX))
    assert "Paid — your pass is ready" in page.text()


# --- Failures and expiries ----------------------------------------------------------------------


def test_a_failed_payment_cancels_and_a_later_success_still_pays(signed_in, studio, customer, fake):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    session = fake.complete(order.stripe_checkout_session_id)
    intent = {"id": session["payment_intent"], "object": "payment_intent",
              "metadata": session["metadata"], "last_payment_error": {"code": "card_declined"}}
    deliver(signed_in, studio, fake.event("payment_intent.payment_failed", intent))
    db.session.expire_all()
    assert order.status == OrderStatus.CANCELLED and pass_of(order) is None
    page = Page(signed_in.get(f"/me/orders/{order.id}?lang=en", headers=HX))
    assert page.one("#order-status").get("hx-trigger") is None  # failed: stops polling too
    assert "did not go through" in page.text()
    # The customer tried another card on the same Checkout page, and it worked.
    deliver(signed_in, studio, fake.event("checkout.session.completed", session))
    db.session.expire_all()
    assert order.status == OrderStatus.PAID and pass_of(order) is not None


def test_an_expired_session_cancels_the_order(client, studio, customer, fake):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    session = {"id": order.stripe_checkout_session_id, "object": "checkout.session",
               "status": "expired", "mode": "payment",
               "metadata": {"order_id": str(order.id), "studio_id": str(studio.id)}}
    event = fake.event("checkout.session.expired", session)
    assert deliver(client, studio, event).status_code == 200 and outcome(event) == "processed"
    db.session.expire_all()
    assert order.status == OrderStatus.CANCELLED and count(Payment, studio=studio) == 0


def test_a_class_no_longer_bookable_means_just_the_pass(client, studio, customer, fake):
    cls = ClassFactory(studio=studio, capacity=1)
    order = card_order(studio, PlanFactory(studio=studio), customer, cls=cls)
    cls.status = ClassStatus.CANCELLED  # cancelled while the customer was paying
    db.session.flush()
    deliver(client, studio, fake.event("checkout.session.completed",
                                       fake.complete(order.stripe_checkout_session_id)))
    db.session.expire_all()
    pass_ = pass_of(order)
    assert order.status == OrderStatus.PAID and balances([pass_.id])[pass_.id] == 10
    assert count(Booking, studio=studio) == 0


# --- Memberships: subscriptions in any order ---------------------------------------------------


def membership_events(fake, order) -> dict:
    """Stripe's events for one membership checkout, by name (created in this order)."""
    session = fake.complete(order.stripe_checkout_session_id)
    sub_id, t = session["subscription"], fake.clock
    return {
        "completed": fake.event("checkout.session.completed", session, created=t),
        "sub_created": fake.event("customer.subscription.created", fake.subscription(sub_id),
                                  created=t),
        "first_paid": fake.event("invoice.paid", fake.invoice(session["invoice"]), created=t + 1),
    }


def membership_state(order) -> dict:
    db.session.expire_all()
    pass_ = pass_of(order)
    sub = db.session.scalar(select(StripeSubscription).where(
        StripeSubscription.order_id == order.id))
    orders = db.session.scalars(select(Order).where(
        Order.stripe_subscription_id == sub.subscription_id).order_by(Order.id)).all()
    return {
        "orders": [(o.status, o.gross_minor, o.id == order.id) for o in orders],
        "payments": sorted((p.amount_minor, p.reference.startswith("in_"),
                            bool(p.stripe_payment_intent_id))
                           for o in orders for p in o.payments),
        "invoices": count(Invoice, Invoice.order_id.in_([o.id for o in orders])),
        "pass": (pass_.status, pass_.starts_at, pass_.expires_at, pass_.cancel_at_period_end),
        "sub": (sub.status, sub.cancel_at_period_end, sub.ended, sub.period_start,
                sub.period_end),
    }


def test_invoice_paid_first_ends_like_in_order(client, studio, fake):
    plan = membership(studio)
    in_order = card_order(studio, plan, UserFactory())
    events = membership_events(fake, in_order)
    for name in ("completed", "sub_created", "first_paid"):
        assert deliver(client, studio, events[name]).status_code == 200
    expected = membership_state(in_order)

    reversed_ = card_order(studio, plan, UserFactory())
    events = membership_events(fake, reversed_)
    for name in ("first_paid", "sub_created", "completed"):
        assert deliver(client, studio, events[name]).status_code == 200
    assert membership_state(reversed_) == expected
    assert expected["orders"] == [(OrderStatus.PAID, 11300, True)]
    assert expected["pass"][0] == PassStatus.ACTIVE and expected["invoices"] == 1
    assert expected["pass"][2] == expected["sub"][4]  # the pass runs to Stripe's period end
    (session,) = [c for c in fake.calls("POST", "/v1/checkout/sessions")
                  if c["params"]["metadata"]["order_id"] == str(reversed_.id)]
    price = session["params"]["line_items"][0]["price_data"]
    assert session["params"]["mode"] == "subscription" and price["recurring"] == {
        "interval": "month"}
    assert session["params"]["subscription_data"]["metadata"]["order_id"] == str(reversed_.id)


def test_renewals_extend_the_membership_and_cancellation_is_mirrored(client, studio, fake):
    order = card_order(studio, membership(studio), UserFactory())
    events = membership_events(fake, order)
    for event in events.values():
        deliver(client, studio, event)
    sub_id = events["completed"]["data"]["object"]["subscription"]
    first_end = pass_of(order).expires_at

    renewal = fake.renew(sub_id)
    for _ in range(2):  # renewal delivered twice: one order for the period
        deliver(client, studio, fake.event("invoice.paid", fake.invoice(renewal["id"]),
                                           created=fake.clock + 10))
    state = membership_state(order)
    assert state["orders"] == [(OrderStatus.PAID, 11300, True), (OrderStatus.PAID, 11300, False)]
    assert state["invoices"] == 2 and state["pass"][2] > first_end
    assert state["pass"][2] == state["sub"][4]

    cancel = fake.event("customer.subscription.updated",
                        fake.subscription(sub_id, cancel_at_period_end=True),
                        created=fake.clock + 20)
    stale = fake.event("customer.subscription.updated",
                       fake.subscription(sub_id, cancel_at_period_end=False),
                       created=fake.clock + 15)
    deliver(client, studio, cancel)
    deliver(client, studio, stale)  # older, delivered late: changes nothing
    assert membership_state(order)["pass"][3] is True

    ended = fake.event("customer.subscription.deleted",
                       fake.subscription(sub_id, status="canceled"), created=fake.clock + 30)
    deliver(client, studio, ended)
    state = membership_state(order)
    assert state["pass"][0] == PassStatus.CANCELLED and state["pass"][2] == state["sub"][4]


def test_stopping_a_card_membership_stops_the_stripe_subscription(client, studio, customer, fake):
    order = card_order(studio, membership(studio), customer)
    for event in membership_events(fake, order).values():
        deliver(client, studio, event)
    login(client, customer)
    pass_ = pass_of(order)
    assert client.post(f"/me/passes/{pass_.id}/cancel").status_code == 303
    (call,) = [c for c in fake.requests if c["path"].startswith("/v1/subscriptions/")]
    assert call["method"] == "POST" and call["params"] == {"cancel_at_period_end": "true"}
    db.session.expire_all()
    assert pass_.cancel_at_period_end and pass_.status == PassStatus.ACTIVE


# --- Refunds ------------------------------------------------------------------------------------


def paid_by_card(client, studio, customer, fake, plan=None) -> tuple[Order, Payment]:
    order = card_order(studio, plan or PlanFactory(studio=studio), customer)
    deliver(client, studio, fake.event("checkout.session.completed",
                                       fake.complete(order.stripe_checkout_session_id)))
    db.session.expire_all()
    return order, order.payments[0]


def test_a_lost_refund_answer_then_a_retry_is_one_refund_at_stripe(client, studio, customer,
                                                                  fake):
    order, payment = paid_by_card(client, studio, customer, fake)
    staff = UserFactory()
    db.session.commit()  # what the console had before the click
    fake.drop_answers("POST", "/v1/refunds", 3)  # the SDK tries three times, all answers lost
    with pytest.raises(PaymentServiceUnavailable) as failed:
        refund_payment(studio, payment, amount_minor=10000, actor=staff)
    assert failed.value.status == 502
    db.session.rollback()
    assert count(Refund, studio=studio) == 0 and payment.refunded_minor == 0
    assert len(fake.created["refund"]) == 1  # Stripe did refund, we never heard

    refund = refund_payment(studio, payment, amount_minor=10000, actor=staff)
    db.session.commit()
    assert len(fake.created["refund"]) == 1 and fake.intents[
        payment.stripe_payment_intent_id]["refunded"] == 10000
    keys = {c["idempotency_key"] for c in fake.calls("POST", "/v1/refunds")}
    assert len(fake.calls("POST", "/v1/refunds")) == 4 and keys == {f"refund-{payment.id}-1-10000"}
    assert refund.stripe_refund_id == fake.created["refund"][0]["id"]
    assert count(Invoice, Invoice.kind == DocumentKind.CREDIT_NOTE, studio=studio) == 1
    # Stripe's charge.refunded for it: known by its id, not recorded twice.
    deliver(client, studio, fake.event("charge.refunded", fake.charge(
        payment.stripe_payment_intent_id)))
    assert count(Refund, studio=studio) == 1
    # A second refund is a new one at Stripe.
    refund_payment(studio, payment, amount_minor=10000, actor=staff)
    assert len(fake.created["refund"]) == 2 and count(Refund, studio=studio) == 2


def test_a_refund_larger_than_refundable_never_reaches_stripe(client, studio, customer, fake):
    _order, payment = paid_by_card(client, studio, customer, fake)
    with pytest.raises(RefundTooLarge):
        refund_payment(studio, payment, amount_minor=payment.amount_minor + 1,
                                actor=customer)
    assert fake.calls("POST", "/v1/refunds") == [] and count(Refund, studio=studio) == 0


def test_stripe_refusing_a_refund_records_nothing(client, studio, customer, fake):
    _order, payment = paid_by_card(client, studio, customer, fake)
    fake.refund_in_dashboard(payment.stripe_payment_intent_id, 20000)  # we have not heard yet
    from app.billing.errors import PaymentServiceRefused

    with pytest.raises(PaymentServiceRefused) as refused:
        refund_payment(studio, payment, amount_minor=10000, actor=customer)
    assert refused.value.status == 409 and count(Refund, studio=studio) == 0


@pytest.mark.parametrize("in_payload", [True, False])
def test_a_dashboard_refund_is_recorded_once_with_a_credit_note(client, studio, customer, fake,
                                                               in_payload):
    order, payment = paid_by_card(client, studio, customer, fake)
    fake.refund_in_dashboard(payment.stripe_payment_intent_id, 22600)
    event = fake.event("charge.refunded", fake.charge(payment.stripe_payment_intent_id,
                                                      with_refunds=in_payload))
    deliver(client, studio, event)
    deliver(client, studio, fake.event("charge.refunded", event["data"]["object"]))  # a new event
    db.session.expire_all()
    (refund,) = db.session.scalars(select(Refund).where(Refund.studio_id == studio.id)).all()
    assert refund.made_in_stripe and refund.amount_minor == 22600 and refund.created_by_id is None
    assert count(Invoice, Invoice.kind == DocumentKind.CREDIT_NOTE, studio=studio) == 1
    assert pass_of(order).status == PassStatus.REVOKED
    assert bool(fake.calls("GET", "/v1/refunds")) is not in_payload


def test_a_refund_before_its_payment_waits_for_it(client, studio, customer, fake):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    session = fake.complete(order.stripe_checkout_session_id)
    fake.refund_in_dashboard(session["payment_intent"], 5000)
    early = fake.event("charge.refunded", fake.charge(session["payment_intent"]))
    assert deliver(client, studio, early).status_code == 200
    assert outcome(early).startswith("deferred")
    deliver(client, studio, fake.event("checkout.session.completed", session))
    db.session.expire_all()
    (refund,) = db.session.scalars(select(Refund).where(Refund.studio_id == studio.id)).all()
    assert refund.amount_minor == 5000 and order.payments[0].refunded_minor == 5000
    assert db.session.scalar(select(StripeEvent.outcome).where(
        StripeEvent.studio_id == studio.id, StripeEvent.type == "charge.refunded")) == "processed"


# --- Any order, any duplicates: the same end -----------------------------------------------------


def scenario(studio, fake) -> tuple[list[Order], list[dict]]:
    """15 card orders (10 passes, 5 memberships) and the 60 events Stripe sends about them,
    in the order Stripe made them."""
    pack = PlanFactory(studio=studio, price_minor=15000)
    monthly = membership(studio)
    orders, events = [], []
    for i in range(10):
        order = card_order(studio, pack, UserFactory())
        orders.append(order)
        t = fake.clock + i * 100
        if i % 5 == 1:  # abandoned: the session expires
            events.append(fake.event("checkout.session.expired", {
                "id": order.stripe_checkout_session_id, "object": "checkout.session",
                "mode": "payment", "status": "expired", "metadata": {
                    "order_id": str(order.id), "studio_id": str(studio.id)}}, created=t))
            continue
        session = fake.complete(order.stripe_checkout_session_id)
        intent = {"id": session["payment_intent"], "object": "payment_intent",
                  "metadata": session["metadata"]}
        events.append(fake.event("payment_intent.created", intent, created=t))
        if i % 5 == 0:  # a declined card first
            events.append(fake.event("payment_intent.payment_failed", intent, created=t + 1))
        events.append(fake.event("checkout.session.completed", session, created=t + 2))
        if i == 3:
            events.append(fake.event("charge.succeeded", fake.charge(session["payment_intent"]),
                                     created=t + 2))
        if i % 5 == 2:  # partly refunded in the dashboard, later
            fake.refund_in_dashboard(session["payment_intent"], 5000)
            events.append(fake.event("charge.refunded", fake.charge(session["payment_intent"]),
                                     created=t + 3))
    for j in range(5):
        order = card_order(studio, monthly, UserFactory())
        orders.append(order)
        t = fake.clock + 2000 + j * 100
        session = fake.complete(order.stripe_checkout_session_id)
        sub_id = session["subscription"]
        events += [
            fake.event("customer.subscription.created", fake.subscription(sub_id), created=t),
            fake.event("invoice.paid", fake.invoice(session["invoice"], with_payments=j % 2 == 0),
                       created=t + 1),
            fake.event("checkout.session.completed", session, created=t + 1),
            fake.event("invoice.finalized", fake.invoice(session["invoice"]), created=t),
        ]
        renewal = fake.renew(sub_id)
        events += [
            fake.event("customer.subscription.updated", fake.subscription(sub_id), created=t + 10),
            fake.event("invoice.paid", fake.invoice(renewal["id"]), created=t + 11),
            fake.event("customer.subscription.updated",
                       fake.subscription(sub_id, cancel_at_period_end=True), created=t + 20),
        ]
        if j < 2:
            events.append(fake.event("customer.subscription.deleted",
                                     fake.subscription(sub_id, status="canceled"),
                                     created=t + 30))
    return orders, events


def final_state(studio, orders) -> list:
    db.session.expire_all()
    state = []
    for order in orders:
        pass_ = pass_of(order)
        renewals = db.session.scalars(select(Order).where(
            Order.stripe_subscription_id == order.stripe_subscription_id,
            Order.id != order.id)).all() if order.stripe_subscription_id else []
        state.append({
            "status": order.status,
            "payments": [(p.amount_minor, p.refunded_minor, p.method) for p in order.payments],
            "refunds": sorted((r.amount_minor, r.made_in_stripe) for p in order.payments
                              for r in db.session.scalars(select(Refund).where(
                                  Refund.payment_id == p.id))),
            "documents": sorted((d.kind, d.gross_minor) for d in db.session.scalars(
                select(Invoice).where(Invoice.order_id == order.id))),
            "pass": None if pass_ is None else (
                pass_.status, pass_.cancel_at_period_end,
                balances([pass_.id])[pass_.id] if pass_.credits_total else None,
                (pass_.starts_at, pass_.expires_at) if pass_.plan.is_membership else None),
            "renewals": sorted((r.status, r.gross_minor, len(r.payments)) for r in renewals),
        })
    failed = db.session.scalars(select(StripeEvent.outcome).where(
        StripeEvent.studio_id == studio.id, StripeEvent.processed_at.is_(None))).all()
    return [state, failed, count(StripeEvent, StripeEvent.studio_id == studio.id)]


def test_sixty_events_shuffled_with_duplicates_end_like_in_order(client, fake):
    reference_studio = card_studio("inorder")
    orders, events = scenario(reference_studio, fake)
    assert len(events) == 60 and len({e["id"] for e in events}) == 60
    for event in events:
        assert deliver(client, reference_studio, event).status_code == 200
    expected = final_state(reference_studio, orders)

    shuffled_studio = card_studio("shuffled")
    orders, events = scenario(shuffled_studio, fake)
    rng = random.Random(20261125)
    deliveries = events + rng.sample(events, k=len(events) // 5)  # 20 % delivered twice
    rng.shuffle(deliveries)
    assert [e["type"] for e in deliveries[:3]] != [e["type"] for e in events[:3]]
    for event in deliveries:
        assert deliver(client, shuffled_studio, event).status_code == 200

    assert final_state(shuffled_studio, orders) == expected
    state, waiting, stored = expected
    assert waiting == [] and stored == 60
    statuses = [s["status"] for s in state]
    assert statuses.count(OrderStatus.CANCELLED) == 2 and statuses.count(OrderStatus.PAID) == 13
    assert [s["refunds"] for s in state if s["refunds"]] == [[(5000, True)], [(5000, True)]]
    members = state[10:]
    assert all(len(m["renewals"]) == 1 for m in members)
    assert [m["pass"][0] for m in members] == [PassStatus.CANCELLED] * 2 + [PassStatus.ACTIVE] * 3
    assert all(m["pass"][1] for m in members)  # none renews again


# --- Real concurrency: the same event delivered twice at the same moment ------------------------


@pytest.mark.concurrency
@pytest.mark.xdist_group("concurrency")
def test_the_same_event_delivered_twice_at_once_is_applied_once(app, monkeypatch):
    import threading
    import uuid

    from app.billing.stripe import webhooks

    with app.app_context():
        studio = card_studio(f"race{uuid.uuid4().hex[:6]}", slug=f"race-{uuid.uuid4().hex[:8]}")
        order = place_order(studio, PlanFactory(studio=studio), UserFactory(),
                                     actor=None, method=PaymentMethodKind.CARD)
        db.session.commit()
        studio_id, order_id, slug, secret = studio.id, order.id, studio.slug, \
            studio.stripe_webhook_secret
    session = {"id": f"cs_test_{order_id}", "object": "checkout.session", "mode": "payment",
               "payment_status": "paid", "status": "complete", "amount_total": 22600,
               "payment_intent": f"pi_race_{uuid.uuid4().hex[:8]}", "customer": None,
               "metadata": {"order_id": str(order_id), "studio_id": str(studio_id)}}
    event = FakeStripe().event("checkout.session.completed", session)
    event["id"] = f"evt_race_{uuid.uuid4().hex[:8]}"
    both_verified = threading.Barrier(2)
    real = webhooks.receive_event

    def together(*args, **kwargs):  # both verified; both store before either commits
        both_verified.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(webhooks, "receive_event", together)
    answers = []

    def post():
        body, headers = signed(event, secret)
        answers.append(app.test_client().post(f"/webhooks/stripe?studio={slug}", data=body,
                                              headers=headers))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # One stored it; the other waited on the event id, stored nothing and, finding it not
    # applied yet, queued it too: the spare job finds it applied.
    assert [a.json["outcome"] for a in answers] == ["received", "received"]
    assert [a.status_code for a in answers] == [200, 200]
    with app.app_context():
        assert apply_queued(app) == ["processed", None]
        assert db.session.get(Order, order_id).status == OrderStatus.PAID
        assert count(Payment, Payment.order_id == order_id) == 1
        assert count(Invoice, Invoice.order_id == order_id) == 1
        assert count(StripeEvent, StripeEvent.studio_id == studio_id) == 1
        db.engine.dispose()
