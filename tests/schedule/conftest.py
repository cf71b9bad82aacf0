"""The schedule tests' studio (its location in America/Toronto), its admin signed in, and the
week-card cache emptied around a test."""

import pytest

from app.studios.models import Role
from tests.conftest import login
from tests.factories import StudioFactory, staff


@pytest.fixture
def studio(app):
    return StudioFactory()


@pytest.fixture
def admin(client, studio):
    user = staff(studio, Role.STUDIO_ADMIN)
    login(client, user)
    return user


@pytest.fixture
def cards(app):
    cache = app.extensions["fragments"]
    cache.clear()
    yield cache
    cache.clear()
