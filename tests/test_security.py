"""Security properties checked over the whole URL map, so a new route is covered the day it lands:
strict CSP, CSRF on every unsafe method, tenancy (another studio's ids are 404), page shell."""

import json
import re

import pytest
from redis import Redis
from sqlalchemy import func, select

from app.accounts.services.links import issue_link
from app.billing.models import Payment
from app.bookings import services
from app.bookings.models import Booking, BookingStatus
from app.extensions import csrf as csrf_extension
from app.extensions import db
from app.notifications.models import MessageText
from app.schedule.models import ClassType, ScheduledClass, Series
from app.studios.models import Invitation, Location, Role, Room, StaffRole
from app.studios.services import ensure_customer, operating, places
from tests.conftest import login
from tests.factories import (
    ClassFactory,
    ClassTypeFactory,
    StudioFactory,
    UserFactory,
    paid_order,
    staff,
)
from tests.pages import Page, csrf_token
from tests.routes import build, coach_rules, console_rules, fully_sampled, numeric_arg
from tests.world import make_world, sample_values, weekly_series

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Views deliberately without CSRF (e.g. a signed payment webhook) go here, with the reason.
# Stripe's webhook: signed by Stripe (verified in the view), it cannot carry our token. Listed by
# endpoint (the sweep) and by view location (what flask-wtf records).
# One-click unsubscribe (RFC 8058): a mail client POSTs the signed link, without our token.
CSRF_EXEMPT: set[str] = {"billing_webhooks.stripe_webhook",
                         "app.billing.stripe.webhooks.stripe_webhook",
                         "notifications.unsubscribe", "app.notifications.views.unsubscribe"}
CSRF_MESSAGE = "Your session expired or the form was sent twice."

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=|javascript:", re.I)


def csp_directives(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: " ".join(d.split()[1:]) for d in header.split(";") if d.strip()}


def sign_in_with_token(client, user):
    token = csrf_token(client.get("/login"))
    response = client.post("/login", data={"email": user.email, "password": "secret-pass",
                                           "csrf_token": token})
    assert response.status_code == 303


# --- CSP --------------------------------------------------------------------------------------


def assert_strict_csp(response, path):
    header = response.headers.get("Content-Security-Policy", "")
    directives = csp_directives(response)
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, path
    assert directives.get("default-src") == "'self'", path
    assert directives.get("script-src") == "'self'", path
    assert directives.get("style-src") == "'self'", path
    assert directives.get("object-src") == "'none'", path
    assert directives.get("frame-ancestors") == "'none'", path
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path


# --- CSRF -------------------------------------------------------------------------------------


def unsafe_routes(app):
    return [(rule, method) for rule in app.url_map.iter_rules()
            for method in sorted(rule.methods & UNSAFE) if rule.endpoint not in CSRF_EXEMPT]


def test_no_view_is_exempt_from_csrf_without_being_listed(app):
    """Views register exemptions when imported, i.e. once the app exists."""
    assert csrf_extension._exempt_views <= CSRF_EXEMPT
    assert not csrf_extension._exempt_blueprints


