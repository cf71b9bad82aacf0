"""Request size: a body over MAX_CONTENT_LENGTH (1 MiB) is refused with 413 before it is read,
in the reader's language, and nothing is stored (the Stripe webhook included)."""

from sqlalchemy import func, select

from app.billing.models import StripeEvent
from app.extensions import db
from tests.pages import Page

BIG = b"x" * (2**20 + 1)


def test_a_form_body_over_the_limit_is_413_in_the_readers_language(client):
    response = client.post("/login?lang=ar", data={"email": "a@b.c", "password": BIG.decode()})
    assert response.status_code == 413
    page = Page(response)
    assert page.one("html").get("lang") == "ar"
    assert "كبير" in page.text("main")  # "That upload is too large." in Arabic


def test_a_body_just_under_the_limit_is_read(client):
    response = client.post("/login", data={"email": "a@b.c", "password": "x" * (2**19)})
    assert response.status_code != 413


def test_the_webhook_refuses_a_huge_body_and_stores_nothing(client):
    before = db.session.scalar(select(func.count()).select_from(StripeEvent))
    response = client.post("/webhooks/stripe", data=BIG,
                           headers={"Content-Type": "application/json",
                                    "Stripe-Signature": "t=1,v1=00"})
    assert response.status_code == 413
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == before
