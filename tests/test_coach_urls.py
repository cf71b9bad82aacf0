"""Coach URLs from before the studio led the path answer a permanent redirect (308: method and
body kept, so a tap a tablet queued offline replays there) to their place under
/coach/<studio>/, only for someone who may see the object; everyone else gets a 404."""

import pytest
from sqlalchemy import func, select

from app.bookings.models import Booking, BookingStatus
from app.clients.models import ClientNote
from app.extensions import db
from app.studios.models import Role
from app.studios.services import grant_role
from tests.conftest import login
from tests.factories import UserFactory
from tests.pages import Page
from tests.world import make_world


def moves(w) -> list[tuple[str, str, str, dict]]:
    """(method, old path, new path, form) for every kind of old coach URL."""
    slug, owner = w["studio"].slug, w["owner"]
    cls, booking, session, day = w["cls"], w["booking"], w["training"], w["day"]
    item = day.items[0]
    return [
        ("GET", f"/coach/classes/{cls.id}/", f"/coach/{slug}/classes/{cls.id}/", {}),
        ("POST", f"/coach/classes/{cls.id}/bookings/{booking.id}/check-in",
         f"/coach/{slug}/classes/{cls.id}/bookings/{booking.id}/check-in", {}),
        ("POST", f"/coach/classes/{cls.id}/scan", f"/coach/{slug}/classes/{cls.id}/scan", {}),
        ("GET", "/coach/clients/?q=a%20b", f"/coach/{slug}/clients/?q=a%20b", {}),
        ("GET", f"/coach/clients/{slug}/{owner.id}", f"/coach/{slug}/clients/{owner.id}", {}),
        ("POST", f"/coach/clients/{slug}/{owner.id}/notes",
         f"/coach/{slug}/clients/{owner.id}/notes", {"body": "Knee"}),
        ("GET", f"/coach/clients/{slug}/{owner.id}/plans",
         f"/coach/{slug}/clients/{owner.id}/plans", {}),
        ("GET", f"/coach/clients/{slug}/{owner.id}/training?page=2",
         f"/coach/{slug}/clients/{owner.id}/training?page=2", {}),
        ("POST", f"/coach/clients/{slug}/{owner.id}/sessions",
         f"/coach/{slug}/clients/{owner.id}/sessions", {}),
        ("GET", f"/coach/sessions/{session.id}/", f"/coach/{slug}/sessions/{session.id}/", {}),
        ("POST", f"/coach/sessions/{session.id}/sets",
         f"/coach/{slug}/sessions/{session.id}/sets", {}),
        ("GET", "/coach/workouts/", f"/coach/{slug}/workouts/", {}),
        ("POST", "/coach/workouts/", f"/coach/{slug}/workouts/", {"studio": slug, "title": "T"}),
        ("GET", f"/coach/workouts/{slug}/{day.id}", f"/coach/{slug}/workouts/{day.id}", {}),
        ("POST", f"/coach/workouts/{slug}/{day.id}/exercises/{item.id}/rest",
         f"/coach/{slug}/workouts/{day.id}/exercises/{item.id}/rest", {}),
        ("GET", f"/coach/plans/{slug}/{day.plan_id}", f"/coach/{slug}/plans/{day.plan_id}", {}),
        ("POST", f"/coach/plans/{slug}/{day.plan_id}/archive",
         f"/coach/{slug}/plans/{day.plan_id}/archive", {}),
        ("GET", "/coach/exercises/?muscle=core", f"/coach/{slug}/exercises/?muscle=core", {}),
        ("POST", "/coach/exercises/", f"/coach/{slug}/exercises/", {"studio": slug}),
    ]


@pytest.fixture
def worlds(app):
    return make_world(), make_world()


def test_every_old_coach_url_redirects_permanently_to_its_studio(client, worlds):
    a, _b = worlds
    login(client, a["owner"])
    for method, old, new, form in moves(a):
        response = client.open(old, method=method, data=form)
        assert (response.status_code, response.headers.get("Location")) == (308, new), old
        # The new URL is a real page or action of the coach area (never a 404 or a loop).
        if method == "GET":
            assert client.get(new).status_code == 200, new


def replay(client, url, **request):
    """POST as a browser's fetch does: the 308's Location gets the same method, body, headers
    (the e2e test shows Chromium doing it; Werkzeug's test client drops a consumed body)."""
    moved = client.post(url, **request)
    assert moved.status_code == 308, url
    return client.post(moved.headers["Location"], **request)


def test_a_post_to_an_old_url_lands_once_with_its_body(client, worlds):
    a, _b = worlds
    login(client, a["owner"])
    slug, cls, booking = a["studio"].slug, a["cls"], a["booking"]
    key = {"Idempotency-Key": "queued-tap-0000001", "HX-Request": "true"}
    url = f"/coach/classes/{cls.id}/bookings/{booking.id}/check-in"
    for _replay in range(2):  # a lost answer: the queue sends the same tap again
        response = replay(client, url, headers=key)
        assert response.status_code == 200 and "already" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.ATTENDED
    note = replay(client, f"/coach/clients/{slug}/{a['owner'].id}/notes", data={"body": "Knee"})
    assert note.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(ClientNote)
                             .where(ClientNote.body == "Knee")) == 1


def test_old_urls_of_another_studio_are_404_and_never_say_where_it_lives(client, worlds):
    a, b = worlds
    login(client, a["owner"])
    for method, old, _new, form in moves(b):
        if old.split("?")[0] in ("/coach/clients/", "/coach/workouts/", "/coach/exercises/") \
                and method == "GET":
            continue  # the lists: the coach's own first studio (A's), checked above
        response = client.open(old, method=method, data=form)
        assert response.status_code == 404, (method, old)
        assert b["studio"].slug not in (response.headers.get("Location") or "")


def test_customers_get_404_and_visitors_sign_in(app, client, worlds):
    a, _b = worlds
    login(client, UserFactory())
    for method, old, _new, form in moves(a):
        assert client.open(old, method=method, data=form).status_code == 404, (method, old)
    anonymous = app.test_client()
    for method, old, _new, form in moves(a):
        response = anonymous.open(old, method=method, data=form)
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_the_coach_nav_follows_the_studio_and_switches_between_studios(client, worlds):
    a, b = worlds
    login(client, a["owner"])
    alone = Page(client.get(f"/coach/{a['studio'].slug}/workouts/"))
    assert f"/coach/{a['studio'].slug}/clients/" in [e.get("href") for e in alone.all(".topnav a")]
    assert not alone.all(".studio-switch")  # one studio: nothing to switch

    grant_role(b["studio"], a["owner"], Role.TRAINER)
    db.session.commit()
    slug_b = b["studio"].slug
    page = Page(client.get(f"/coach/{slug_b}/workouts/"))
    nav = [e.get("href") for e in page.all(".topnav > a")]
    assert [f"/coach/{slug_b}/{p}/" for p in ("clients", "workouts", "exercises")] == nav[1:4]
    switch = {e.get("href") for e in page.all(".studio-switch a")}
    assert switch == {f"/coach/{w['studio'].slug}/workouts/" for w in (a, b)}
    assert page.one(".studio-switch a[aria-current]").get("href") == f"/coach/{slug_b}/workouts/"
    # The cross-studio day links the lists of one of the coach's studios.
    today = [e.get("href") for e in Page(client.get("/coach/")).all(".topnav > a")]
    assert today[0] == "/coach/" and today[1] in {f"/coach/{w['studio'].slug}/clients/"
                                                   for w in (a, b)}