@pytest.mark.parametrize("persona", ["anonymous", "owner"])
def test_every_unsafe_route_refuses_a_request_without_csrf_token(app, client, csrf, world,
                                                                 persona):
    owner, studio, cls = world["owner"], world["studio"], world["cls"]
    if persona == "owner":
        sign_in_with_token(client, owner)
    values = sample_values(world)
    # A form that would pass validation everywhere: only the missing token can stop it.
    form = {"email": owner.email, "password": "secret-pass", "confirm": "secret-pass",
            "name": "Changed", "name_en": "Changed", "timezone": "Asia/Riyadh", "locale": "ar",
            "booking_opens_days": "1", "booking_closes_minutes": "1",
            "cancel_cutoff_minutes": "1", "waitlist_mode": "claim", "offer_hold_minutes": "5",
            "default_language": "ar"}
    routes = unsafe_routes(app)
    assert {"accounts.login", "accounts.logout", "bookings.book_class",
            "bookings.cancel_booking", "bookings_manage.cancel_class",
            "studios_manage.update_settings"} <= {rule.endpoint for rule, _ in routes}
    before = (owner.password_hash, studio.booking_opens_days, studio.default_language)

    wrong = []
    for rule, method in routes:
        for headers in ({}, {"HX-Request": "true"}):
            path = build(rule, values)
            response = client.open(path, method=method, data=form, headers=headers)
            body = response.get_data(as_text=True)
            if response.status_code != 400 or CSRF_MESSAGE not in body:
                wrong.append((method, path, headers, response.status_code))

    assert wrong == []
    db.session.expire_all()
    assert (owner.password_hash, studio.booking_opens_days, studio.default_language) == before
    assert db.session.get(Booking, world["booking"].id).status == BookingStatus.CONFIRMED
    assert not db.session.get(ScheduledClass, cls.id).is_cancelled
    assert db.session.scalar(select(func.count()).select_from(ClassType)
                             .where(ClassType.studio_id == studio.id)) == 1
    if persona == "owner":  # the refused logout did not sign them out
        assert client.get("/me/bookings").status_code == 200


def test_with_the_pages_token_the_same_requests_work(client, csrf, world):
    """Positive control for the sweep: htmx's header and a form's field both carry the token."""
    owner, cls = world["owner"], world["cls"]
    sign_in_with_token(client, owner)
    page = client.get(f"/s/{world['studio'].slug}/classes/{cls.id}")
    token = csrf_token(page)
    body_headers = json.loads(Page(page).one("body").get("hx-headers"))
    assert body_headers == {"X-CSRFToken": token}

    cancel = f"/s/{world['studio'].slug}/classes/{cls.id}/bookings/{world['booking'].id}/cancel"
    response = client.post(cancel, headers={"HX-Request": "true", **body_headers})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Booking, world["booking"].id).status != BookingStatus.CONFIRMED
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303


# --- tenancy ----------------------------------------------------------------------------------


@pytest.fixture
def two_studios(app, client):
    """An admin of studio A signed in; studio B with a class, a type and a booking."""
    a, b = StudioFactory(), StudioFactory()
    admin = staff(a, Role.STUDIO_ADMIN)
    a_type, b_type = ClassTypeFactory(studio=a), ClassTypeFactory(studio=b)
    a_cls = ClassFactory(studio=a, class_type_id=a_type.id)
    b_cls = ClassFactory(studio=b, class_type_id=b_type.id)
    a_room, b_room = (places.add_room(s, s.default_location, actor=admin, name={"en": "Hall"},
                                      capacity=9) for s in (a, b))
    b_booking = services.book_class(b, b_cls, admin, actor=admin)  # even their own booking
    a_order, a_payment, a_invoice = paid_order(a, admin, rendered=True)
    b_order, b_payment, b_invoice = paid_order(b, admin, rendered=True)
    a_series, b_series = weekly_series(a, a_type), weekly_series(b, b_type)
    a_customer, b_customer = UserFactory(), UserFactory()
    ensure_customer(a, a_customer)
    ensure_customer(b, b_customer)
    a_member = db.session.scalar(select(StaffRole).where(StaffRole.user_id == admin.id))
    b_coach = staff(b, Role.TRAINER)
    b_member = db.session.scalar(select(StaffRole).where(StaffRole.user_id == b_coach.id))
    a_invitation, b_invitation = (operating.invite(s, "new@example.com", Role.TRAINER, actor=None)
                                  for s in (a, b))
    login(client, admin)
    return dict(a=a, b=b, admin=admin, a_member=a_member, b_member=b_member,
                a_invitation=a_invitation, b_invitation=b_invitation, a_type=a_type,
                b_type=b_type, a_cls=a_cls, b_cls=b_cls,
                a_room=a_room, b_room=b_room,
                a_series=a_series, b_series=b_series,
                a_customer=a_customer, b_customer=b_customer,
                b_booking=b_booking, a_order=a_order, a_payment=a_payment, a_invoice=a_invoice,
                b_order=b_order, b_payment=b_payment, b_invoice=b_invoice)


