"""P7 data: card orders in two identical studios, and the Stripe events that settle them.

Studio A gets each unique event once, in order, applied before the next comes; studio B gets
the same events shuffled with 20 % duplicates, over HTTP, applied by the worker. Their final
states must be identical, order by order.
"""

import json
import random
import time

import stripe as stripe_sdk
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import User
from app.billing.models import (
    DocumentKind,
    Invoice,
    Order,
    Payment,
    PaymentMethodKind,
    Refund,
    StripeEvent,
)
from app.billing.services.orders import place_order
from app.billing.stripe.inbox import apply_received, receive_event
from app.extensions import db
from app.memberships.models import Pass, Plan, PlanKind
from app.studios.models import Studio
from app.studios.services import create_studio
from bench.config import SECRET_KEY

UNIQUE, DUPLICATES = 400, 100


def make_studios(database_url: str, tag: str) -> tuple[list[tuple[str, str, list[int]]], int]:
    """Two card studios with the same orders: [(slug, secret, order ids)], orders per studio."""
    app = _app(database_url)
    made = []
    with app.app_context():
        n_orders = _orders_for(UNIQUE)
        for side in ("a", "b"):
            slug = f"p7{tag}{side}"
            studio = create_studio(
                slug=slug, name={"en": slug, "ar": slug}, invoice_prefix=slug[:12],
                stripe_secret_key=f"sk_test_{slug}", stripe_webhook_secret=f"whsec_{slug}",
                prices_include_tax=False,
                location={"name": {"en": "Main"}, "timezone": "America/Toronto", "currency": "CAD",
                          "tax_jurisdiction": "CA-ON"})
            plan = Plan(studio_id=studio.id, kind=PlanKind.CLASS_PACK, name={"en": "Pack"},
                        description={}, price_minor=20000, currency="CAD", credits=10,
                        validity_days=90)
            db.session.add(plan)
            db.session.flush()
            ids = []
            for i in range(n_orders):
                customer = db.session.get(User, 300 + i)
                order = place_order(studio, plan, customer, actor=customer,
                                    method=PaymentMethodKind.CARD)
                ids.append(order.id)
            made.append((slug, studio.stripe_webhook_secret, ids))
        db.session.commit()
        gross = db.session.scalar(select(Order.gross_minor).where(Order.id == made[0][2][0]))
    return made, gross


def _app(database_url: str):
    """The app on the bench database, its jobs captured (never run, never sent)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": None,
                       "SECRET_KEY": SECRET_KEY,  # keys sealed as gunicorn will open them
                       "JOBS_INLINE": False, "JOBS_CAPTURE": []})


def apply_in_order(database_url: str, slug: str, unique: list[dict]) -> None:
    """The reference: each event stored and applied before the next arrives, in Stripe's order."""
    app = _app(database_url)
    with app.app_context():
        studio_id = db.session.scalar(select(Studio.id).where(Studio.slug == slug))
        for event in unique:
            receive_event(studio_id, event)
            db.session.commit()
            apply_received(db.session.scalar(select(StripeEvent.id).where(
                StripeEvent.event_id == event["id"])))
            db.session.commit()


def outcomes(database_url: str, slug: str) -> dict[str, int]:
    """How the studio's stored events were applied: outcome -> count."""
    app = _app(database_url)
    with app.app_context():
        rows = db.session.execute(select(StripeEvent.outcome, func.count())
                                  .join(Studio, Studio.id == StripeEvent.studio_id)
                                  .where(Studio.slug == slug).group_by(StripeEvent.outcome)).all()
    return {outcome: n for outcome, n in rows}


def _kinds(i: int) -> list[str]:
    if i % 5 == 1:
        return ["expired"]
    return ["completed", "refunded"] if i % 4 == 0 else ["completed"]


def _orders_for(unique: int) -> int:
    n, total = 0, 0
    while total < unique:
        total += len(_kinds(n))
        n += 1
    return n


def events(slug: str, order_ids: list[int], gross: int) -> list[dict]:
    """The unique events for one studio's orders, in the order Stripe would send them."""
    out = []
    created = int(time.time()) - 1000
    for i, order_id in enumerate(order_ids):
        intent = f"pi_{slug}_{i}"
        meta = {"order_id": str(order_id)}
        for kind in _kinds(i):
            created += 1
            if kind == "expired":
                obj = {"id": f"cs_{slug}_{i}", "object": "checkout.session", "mode": "payment",
                       "metadata": meta, "payment_status": "unpaid"}
                etype = "checkout.session.expired"
            elif kind == "completed":
                obj = {"id": f"cs_{slug}_{i}", "object": "checkout.session", "mode": "payment",
                       "metadata": meta, "payment_status": "paid", "amount_total": gross,
                       "payment_intent": intent, "customer": f"cus_{slug}_{i}"}
                etype = "checkout.session.completed"
            else:
                obj = {"id": f"ch_{slug}_{i}", "object": "charge", "payment_intent": intent,
                       "refunds": {"data": [{"id": f"re_{slug}_{i}", "amount": gross // 2,
                                             "status": "succeeded", "created": created}]}}
                etype = "charge.refunded"
            out.append({"id": f"evt_{slug}_{len(out)}", "object": "event", "type": etype,
                        "created": created, "data": {"object": obj}})
    return out[:UNIQUE]


def with_duplicates(unique: list[dict], seed: int) -> list[dict]:
    rnd = random.Random(seed)
    deliveries = unique + [rnd.choice(unique) for _ in range(DUPLICATES)]
    rnd.shuffle(deliveries)
    return deliveries


def signed(event: dict, secret: str) -> tuple[str, dict]:
    payload = json.dumps(event)
    header = stripe_sdk.WebhookSignature.generate_signature_header(payload, secret)
    return payload, {"Stripe-Signature": header, "Content-Type": "application/json"}


def final_state(database_url: str, order_ids: list[int]) -> list[tuple]:
    """Per order: status, paid, refunded, passes, invoices, credit notes."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": None,
                      "SECRET_KEY": SECRET_KEY})
    rows = []
    with app.app_context():
        for order_id in order_ids:
            order = db.session.get(Order, order_id)
            paid = db.session.scalar(select(func.coalesce(func.sum(Payment.amount_minor), 0))
                                     .where(Payment.order_id == order_id))
            refunded = db.session.scalar(
                select(func.coalesce(func.sum(Refund.amount_minor), 0))
                .join(Payment, Payment.id == Refund.payment_id).where(Payment.order_id == order_id))
            passes = db.session.scalars(select(Pass.status).where(Pass.order_id == order_id)).all()
            docs = db.session.scalars(select(Invoice.kind)
                                      .where(Invoice.order_id == order_id)).all()
            rows.append((str(order.status), paid, refunded, sorted(map(str, passes)),
                         sum(d == DocumentKind.INVOICE for d in docs),
                         sum(d == DocumentKind.CREDIT_NOTE for d in docs)))
    return rows
