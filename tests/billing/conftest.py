"""Card payments' fixtures: a studio that takes cards (the local Stripe-compatible server, `fake`,
is the root conftest's)."""

import pytest

from tests.billing.fake_stripe import card_studio
from tests.factories import UserFactory


@pytest.fixture
def studio(app):
    return card_studio()


@pytest.fixture
def customer(app):
    return UserFactory(locale="en")