def studio_ids(t, studio: str, ids: str) -> dict:
    """Route values: `studio`'s slug with the ids of the objects of studio `ids`."""
    values = {"studio": t[studio].slug, "class_id": t[f"{ids}_cls"].id,
              "type_id": t[f"{ids}_type"].id, "plan_id": t[f"{ids}_order"].plan_id,
              "order_id": t[f"{ids}_order"].id, "payment_id": t[f"{ids}_payment"].id,
              "invoice_id": t[f"{ids}_invoice"].id, "series_id": t[f"{ids}_series"].id,
              "location_id": t[ids].default_location_id, "room_id": t[f"{ids}_room"].id,
              "customer_id": t[f"{ids}_customer"].id, "member_id": t[f"{ids}_member"].id,
              "invitation_id": t[f"{ids}_invitation"].id}
    if ids == "b":
        values["booking_id"] = t["b_booking"].id
    return values


def test_a_studio_admin_sees_nothing_of_another_studios_console(app, client, two_studios):
    t = two_studios
    rules = console_rules(app, "GET")
    assert len(rules) >= 6
    own, theirs = studio_ids(t, "a", "a"), studio_ids(t, "b", "b")
    # Their own console, someone else's ids: only the scoped loaders stand in the way.
    smuggled = studio_ids(t, "a", "b")

    for rule in rules:
        if fully_sampled(rule, own):  # positive control
            assert client.get(build(rule, own)).status_code == 200, rule.rule
        assert client.get(build(rule, theirs)).status_code == 404, rule.rule
        if set(rule.arguments) - {"studio"}:
            assert client.get(build(rule, smuggled)).status_code == 404, rule.rule


def test_a_studio_admin_cannot_change_another_studio(app, client, two_studios):
    t = two_studios
    b = t["b"]
    before = (b.booking_opens_days, b.cancel_cutoff_minutes)
    theirs = studio_ids(t, "b", "b")
    data = {"name_en": "Hijacked", "booking_opens_days": "1", "booking_closes_minutes": "0",
            "cancel_cutoff_minutes": "0", "waitlist_mode": "claim", "offer_hold_minutes": "5",
            "default_language": "ar", "duration_minutes": "60", "color": "#000000",
            "kind": "class_pack", "price": "1.00", "credits": "1", "validity_start": "purchase",
            "amount": "1.00", "method": "cash", f"refund-{t['b_payment'].id}-amount": "1.00",
            "invoice_prefix": "HIJACK", "timezone": "Asia/Riyadh", "tax_jurisdiction": "SA",
            "currency": "SAR", "capacity": "5", "name_ar": "مخترق",
            f"room-{t['b_room'].id}-name_en": "Hijacked", f"room-{t['b_room'].id}-capacity": "5",
            "weekdays": "1", "start_time": "06:00", "day": "2030-01-07", "last_day": "2030-01-07",
            "class_type_id": str(t["a_type"].id), "location_id": str(t["a"].default_location_id),
            "en-subject": "Hijacked", "en-body": "Hijacked"}
    b_places = (len(b.locations), b.default_location.timezone, t["b_room"].capacity)

    smuggled = studio_ids(t, "a", "b")

    for rule in console_rules(app, "POST"):
        assert client.post(build(rule, theirs), data=data).status_code == 404, rule.rule
        if set(rule.arguments) - {"studio"}:
            assert client.post(build(rule, smuggled), data=data).status_code == 404, rule.rule

    db.session.expire_all()
    assert (b.booking_opens_days, b.cancel_cutoff_minutes) == before
    assert not db.session.get(ScheduledClass, t["b_cls"].id).is_cancelled
    assert db.session.get(ClassType, t["b_type"].id).name.get("en") != "Hijacked"
    assert db.session.get(Payment, t["b_payment"].id).refunded_minor == 0
    assert b.invoice_prefix != "HIJACK"
    assert b.name.get("en") != "Hijacked"
    b_room = db.session.get(Room, t["b_room"].id)
    assert (db.session.scalar(select(func.count()).select_from(Location)
                              .where(Location.studio_id == b.id)),
            b.default_location.timezone, b_room.capacity) == b_places
    assert b_room.archived_at is None and b.default_location.archived_at is None
    assert db.session.scalar(select(func.count()).select_from(Series)
                             .where(Series.studio_id == b.id)) == 1
    series = db.session.get(Series, t["b_series"].id)
    assert (series.capacity, series.weekdays, series.ends_on) == (8, "7", None)
    assert db.session.get(ScheduledClass, t["b_cls"].id).capacity == t["b_cls"].capacity
    assert db.session.get(StaffRole, t["b_member"].id).role == Role.TRAINER
    assert db.session.get(Invitation, t["b_invitation"].id).cancelled_at is None
    assert db.session.scalar(select(func.count()).select_from(MessageText)
                             .where(MessageText.studio_id == b.id)) == 0


