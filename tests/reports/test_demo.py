"""The demo's three months of history: every report of both demo studios shows figures on
first view (the last 30 days), and the overview has last month's; loading twice adds none."""

from sqlalchemy import func, select

from app.accounts.models import User
from app.billing.models import Order
from app.bookings.models import Booking
from app.demo.loader import load_demo
from app.extensions import db
from tests.conftest import login
from tests.pages import Page, text_of

TABLES = ("attendance", "attendance-coaches", "attendance-slots", "utilisation", "waitlist",
          "revenue", "payments", "taxes", "owed", "owed-customers", "memberships", "cohorts",
          "certificates")


def test_every_report_shows_the_demo_history(app, client):
    load_demo()
    counts = (db.session.scalar(select(func.count(Booking.id))),
              db.session.scalar(select(func.count(Order.id))))
    load_demo()  # idempotent: no second history
    assert (db.session.scalar(select(func.count(Booking.id))),
            db.session.scalar(select(func.count(Order.id)))) == counts
    owner = db.session.scalar(select(User).where(User.email == "owner@example.com"))
    login(client, owner, "fitflow-demo")
    for slug in ("riyadh", "toronto"):
        page = Page(client.get(f"/manage/{slug}/reports"))
        for name in TABLES:
            rows = page.all(f"#table-{name} tbody tr")
            assert rows and not page.all(f"#table-{name} tbody td.empty"), (slug, name)
        assert page.all("#table-waitlist tbody tr")  # classes that filled, people turned away
        drawn = {c.get("id") for c in page.all("canvas[data-chart]")}
        assert {"chart-attendance", "chart-waitlist", "chart-cohorts"} <= drawn
    overview = Page(client.get("/manage/", query_string={"period": "last_month"}))
    for tr in overview.all("#table-overview tbody tr")[:2]:  # bookings, check-ins
        label, *cells = (text_of(cell) for cell in tr)
        assert all(int(c) > 50 for c in cells), label
