"""After signing in each person lands where their work is, and the header shows the consoles
they have (issue: everyone landed on the customer home, the operator had no link at all)."""

import pytest

from app.extensions import db
from app.studios.models import Role, StaffRole
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page


def _landing(client, user, next_=None):
    response = client.post("/login" + (f"?next={next_}" if next_ else ""),
                           data={"email": user.email, "password": "secret-pass"})
    assert response.status_code == 303
    return response.headers["Location"]


def test_the_operator_lands_in_the_operator_console(client):
    assert _landing(client, UserFactory(is_operator=True)) == "/operator/"


def test_a_studio_admin_lands_in_their_studios_console(client):
    studio = StudioFactory()
    assert _landing(client, staff(studio, Role.STUDIO_ADMIN)) == f"/manage/{studio.slug}/"


def test_an_owner_of_several_studios_lands_on_the_list_of_them(client):
    one, two = StudioFactory(), StudioFactory()
    owner = staff(one, Role.OWNER)
    db.session.add(StaffRole(studio_id=two.id, user_id=owner.id, role=Role.OWNER))
    db.session.flush()
    assert _landing(client, owner) == "/manage/"
    page = Page(client.get("/manage/"))
    links = {a.get("href") for a in page.all("main a")}
    assert {f"/manage/{one.slug}/", f"/manage/{two.slug}/"} <= links


def test_a_coach_lands_on_their_day(client):
    assert _landing(client, staff(StudioFactory(), Role.TRAINER)) == "/coach/"


def test_a_customer_lands_where_they_were_going_or_home(client, app):
    customer = UserFactory()
    assert _landing(client, customer) == "/"
    assert _landing(app.test_client(), customer, "/me/wallet") == "/me/wallet"


def test_a_customer_has_no_staff_list_and_no_coach_area(client):
    login(client, UserFactory())
    assert client.get("/manage/").status_code == 404
    assert client.get("/coach/").status_code == 404


@pytest.mark.parametrize("lang, labels", [("en", ("Manage", "Coach", "Operator")),
                                          ("ar", ("الإدارة", "المدرب", "المشغّل"))])
def test_the_header_shows_each_console_a_person_has(client, lang, labels):
    studio = StudioFactory()
    login(client, staff(studio, Role.OWNER, is_operator=True))
    page = Page(client.get(f"/?lang={lang}"))
    header = {a.text.strip(): a.get("href") for a in page.all("header.topbar a")}
    manage, coach, operator = labels
    assert header.get(manage) == f"/manage/{studio.slug}/"
    assert header.get(coach) == "/coach/"
    assert header.get(operator) == "/operator/"


def test_a_customer_sees_no_console_in_the_header(client):
    login(client, UserFactory())
    page = Page(client.get("/"))
    hrefs = {a.get("href") for a in page.all("header.topbar a")}
    assert not {h for h in hrefs if h and h.startswith(("/manage", "/coach", "/operator"))}
