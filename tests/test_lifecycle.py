"""core.lifecycle: a mutating view's one commit, and its answer to a refused action.

A tiny blueprint on an app of its own writes a user row and then answers or is refused; the
per-test savepoint still holds every write, so nothing outlives a test.
"""

import uuid

import pytest
from flask import Blueprint, get_flashed_messages, request
from sqlalchemy import func, inspect, select

from app import create_app
from app.accounts.models import User
from app.bookings.errors import ClassBusy, ClassFull
from app.core.lifecycle import done, perform
from app.extensions import db
from tests.conftest import IsolatedClient, test_config

bp = Blueprint("lifecycle_test", __name__, url_prefix="/_lifecycle")
FLASHES = "/_lifecycle/flashes"
ERRORS = {"full": ClassFull, "busy": ClassBusy}


def _count(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def _add_user() -> User:
    user = User(email=request.args["email"], name="Lifecycle")
    db.session.add(user)
    db.session.flush()
    return user


def _add_user_then_refuse():
    _add_user()  # written and flushed: the refusal must not leave it behind
    raise ERRORS[request.args.get("error", "full")]()


@bp.post("/make")
def make():
    return perform(_add_user, lambda user: done("Made.", FLASHES),
                   keep_loaded=request.args.get("keep") == "1")


@bp.post("/make/inspect")
def make_and_inspect():
    """Answers whether the new row came out of the commit still loaded."""
    return perform(_add_user, lambda user: "expired" if inspect(user).expired else "loaded",
                   keep_loaded=request.args.get("keep") == "1")


@bp.post("/refuse")
def refuse():
    return perform(_add_user_then_refuse, lambda user: done("Made.", FLASHES),
                   back=request.args.get("back"))


@bp.post("/refuse/own-answer")
def refuse_with_own_answer():
    """The failed= answer sees the database as it was before the action."""
    return perform(_add_user_then_refuse, lambda user: "made",
                   failed=lambda exc: (f"{exc} rows={_count(request.args['email'])}", exc.status))


@bp.get("/flashes")
def flashes():
    return "|".join(f"{category}:{message}"
                    for category, message in get_flashed_messages(with_categories=True))


@pytest.fixture(scope="module")
def lifecycle_app(app):
    redis_db = int(app.config["REDIS_URL"].rsplit("/", 1)[1])
    fresh = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], redis_db,
                                   WTF_CSRF_ENABLED=False))
    fresh.register_blueprint(bp)
    fresh.test_client_class = IsolatedClient
    yield fresh
    with fresh.app_context():
        db.engine.dispose()


@pytest.fixture
def client(lifecycle_app):
    return lifecycle_app.test_client()


@pytest.fixture
def email():
    return f"lifecycle-{uuid.uuid4().hex[:10]}@example.com"


HTMX = {"HX-Request": "true"}


def test_success_commits_then_answers(client, email):
    response = client.post(f"/_lifecycle/make?email={email}")

    assert response.status_code == 303 and response.location == FLASHES
    assert _count(email) == 1  # committed: the request's end rolls back anything uncommitted
    assert client.get(FLASHES).text == "success:Made."


@pytest.mark.parametrize("keep, state", [("1", "loaded"), ("0", "expired")])
def test_keep_loaded_commits_without_expiring_the_rows(client, email, keep, state):
    response = client.post(f"/_lifecycle/make/inspect?email={email}&keep={keep}")

    assert response.text == state
    assert _count(email) == 1


def test_a_refusal_rolls_back_before_it_answers(client, email):
    response = client.post(f"/_lifecycle/refuse/own-answer?email={email}")

    assert response.status_code == 409
    assert response.text == "This class is full. rows=0"  # the flushed row is gone already
    assert _count(email) == 0


def test_htmx_gets_the_alert_at_the_errors_status_and_keeps_its_target(client, email):
    response = client.post(f"/_lifecycle/refuse?email={email}", headers=HTMX)

    assert response.status_code == 409
    assert 'id="page-alert" hx-swap-oob="true"' in response.text
    assert "This class is full." in response.text
    assert response.headers["HX-Reswap"] == "none"
    assert "HX-Request" in response.vary
    assert "Retry-After" not in response.headers
    assert _count(email) == 0


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true", "HX-Boosted": "true"}],
                         ids=["plain", "boosted"])
def test_a_plain_post_gets_a_flash_and_a_303_back(client, email, headers):
    response = client.post(f"/_lifecycle/refuse?email={email}&back={FLASHES}", headers=headers)

    assert response.status_code == 303 and response.location == FLASHES
    assert client.get(FLASHES).text == "error:This class is full."
    assert _count(email) == 0


@pytest.mark.parametrize("referrer, to", [
    ("http://localhost/s/x/plans", "http://localhost/s/x/plans"),  # the page the form was on
    ("https://elsewhere.example/", "/_lifecycle/refuse"),  # never back to another site
])
def test_without_back_the_303_goes_to_the_same_sites_referrer(client, email, referrer, to):
    response = client.post(f"/_lifecycle/refuse?email={email}", headers={"Referer": referrer})

    assert response.status_code == 303 and response.location == to


@pytest.mark.parametrize("path, headers, status", [
    ("/_lifecycle/refuse", HTMX, 503),
    ("/_lifecycle/refuse", {}, 303),
    ("/_lifecycle/refuse/own-answer", {}, 503),  # a view's own answer gets it too
])
def test_busy_says_when_to_try_again(client, email, path, headers, status):
    response = client.post(f"{path}?email={email}&error=busy", headers=headers)

    assert response.status_code == status
    assert response.headers["Retry-After"] == "2"


def test_the_message_is_in_the_requests_language(client, email):
    response = client.post(f"/_lifecycle/refuse?email={email}&lang=ar", headers=HTMX)

    assert response.status_code == 409
    assert "هذه الحصة ممتلئة." in response.text

    client.post(f"/_lifecycle/refuse?email={email}&lang=ar&back={FLASHES}")
    assert client.get(FLASHES).text == "error:هذه الحصة ممتلئة."