def test_a_class_is_only_found_under_its_own_studio(client, two_studios):
    t = two_studios
    a, b, a_cls, b_cls = t["a"], t["b"], t["a_cls"], t["b_cls"]
    assert client.get(f"/s/{a.slug}/classes/{a_cls.id}").status_code == 200
    assert client.get(f"/s/{b.slug}/classes/{a_cls.id}").status_code == 404
    assert client.get(f"/s/{a.slug}/classes/{b_cls.id}").status_code == 404
    assert client.post(f"/s/{b.slug}/classes/{a_cls.id}/book").status_code == 404
    booking = t["b_booking"]
    # Their own booking in B, addressed through A's slug, does not exist either.
    assert client.post(f"/s/{a.slug}/classes/{b_cls.id}/bookings/{booking.id}/cancel"
                       ).status_code == 404
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED
    assert db.session.scalar(select(func.count()).select_from(Booking)
                             .where(Booking.class_id == a_cls.id)) == 0


def coach_snapshot(world) -> tuple:
    """What a coach could change in a world's studio: attendance, notes, workouts, sessions."""
    from app.clients.models import ClientNote
    from app.training.models import LoggedSet, TrainingPlan, Workout, WorkoutExercise

    db.session.expire_all()
    studio_id = world["studio"].id
    counts = tuple(db.session.scalar(select(func.count()).select_from(model)
                                     .where(model.studio_id == studio_id))
                   for model in (ClientNote, LoggedSet, Workout, TrainingPlan))
    return (counts, db.session.get(Booking, world["booking"].id).status,
            db.session.scalar(select(func.count()).select_from(WorkoutExercise)
                              .where(WorkoutExercise.workout_id == world["day"].id)),
            db.session.get(type(world["day"]), world["day"].id).title,
            world["training"].finished_at)


