"""Every e-mail template is a message the notification service knows: its category decides
who may turn it off and whether quiet hours hold it (a template without one fails to send)."""

from pathlib import Path

from app.notifications.models import CATEGORY_OF

EMAILS = Path(__file__).resolve().parents[2] / "templates" / "emails"


def test_every_email_template_has_a_category():
    templates = {p.stem for p in EMAILS.glob("*.html") if not p.stem.startswith("_")}
    assert templates - set(CATEGORY_OF) == set()
