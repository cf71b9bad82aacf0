"""The front desk role, route by route: customers, the week and its rosters, check-in and desk
payments open; settings, payment settings, plans, the timetable, refunds and staff are a 404.
The navigation shows only what the role may open."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import UserFactory, staff
from tests.pages import Page
from tests.routes import build, coach_rules, console_rules, fully_sampled
from tests.world import make_world, sample_values

# What the desk may open: the spec of the role, written out so the guards are checked against
# it (the permissions page reads the guards themselves).
DESK_CONSOLE = {
    "bookings_manage.dashboard", "bookings_manage.roster",
    "clients_manage.customers", "clients_manage.customers_csv", "clients_manage.show_customer",
    "clients_manage.update_customer_contact", "clients_manage.create_customer_note",
    "clients_manage.new_customer", "clients_manage.create_customer",
    "billing_manage.orders", "billing_manage.order", "billing_manage.record_payment",
    "billing_manage.invoice_pdf", "billing_manage.invoices", "billing_manage.invoices_csv",
    # acting for a customer: book, cancel, promote, move, a company's group, duplicates merged
    "clients_desk.find_customer", "clients_desk.book", "clients_desk.cancel",
    "clients_desk.promote", "clients_desk.move", "clients_desk.book_group",
    "clients_desk.book_course_group",
    "clients_desk.duplicates", "clients_desk.merge",
    "clients_desk.session_form", "clients_desk.book_session",  # a 1:1 session for them
}
DESK_COACH_AREA = "bookings_coach."  # rosters: check-in, walk-ins, no-shows, pass scans


@pytest.fixture
def desk_world(app, client):
    world = make_world()
    world["desk"] = staff(world["studio"], Role.FRONT_DESK)
    login(client, world["desk"])
    return world


def audit_count(studio) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.studio_id == studio.id))


def test_the_desk_opens_its_console_pages_and_nothing_else(app, client, desk_world):
    values, studio = sample_values(desk_world), desk_world["studio"]
    before = audit_count(studio)
    opened, refused = set(), set()
    for rule in console_rules(app, "GET") + console_rules(app, "POST"):
        for method in sorted(rule.methods & {"GET", "POST"}):
            path = build(rule, values)
            status = client.open(path, method=method, data={}).status_code
            if rule.endpoint in DESK_CONSOLE:
                if method == "GET" and fully_sampled(rule, values):
                    assert status == 200, (rule.rule, status)
                assert status not in (404, 500), (rule.rule, method, status)
                opened.add(rule.endpoint)
            else:
                assert status == 404, (rule.rule, method, status)
                refused.add(rule.endpoint)
    assert opened == DESK_CONSOLE
    assert {"billing_manage.refund_payment", "billing_manage.money_settings",
            "studios_manage.settings_form", "memberships_manage.plans",
            "studios_staff.staff_page", "schedule_manage.series",
            "bookings_manage.cancel_class"} <= refused
    # Nothing the refused requests reached changed anything; the allowed empty forms were
    # refused by their forms (a 422 writes nothing either).
    assert audit_count(studio) == before


def test_the_desk_runs_rosters_in_the_coach_area_but_not_training(app, client, desk_world):
    values = sample_values(desk_world)
    for rule in coach_rules(app, "GET"):
        status = client.get(build(rule, values)).status_code
        if rule.endpoint.startswith(DESK_COACH_AREA):
            assert status == 200, rule.rule
        else:
            assert status == 404, rule.rule
    for rule in coach_rules(app, "POST"):
        if not rule.endpoint.startswith(DESK_COACH_AREA):
            assert client.post(build(rule, values), data={}).status_code == 404, rule.rule


def test_the_desk_checks_a_customer_in(client, desk_world):
    w = desk_world
    path = (f"/coach/{w['studio'].slug}/classes/{w['cls'].id}/bookings/{w['booking'].id}"
            "/check-in")
    assert client.post(path, headers={"HX-Request": "true"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Booking, w["booking"].id).status == BookingStatus.ATTENDED


def test_the_desk_lands_in_the_console_and_sees_only_its_links(client, desk_world):
    studio = desk_world["studio"]
    client.post("/logout")
    response = client.post("/login", data={"email": desk_world["desk"].email,
                                           "password": "secret-pass"})
    assert response.location.endswith(f"/manage/{studio.slug}/")
    page = Page(client.get(f"/manage/{studio.slug}/?lang=en"))
    links = {a.get("href") for a in page.all("nav a")}
    assert {f"/manage/{studio.slug}/customers", f"/manage/{studio.slug}/orders"} <= links
    for hidden in ("settings", "settings/money", "plans", "staff", "series"):
        assert f"/manage/{studio.slug}/{hidden}" not in links
    assert not page.all(".checklist")  # the setup steps are the managers'


def test_a_manager_still_opens_everything_the_desk_cannot(app, client):
    world = make_world()
    login(client, world["owner"])
    values = sample_values(world)
    for rule in console_rules(app, "GET"):
        if fully_sampled(rule, values):
            assert client.get(build(rule, values)).status_code == 200, rule.rule


def test_a_customer_is_not_the_desk(client, desk_world):
    login(client, UserFactory())
    assert client.get(f"/manage/{desk_world['studio'].slug}/customers").status_code == 404