def test_a_coach_sees_and_changes_nothing_of_another_studios_coach_area(app, client):
    """Every /coach/<studio> route: another studio's slug and ids, and this studio's slug with
    another studio's ids, are 404 for GET and POST alike; this studio's pages are there."""
    a, b = make_world(), make_world()
    for world in (a, b):  # the coach's own hours page is there only where the studio allows it
        world["studio"].coaches_set_own_hours = True
    login(client, a["owner"])
    own, theirs = sample_values(a), sample_values(b)
    smuggled = {**theirs, "studio": a["studio"].slug}
    before = coach_snapshot(b)
    rules = coach_rules(app, "GET") + coach_rules(app, "POST")
    assert len(rules) >= 35
    for rule in coach_rules(app, "GET"):
        if fully_sampled(rule, own):  # positive control
            assert client.get(build(rule, own)).status_code == 200, rule.rule
    form = {"body": "x", "title": "Hijacked", "reps": "5", "load": "5", "weeks": "1",
            "days_per_week": "1", "exercise": str(b["day"].items[0].exercise_id),
            "exercise_id": str(b["day"].items[0].exercise_id), "rest_seconds": "1",
            "name_en": "Hijacked", "muscle_group": "core", "equipment": "band", "code": "000000",
            "email": b["owner"].email, "template_id": str(b["day"].id)}
    for rule in rules:
        for method in sorted(rule.methods & {"GET", "POST"}):
            for values in (theirs, smuggled):
                if values is smuggled and not set(rule.arguments) - {"studio"}:
                    continue  # a list: its own studio's, under its own slug
                path = build(rule, values)
                response = client.open(path, method=method, data=form)
                assert response.status_code == 404, (method, path)
    assert coach_snapshot(b) == before


# --- every page: CSP, shell, no inline code ---------------------------------------------------


def crawl(app, client, values, verify_token, email_token):
    """GET every route (plus an unknown page and a wrong method): (is a real route, path,
    answer)."""
    from app.notifications.services.preferences import read_unsubscribe_token, unsubscribe_url

    tokens = {"accounts.verify_email": verify_token,
              "accounts.email_change_confirm_form": email_token}
    with app.test_request_context():  # a signed link, as the e-mail carries
        tokens["notifications.unsubscribe"] = unsubscribe_url(
            type("Someone", (), {"id": 1})(), "news").rsplit("/", 1)[1]
        assert read_unsubscribe_token(tokens["notifications.unsubscribe"]) == (1, "news")
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            token = tokens.get(rule.endpoint) or values["token"]
            path = build(rule, {**values, "token": token})
            yield fully_sampled(rule, values), path, client.get(path)
    for path in ("/no/such/page", "/logout"):
        yield False, path, client.get(path)


@pytest.mark.parametrize("lang, direction", [("en", "ltr"), ("ar", "rtl")])
@pytest.mark.parametrize("persona", ["anonymous", "owner"])
def test_every_page_has_strict_csp_the_shell_and_no_inline_code(app, client, world, lang,
                                                                direction, persona):
    world["studio"].coaches_set_own_hours = True  # so the coach's hours page is there too
    if persona == "owner":
        login(client, world["owner"])
    client.get(f"/?lang={lang}")  # the choice is remembered in a cookie
    values = sample_values(world, lang)
    html_pages = 0

    for real, path, response in crawl(app, client, values,
                                      issue_link(world["owner"], "verify"),
                                      issue_link(world["owner"], "email", "new@example.com")):
        assert response.status_code < (400 if real and persona == "owner" else 500), path
        assert_strict_csp(response, path)
        if response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        if response.status_code in (301, 302, 303, 307, 308):
            continue
        html_pages += 1
        page = Page(body)
        html = page.one("html")
        assert (html.get("lang"), html.get("dir")) == (lang, direction), path
        token = page.one('meta[name="csrf-token"]').get("content")
        assert token and len(token) > 20, path
        assert not INLINE_SCRIPT.search(body), path
        assert not INLINE_STYLE.search(body), path
        assert not INLINE_HANDLER.search(body), path

    assert html_pages >= (15 if persona == "owner" else 8)


def test_csrf_error_page_also_has_the_shell(client, csrf):
    response = client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert response.status_code == 400
    assert_strict_csp(response, "/login")
    page = Page(response)
    assert page.all('meta[name="csrf-token"]') and page.one("html").get("dir") == "ltr"
    assert CSRF_MESSAGE in page.text("main")


