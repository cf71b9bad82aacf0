"""Hostile webhook deliveries: correctly signed but odd (a timestamp from the future, an id too
long, a NUL, nesting too deep) get a 400 and store nothing; event ids are per studio, so one
studio cannot claim another's event id first."""

import json
import time

import stripe

from app.billing.models import StripeEvent
from tests.billing.fake_stripe import card_studio
from tests.billing.test_stripe import card_order, count, deliver
from tests.factories import PlanFactory


def post_signed(client, studio, payload: str):
    header = stripe.WebhookSignature.generate_signature_header(
        payload, studio.stripe_webhook_secret)
    return client.post(f"/webhooks/stripe?studio={studio.slug}", data=payload,
                       headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def test_a_timestamp_from_the_future_is_a_400(client, studio, customer, fake):
    order = card_order(studio, PlanFactory(studio=studio), customer)
    event = fake.event("checkout.session.completed",
                       fake.complete(order.stripe_checkout_session_id))
    ahead = deliver(client, studio, event, timestamp=int(time.time()) + 301)
    assert ahead.status_code == 400 and count(StripeEvent, studio=studio) == 0
    assert deliver(client, studio, event, timestamp=int(time.time()) + 240).status_code == 200


def event_with(**fields) -> dict:
    return {"id": "evt_1", "type": "charge.refunded", "data": {"object": {"id": "ch_1"}},
            **fields}


def test_signed_but_hostile_payloads_are_400_and_store_nothing(client, studio):
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    hostile = [
        json.dumps(event_with(id="evt_" + "x" * 10_000)),
        json.dumps(event_with(id="evt_\x00")),
        json.dumps(event_with(data={"object": {"id": "ch_\x00"}})),
        json.dumps(event_with())[:-1] + ', "deep": ' + deep + "}",
        json.dumps(event_with(id="")),
    ]
    for payload in hostile:
        assert post_signed(client, studio, payload).status_code == 400, payload[:80]
    assert count(StripeEvent, studio=studio) == 0


def test_the_same_event_id_in_two_studios_is_two_events(client, studio, fake):
    other = card_studio("riy")
    payload = json.dumps(event_with(id="evt_shared", type="some.unknown_type"))
    assert post_signed(client, other, payload).status_code == 200
    answer = post_signed(client, studio, payload)
    assert answer.status_code == 200 and answer.json["outcome"] == "received"
    assert count(StripeEvent, studio=studio) == 1 and count(StripeEvent, studio=other) == 1
