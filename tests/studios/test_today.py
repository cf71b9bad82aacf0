"""The console home's "today": classes today, bookings, check-ins so far, waitlists, unpaid
orders and new members this week, each counted from its own data; the desk sees the counts
whose pages it may open."""

from datetime import timedelta

from app.bookings import attendance
from app.bookings import services as bookings
from app.core.db import utcnow
from app.schedule.queries import day_bounds, local_today
from app.studios.models import Role
from app.studios.services import ensure_customer
from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory, staff
from tests.pages import Page


def facts(page) -> dict[str, str]:
    return {li.get("data-fact"): li.find(".//{*}strong").text.strip()
            for li in page.all(".today-fact")} if page.all(".today-fact") else {}


def test_the_home_counts_today(client, app):
    studio = StudioFactory()
    owner = staff(studio, Role.OWNER)
    now = utcnow()
    # Later today in the studio's own zone, whatever the hour the test runs at.
    soon = now + (day_bounds(local_today(studio.timezone), studio.timezone)[1] - now) / 2
    cls = ClassFactory(studio=studio, capacity=1, starts_at=soon,
                       ends_at=soon + timedelta(hours=1))
    ann, bob = UserFactory(), UserFactory()
    booking = bookings.book_class(studio, cls, ann, actor=ann)
    bookings.book_class(studio, cls, bob, actor=bob)  # the class is full: the waitlist
    attendance.check_in(studio, booking, actor=owner)
    ensure_customer(studio, UserFactory())
    login(client, owner)
    page = Page(client.get(f"/manage/{studio.slug}/?lang=en"))
    got = facts(page)
    assert got["classes"] == "1" and got["booked"] == "1" and got["checked_in"] == "1"
    assert got["waiting"] == "1" and int(got["new_members"]) >= 3


def test_the_desk_sees_its_counts(client, app):
    studio = StudioFactory()
    login(client, staff(studio, Role.FRONT_DESK))
    got = facts(Page(client.get(f"/manage/{studio.slug}/?lang=ar")))
    assert {"classes", "checked_in", "unpaid", "new_members"} <= set(got)
