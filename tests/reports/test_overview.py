"""The owner's overview on /manage/: studios side by side for last month (or dates chosen),
every figure checked, only studios whose reports the reader may see, each linking into its
reports for that period."""

from datetime import UTC, datetime, timedelta

import pytest

from app.bookings.models import BookingStatus
from app.extensions import db
from app.memberships.models import PlanKind
from app.schedule.queries import local_today
from app.studios.models import Role, StaffRole
from tests.conftest import login
from tests.factories import ClassTypeFactory, PlanFactory, StudioFactory, UserFactory, staff
from tests.pages import Page, text_of
from tests.reports.test_reports import _book, _class, _order

S = BookingStatus


def _last_month(tz):
    first = local_today(tz).replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


def _at(day, hour=9):
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def studios(app):
    riyadh = StudioFactory(slug="riy", name={"en": "Riyadh Fit", "ar": "رياض فت"},
                           location__timezone="Asia/Riyadh", location__currency="SAR",
                           location__tax_jurisdiction="SA")
    owner = staff(riyadh, Role.OWNER, name="Owner")
    toronto = StudioFactory(slug="tor", name={"en": "Toronto Fit", "ar": "تورنتو فت"})
    desk_only = StudioFactory(slug="desky", name={"en": "Desk Only", "ar": "مكتب"})
    for studio, role in ((toronto, Role.OWNER), (desk_only, Role.FRONT_DESK)):
        db.session.add(StaffRole(studio_id=studio.id, user_id=owner.id, role=role))
    start, end = _last_month("Asia/Riyadh")
    mid = start + timedelta(days=14)
    c1, c2, c3, c4, d1 = (UserFactory() for _ in range(5))
    yoga = ClassTypeFactory(studio=riyadh)
    before = _class(riyadh, yoga, _at(start - timedelta(days=40)), capacity=4)
    _book(before, c1, S.ATTENDED)  # c1 is no new customer last month
    held = _class(riyadh, yoga, _at(mid), capacity=4)
    _book(held, c1, S.ATTENDED)
    _book(held, c2, S.NO_SHOW)
    _book(held, c3, S.CONFIRMED)
    _book(held, c4, S.CANCELLED)
    drop_in = PlanFactory(studio=riyadh, kind=PlanKind.DROP_IN, currency="SAR")
    _order(riyadh, drop_in, c1, riyadh.default_location, net=10000, tax=1500, code="VAT",
           rate="15", paid_at=_at(mid))
    spin = ClassTypeFactory(studio=toronto)
    _book(_class(toronto, spin, _at(mid, 15), capacity=2), d1, S.ATTENDED)
    pack = PlanFactory(studio=toronto, currency="CAD")
    _order(toronto, pack, d1, toronto.default_location, net=20000, tax=2600, code="HST",
           rate="13", paid_at=_at(mid))
    _order(toronto, pack, d1, toronto.default_location, net=20000, tax=2600, code="HST",
           rate="13", paid_at=_at(end + timedelta(days=2)))  # this month
    # Another owner's studio, busy last month: never shown.
    other = StudioFactory(slug="other")
    _book(_class(other, ClassTypeFactory(studio=other), _at(mid), capacity=3), c2, S.ATTENDED)
    db.session.flush()
    return {"owner": owner, "start": start, "end": end}


def _grid(page) -> dict:
    heads = [text_of(th) for th in page.all("#table-overview thead th")]
    rows = {}
    for tr in page.all("#table-overview tbody tr"):
        label, *cells = (text_of(cell) for cell in tr)
        rows[label] = dict(zip(heads, cells, strict=True))
    return rows


def test_last_month_side_by_side(client, studios):
    login(client, studios["owner"])
    response = client.get("/manage/", query_string={"period": "last_month"})
    assert response.status_code == 200
    page = Page(response)
    grid = _grid(page)
    assert [text_of(th) for th in page.all("#table-overview thead th")] == [
        "Riyadh Fit", "Toronto Fit"]
    assert grid["Bookings"] == {"Riyadh Fit": "3", "Toronto Fit": "1"}
    assert grid["Check-ins"] == {"Riyadh Fit": "1", "Toronto Fit": "1"}
    assert grid["Fill rate"] == {"Riyadh Fit": "75.0%", "Toronto Fit": "50.0%"}
    assert grid["Net sales (CAD)"] == {"Riyadh Fit": "–", "Toronto Fit": "CA$200.00"}
    assert grid["Net sales (SAR)"] == {"Riyadh Fit": "SAR 100.00", "Toronto Fit": "–"}
    assert grid["New customers"] == {"Riyadh Fit": "2", "Toronto Fit": "1"}
    period = f"start={studios['start'].isoformat()}&end={studios['end'].isoformat()}"
    revenue = page.one('a[data-revenue="riy"]').get("href")
    assert revenue == f"/manage/riy/reports?{period}#report-revenue"
    # The desk-only studio is listed to open, not in the figures.
    assert "/manage/desky/" in {a.get("href") for a in page.all("main a")}


def test_custom_dates_and_bad_input(client, studios):
    login(client, studios["owner"])
    start = studios["start"]
    page = Page(client.get("/manage/", query_string={
        "period": "custom", "start": start.isoformat(), "end": start.isoformat()}))
    assert _grid(page)["Bookings"] == {"Riyadh Fit": "0", "Toronto Fit": "0"}
    for args in ({"period": "custom"}, {"period": "custom", "start": "2026-02-01",
                                        "end": "2026-01-01"}, {"period": "someday"}):
        response = client.get("/manage/", query_string=args)
        assert response.status_code == 422
        assert 'id="table-overview"' not in response.get_data(as_text=True)


def test_only_studios_whose_reports_one_may_see(client, studios):
    solo = StudioFactory(slug="solo")
    admin = staff(solo, Role.STUDIO_ADMIN)
    desk = StudioFactory(slug="deskwork")
    db.session.add(StaffRole(studio_id=desk.id, user_id=admin.id, role=Role.FRONT_DESK))
    db.session.flush()
    login(client, admin)
    page = Page(client.get("/manage/", query_string={"period": "last_month"}))
    assert [text_of(th) for th in page.all("#table-overview thead th")] == ["Studio solo"]
    # The desk alone: the list of studios, no overview.
    login(client, staff(desk, Role.FRONT_DESK))
    html = client.get("/manage/").get_data(as_text=True)
    assert "/manage/deskwork/" in html and 'id="overview"' not in html


def test_more_studios_cost_no_more_statements(client, studios):
    """Each figure is one statement grouped by studio: a third studio with its own classes and
    sales adds a column, not statements."""
    from tests.sql import Statements

    login(client, studios["owner"])
    query = {"period": "last_month"}
    before = Statements().during(lambda: client.get("/manage/", query_string=query))
    third = StudioFactory(slug="third", name={"en": "Third", "ar": "الثالث"})
    db.session.add(StaffRole(studio_id=third.id, user_id=studios["owner"].id, role=Role.OWNER))
    mid = studios["start"] + timedelta(days=10)
    _book(_class(third, ClassTypeFactory(studio=third), _at(mid), capacity=5), UserFactory(),
          S.ATTENDED)
    _order(third, PlanFactory(studio=third), UserFactory(), third.default_location, net=100,
           tax=13, code="HST", rate="13", paid_at=_at(mid))
    db.session.flush()
    after = Statements().during(lambda: client.get("/manage/", query_string=query))
    page = Page(client.get("/manage/", query_string=query))
    assert len(page.all("#table-overview thead th")) == 3
    assert after == before
