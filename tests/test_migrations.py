"""Migrations build the schema the models describe, on PostgreSQL and on SQLite; demo data is
idempotent."""

import re
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from app import create_app
from app.accounts.models import User
from app.bookings.models import Booking
from app.demo import load_demo
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Studio
from tests.conftest import drop_database, fresh_database, run_id, test_config, worker_index

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("migrations")]


def test_postgresql_migrations_match_models_and_downgrade(request):
    name = f"fitflow_migr_{run_id(request.config)}_{worker_index(request.config)}"
    url = fresh_database(name)
    app = create_app(test_config(url, 0))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
    drop_database(name)


def test_sqlite_quick_start_with_idempotent_demo(tmp_path):
    app = create_app(test_config(f"sqlite:///{tmp_path / 'demo.sqlite3'}", 0,
                                 JOBS_INLINE=True, REDIS_URL=None,
                                 MAILBOX_DIR=str(tmp_path / "mail"), WTF_CSRF_ENABLED=False,
                                 SECOND_STEP_FOR_STAFF=False))
    with app.app_context():
        upgrade()
        first = load_demo()
        counts = {m: db.session.scalar(select(func.count()).select_from(m))
                  for m in (Studio, User, ScheduledClass, Booking)}
        second = load_demo()
        again = {m: db.session.scalar(select(func.count()).select_from(m))
                 for m in (Studio, User, ScheduledClass, Booking)}
    assert first["studios"] == 2 and first["bookings"] > 500
    assert second == {"studios": 0, "bookings": 0, "customers": 50}
    assert again == counts
    assert counts[Studio] == 2 and counts[User] >= 55 and counts[ScheduledClass] > 200
    with app.app_context():  # spots taken: kept by SQLite's triggers, and back-filled
        assert _spots_kept_and_counted() and _spots_kept_and_counted()[0][0] > 0
        downgrade(revision="0012_extra_hours")
        upgrade()
        assert _spots_kept_and_counted()
    with app.test_client() as client:
        page = client.get("/s/riyadh/schedule?lang=ar")
        assert page.status_code == 200 and 'dir="rtl"' in page.get_data(as_text=True)
        login = client.post("/login", data={"email": "customer@example.com",
                                            "password": "fitflow-demo"})
        assert login.status_code == 303
        assert client.get("/me/bookings").status_code == 200
        week = client.get("/s/riyadh/schedule").get_data(as_text=True)  # cards, filter choices
        assert week.count('class="booking-panel') >= 10 and 'name="coach"' in week
        # Booking works on SQLite too (its own INSERT … ON CONFLICT, no row locks).
        # A class with a spot left: the demo fills some classes, which book onto the waitlist.
        open_panels = [p for p in week.split('<section id="booking-panel-')
                       if 'class="spots"' in p and '/book"' in p]
        action = re.findall(r'action="(/s/riyadh/classes/\d+/book)"', open_panels[-1])[0]
        booked = client.post(action, headers={"HX-Request": "true"})
        assert booked.status_code == 200 and "confirm=cancel" in booked.get_data(as_text=True)
        again = client.post(action, headers={"HX-Request": "true"})  # a double tap: the same
        assert again.get_data(as_text=True) == booked.get_data(as_text=True)
    with app.app_context():
        assert _spots_kept_and_counted()
    with app.test_client() as owner:  # the reports read local days and hours on SQLite too
        owner.post("/login", data={"email": "owner@example.com", "password": "fitflow-demo"})
        reports = owner.get("/manage/riyadh/reports?lang=ar")
        assert reports.status_code == 200 and 'class="num heat-' in reports.get_data(as_text=True)
        assert owner.get("/manage/riyadh/reports/owed.csv").status_code == 200
        # The summaries no SQLite trigger keeps are recounted for the request: VAT was paid.
        taxes = owner.get("/manage/riyadh/reports/taxes.csv").get_data(as_text=True)
        assert "\nSAR,SA," in taxes.replace("\r\n", "\n")
        with owner.session_transaction() as session:  # the bookings CSV asks a fresh sign-in
            session["auth_at"] = int(time.time())
        booked = owner.get("/manage/riyadh/reports/bookings.csv").get_data(as_text=True)
        assert booked.count("\n") > 100
        assert owner.get("/manage/").status_code == 200