# --- health -----------------------------------------------------------------------------------


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_healthz_says_what_is_down(app, client, monkeypatch):
    monkeypatch.setitem(app.extensions, "fitflow_redis", Redis.from_url("redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded" and body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")



# --- hostile input: 4xx with a message, never a 500 -------------------------------------------

HOSTILE = ["a\x00b", "x" * 5000, "²", "٣", "-1", "99999999999999999999", "\u202eevil", "",
           "sNaN", "NaN", "0001-01-01", "9999-12-31", "9999-12-31T23:59"]


def assert_answered_with_a_message(response, where):
    assert response.status_code < 500, where
    if response.status_code >= 400 and response.mimetype == "text/html":
        page = Page(response)
        shown = (page.all(".field-error") + page.all("[role=alert]") + page.all("main .alert")
                 + page.all(".error-page h1"))
        assert shown and all(e.text and e.text.strip() for e in shown), where


@pytest.mark.parametrize("persona", ["anonymous", "owner"])
def test_hostile_path_segments_never_cause_a_500(app, client, world, persona):
    if persona == "owner":
        login(client, world["owner"])
    segments = {"studio": ["%00", "x" * 300, "%C2%B2", world["studio"].slug],
                "class_id": ["0", "2147483648", "99999999999999999999", str(world["cls"].id)],
                "type_id": ["0", "99999999999999999999"], "booking_id": ["0", "2147483648"],
                "plan_id": ["0", "2147483648"], "order_id": ["0", "2147483648"],
                "payment_id": ["0", "2147483648"], "invoice_id": ["0", "2147483648"],
                "pass_id": ["0", "2147483648"], "customer_id": ["0", "2147483648"],
                "token": ["%00", "abc", "x" * 3000], "lang": ["%00", "zz"],
                "filename": ["%00", "../../etc/passwd"]}
    query = "?week=%00&location=%00&type=-1&coach=1e5&lang=%00&next=%00&confirm=cancel"
    for rule in app.url_map.iter_rules():
        for name in set(rule.arguments) - set(rule.defaults or {}):
            for bad in segments.get(name, segments["class_id" if numeric_arg(rule, name)
                                                   else "token"]):
                mark = "987654321" if numeric_arg(rule, name) else "__BAD__"
                path = build(rule, {**sample_values(world), name: mark}).replace(mark, bad)
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    for suffix in ("", query):
                        response = client.open(path + suffix, method=method,
                                               headers={"HX-Request": "true"})
                        assert_answered_with_a_message(response, (method, path + suffix))


def valid_forms(world) -> dict[str, dict]:
    studio, cls = world["studio"], world["cls"]
    return {
        "/signup": {"name": "Nora", "email": "nora@example.com", "password": "long-enough"},
        "/login": {"email": world["owner"].email, "password": "secret-pass"},
        "/reset": {"email": world["owner"].email},
        "/password/strength": {"password": "palm-club-2026", "name": "Nora",
                               "email": "nora@example.com"},
        "/me/profile": {"name": "Nora", "locale": "ar", "timezone": "Asia/Riyadh"},
        f"/manage/{studio.slug}/class-types": {
            "name_en": "Spin", "name_ar": "دراجات", "description_en": "Ride.",
            "description_ar": "", "duration_minutes": "45", "color": "#123456"},
        f"/manage/{studio.slug}/series": {
            "class_type_id": str(world["class_type"].id),
            "location_id": str(studio.default_location_id), "coach_id": "0", "weekdays": "1",
            "start_time": "07:00", "duration_minutes": "60", "capacity": "5",
            "starts_on": "2030-01-07", "ends_on": "2030-01-14"},
        f"/manage/{studio.slug}/settings": {
            "booking_opens_days": "7", "booking_closes_minutes": "0",
            "cancel_cutoff_minutes": "60", "waitlist_mode": "auto", "offer_hold_minutes": "10",
            "default_language": "en", "first_weekday": "1"},
        f"/s/{studio.slug}/classes/{cls.id}/book": {},
        f"/manage/{studio.slug}/plans": {
            "kind": "class_pack", "name_en": "Pack", "name_ar": "باقة", "price": "150.00",
            "credits": "10", "validity_days": "90", "validity_start": "purchase",
            "classes_per_week": "2", "class_type_ids": str(world["class_type"].id),
            "active": "y"},
        f"/manage/{studio.slug}/settings/money": {
            "booking_requires_pass": "y", "invoice_prefix": "INV", "tax_jurisdiction": "CA-ON",
            "tax_numbers-0-label": "HST", "tax_numbers-0-value": "123456789RT0001",
            "late_cancel_fee": "0", "no_show_fee": "0"},
        f"/manage/{studio.slug}/orders/{world['order'].id}/payments": {
            "amount": "1.00", "method": "cash", "reference": "desk"},
        f"/manage/{studio.slug}/payments/{world['payment'].id}/refunds": {
            f"refund-{world['payment'].id}-amount": "1.00",
            f"refund-{world['payment'].id}-reason": "moved"},
        f"/coach/{studio.slug}/clients/{world['owner'].id}/plans": {
            "title": "Block", "weeks": "4", "days_per_week": "3"},
        f"/coach/{studio.slug}/workouts/{world['day'].id}/exercises/{world['day'].items[0].id}"
        f"/sets/{world['day'].items[0].sets[0].id}": {"reps": "8", "load": "60.5"},
        f"/coach/{studio.slug}/workouts/{world['day'].id}/exercises/{world['day'].items[0].id}"
        "/rest": {"rest_seconds": "90"},
        f"/coach/{studio.slug}/workouts/{world['day'].id}/title": {"title": "Heavy"},
        f"/manage/{studio.slug}/sessions/coaches/{world['owner'].id}/hours": {
            "weekday": "2", "location_id": str(studio.default_location_id), "starts": "07:00",
            "ends": "09:00", "on_date": "2030-01-08"},
        f"/manage/{studio.slug}/sessions/coaches/{world['owner'].id}/time-off": {
            "starts": "2030-01-08T07:00", "ends": "2030-01-08T09:00", "reason": "away"},
        f"/manage/{studio.slug}/customers/new": {"name": "Nora", "phone": "0551234567",
                                                 "email": "nora.desk@example.com"},
        f"/manage/{studio.slug}/customers/{world['owner'].id}/contact": {
            "phone": "0551234567", "emergency_contact": "Omar", "birth_date": "1990-01-02",
            "tags": "vip, morning"},
        f"/s/{studio.slug}/coaches/{world['owner'].id}/sessions": {
            "type": str(world["appointment"].session_type_id),
            "slot": "2030-01-08T07:00:00+00:00", "day": "2030-01-08"},
    }


def test_one_hostile_field_in_an_otherwise_valid_form_never_causes_a_500(app, world):
    for path, form in valid_forms(world).items():
        client = app.test_client()
        for field in list(form) + ["next"]:
            for bad in HOSTILE:
                if path in ("/signup", "/login") or not client.get_cookie("session"):
                    login(client, world["owner"])  # the last answer may have changed who it is
                for headers in ({}, {"HX-Request": "true"}):
                    response = client.post(path, data={**form, field: bad}, headers=headers)
                    where = (path, field, bad[:12], headers)
                    assert_answered_with_a_message(response, where)
                    if "\x00" in bad:
                        assert response.status_code == 400, where


def test_hostile_slot_picker_queries_never_cause_a_500(app, client, world):
    """The 1:1 slot picker reads its type, day and chosen slot from the query string."""
    picker = f"/s/{world['studio'].slug}/coaches/{world['owner'].id}/sessions"
    query = {"type": str(world["appointment"].session_type_id), "day": "2030-01-08",
             "slot": "2030-01-08T07:00:00+00:00"}
    for field in query:
        for bad in HOSTILE:
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(picker, query_string={**query, field: bad},
                                      headers=headers)
                assert_answered_with_a_message(response, (field, bad[:12], headers))
