"""Card payments' fixtures: a local Stripe-compatible server and a studio that takes cards."""

import pytest
import stripe

from tests.billing.fake_stripe import FakeStripe, card_studio
from tests.factories import UserFactory


@pytest.fixture
def fake(app, monkeypatch):
    server = FakeStripe().start()
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", server.url)
    # The SDK's own retries (max_network_retries=2) back off for ~1.5 s; not needed here.
    monkeypatch.setattr(stripe._http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe._http_client.HTTPClient, "MAX_DELAY", 0.02)
    yield server
    server.stop()


@pytest.fixture
def studio(app):
    return card_studio()


@pytest.fixture
def customer(app):
    return UserFactory(locale="en")