def _spots_kept_and_counted() -> list[tuple[int, int]]:
    """(kept, counted) spots taken of the classes with any, asserting they agree."""
    rows = db.session.execute(text(
        "SELECT c.spots_taken, (SELECT count(*) FROM bookings b WHERE b.class_id = c.id"
        " AND b.status IN ('confirmed', 'offered', 'attended', 'no_show')) AS n"
        " FROM classes c ORDER BY n DESC")).all()
    db.session.rollback()
    assert all(kept == counted for kept, counted in rows), rows[:5]
    return [tuple(r) for r in rows]


BEFORE_DEFAULT_LOCATION = "0015_stripe_events_unapplied"


@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
def test_each_studio_s_default_location_is_backfilled_with_its_first(request, tmp_path, engine):
    if engine == "postgresql":
        name = f"fitflow_migr_loc_{run_id(request.config)}_{worker_index(request.config)}"
        url = fresh_database(name)
    else:
        url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    app = create_app(test_config(url, 0))
    with app.app_context():
        upgrade(revision=BEFORE_DEFAULT_LOCATION)
        with db.engine.begin() as conn:
            for studio_id, slug in ((1, "two"), (2, "one"), (3, "none")):
                conn.execute(text(
                    "INSERT INTO studios (id, slug, name, default_language, booking_opens_days,"
                    " booking_closes_minutes, cancel_cutoff_minutes, waitlist_mode,"
                    " offer_hold_minutes, created_at) VALUES (:id, :slug, '{}', 'en', 14, 0, 720,"
                    " 'auto', 60, CURRENT_TIMESTAMP)"), {"id": studio_id, "slug": slug})
            # Studio 1's locations come out of id order: the lowest id wins, not the first added.
            for location_id, studio_id in ((7, 1), (5, 1), (6, 2)):
                conn.execute(text(
                    "INSERT INTO locations (id, studio_id, name, timezone, currency, address,"
                    " tax_jurisdiction, created_at) VALUES (:id, :studio, '{}', 'UTC', 'CAD', '',"
                    " '', CURRENT_TIMESTAMP)"), {"id": location_id, "studio": studio_id})
        upgrade()
        with db.engine.connect() as conn:
            defaults = dict(conn.execute(text(
                "SELECT slug, default_location_id FROM studios")).all())
        assert defaults == {"two": 5, "one": 6, "none": None}
        downgrade(revision=BEFORE_DEFAULT_LOCATION)
        with db.engine.connect() as conn:
            columns = conn.execute(text("SELECT * FROM studios")).keys()
        assert "default_location_id" not in columns
        db.engine.dispose()
    if engine == "postgresql":
        drop_database(name)


BEFORE_INVOICE_LANGUAGE = "0019_first_weekday"


@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
def test_invoice_language_starts_bilingual_under_saudi_vat_else_the_default(request, tmp_path,
                                                                            engine):
    if engine == "postgresql":
        name = f"fitflow_migr_inv_{run_id(request.config)}_{worker_index(request.config)}"
        url = fresh_database(name)
    else:
        url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    app = create_app(test_config(url, 0))
    with app.app_context():
        upgrade(revision=BEFORE_INVOICE_LANGUAGE)
        studios = ((1, "riyadh", "ar", "SA"), (2, "toronto", "en", "CA-ON"),
                   (3, "jeddah", "en", "SA"), (4, "cairo", "ar", ""))
        with db.engine.begin() as conn:
            for studio_id, slug, lang, jurisdiction in studios:
                conn.execute(text(
                    "INSERT INTO studios (id, slug, name, default_language, booking_opens_days,"
                    " booking_closes_minutes, cancel_cutoff_minutes, waitlist_mode,"
                    " offer_hold_minutes, created_at) VALUES (:id, :slug, '{}', :lang, 14, 0,"
                    " 720, 'auto', 60, CURRENT_TIMESTAMP)"),
                    {"id": studio_id, "slug": slug, "lang": lang})
                conn.execute(text(
                    "INSERT INTO locations (id, studio_id, name, timezone, currency, address,"
                    " tax_jurisdiction, created_at) VALUES (:id, :id, '{}', 'UTC', 'SAR', '',"
                    " :tax, CURRENT_TIMESTAMP)"), {"id": studio_id, "tax": jurisdiction})
                conn.execute(text("UPDATE studios SET default_location_id = :id WHERE id = :id"),
                             {"id": studio_id})
        upgrade()
        with db.engine.connect() as conn:
            chosen = dict(conn.execute(text("SELECT slug, invoice_language FROM studios")).all())
        assert chosen == {"riyadh": "ar+en", "toronto": "en", "jeddah": "ar+en", "cairo": "ar"}
        downgrade(revision=BEFORE_INVOICE_LANGUAGE)
        db.engine.dispose()
    if engine == "postgresql":
        drop_database(name)
