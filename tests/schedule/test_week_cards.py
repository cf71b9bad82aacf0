"""The week page's class cards are rendered once per everything they show (app/core/fragments.py):
a remembered card must be the very HTML a fresh render gives, in every state a panel can be in,
must follow any change at once, and must carry the reader's own CSRF token."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.bookings import services
from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.fragments import CSRF_PLACEHOLDER, FragmentCache
from app.extensions import db
from app.schedule.models import ClassStatus, ScheduledClass
from app.studios.models import Role, StaffRole
from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory
from tests.pages import Page, csrf_token, text_of
from tests.sql import Statements


@pytest.fixture
def week(app):
    """A studio whose week holds a card in each state, seen by `me`."""
    studio = StudioFactory(booking_opens_days=2)
    me, others = UserFactory(), [UserFactory() for _ in range(3)]

    def book(cls, user):
        return services.book_class(studio, cls, user, actor=user)

    open_ = ClassFactory(studio=studio, hours_ahead=5)
    book(open_, others[0])
    booked = ClassFactory(studio=studio, hours_ahead=6)
    book(booked, me)
    full = ClassFactory(studio=studio, hours_ahead=7, capacity=1)
    book(full, others[0])
    waiting = ClassFactory(studio=studio, hours_ahead=8, capacity=1)
    for user in (others[0], others[1], me):
        book(waiting, user)
    offered = ClassFactory(studio=studio, hours_ahead=9)
    offer = book(offered, me)
    offer.status, offer.offer_expires_at = BookingStatus.OFFERED, utcnow() + timedelta(hours=1)
    ClassFactory(studio=studio, hours_ahead=10, status=ClassStatus.CANCELLED)
    ClassFactory(studio=studio, hours_ahead=24 * 4)  # booking opens two days before
    db.session.flush()
    return studio, me, open_


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_remembered_card_is_the_html_a_fresh_render_gives(client, cards, week, lang):
    studio, me, open_ = week
    login(client, me)
    url = f"/s/{studio.slug}/schedule?lang={lang}"
    first = client.get(url).get_data(as_text=True)
    rendered = cards.misses
    assert rendered >= 7
    again = client.get(url).get_data(as_text=True)
    assert cards.misses == rendered  # every card came from memory
    assert again == first
    size, cards.max_chars = cards.max_chars, 0  # off: everything rendered afresh
    try:
        cards.clear()
        fresh = client.get(url).get_data(as_text=True)
    finally:
        cards.max_chars = size
    assert fresh == first
    page = Page(first)
    assert len(page.all("article.class-card")) == 7
    for expected in ("badge-ok", "badge-wait", "badge-offer", "badge-muted", "is-full"):
        assert expected in first


def test_any_change_shows_on_the_next_page_even_one_made_outside_the_app(client, cards, week):
    studio, me, open_ = week
    login(client, me)
    url = f"/s/{studio.slug}/schedule"
    before = Page(client.get(url))
    spots = [p.text for p in before.all(".spots")]
    assert "4 spots left" in " ".join(spots)
    client.get(url)
    rendered = cards.misses
    other = UserFactory()
    services.book_class(studio, open_, other, actor=other)
    client.get(url)
    assert cards.misses == rendered + 2  # the week around the cards, and the one card changed
    db.session.execute(text("UPDATE classes SET capacity = 20 WHERE studio_id = :s"
                            " AND status = 'scheduled'"), {"s": studio.id})
    db.session.expire_all()
    after = Page(client.get(url)).text("#schedule-results")
    assert "19 spots left" in after and "You're booked" in after
    assert "4 spots left" not in after


def test_each_reader_gets_their_own_csrf_token_in_remembered_forms(app, cards, week):
    studio, _me, _open = week
    tokens = []
    for _ in range(2):
        client = app.test_client()
        login(client, UserFactory())
        response = client.get(f"/s/{studio.slug}/schedule")
        html = response.get_data(as_text=True)
        assert CSRF_PLACEHOLDER not in html
        token = csrf_token(response)
        forms = Page(html).all("form.action-form input[name=csrf_token]")
        assert forms and {f.get("value") for f in forms} == {token}
        tokens.append(token)
        misses = cards.misses
    assert tokens[0] != tokens[1]
    assert cards.misses == misses  # the second reader's cards were the first's, token aside


def test_the_cache_keeps_at_most_its_size_and_renders_each_key_once():
    cache, calls = FragmentCache(16), []  # two 8-character entries fit

    def render(key):
        return lambda: calls.append(key) or f"<p>{key}</p>"  # 8 characters

    for key in ("a", "b", "a", "c", "a", "b"):
        cache.get(key, render(key))
    assert calls == ["a", "b", "c", "b"]  # "b" aged out when "c" came ("a" was used after it)
    assert cache.chars == 16 and len(cache._entries) == 2
    cache.get("big", lambda: "x" * 17)  # larger than the whole cache: served, not kept
    assert cache.chars == 16 and "big" not in cache._entries


# --- the week's version: a remembered week is never loaded, and never stale -------------------


def test_a_remembered_week_is_two_statements_and_follows_its_frame_changed_by_sql(
        client, cards, week):
    """The frame (studio, locations, class types, coaches) is remembered per process and
    checked with the week's version in one statement: a change made by SQL shows at once."""
    studio, me, open_ = week
    login(client, me)
    url = f"/s/{studio.slug}/schedule"
    client.get(url)
    assert Statements().during(lambda: client.get(url)) == 2  # the user, the versions
    coach = UserFactory(name="Coach Before")
    db.session.add(StaffRole(studio_id=studio.id, user_id=coach.id, role=Role.TRAINER))
    open_.coach_id = coach.id
    db.session.flush()
    assert "Coach Before" in Page(client.get(url)).text("#schedule-results")
    changes = [  # (SQL, where the change shows, the new text)
        ("UPDATE class_types SET name = '{\"en\": \"Renamed Flow\"}' WHERE id = :type",
         "#schedule-results", "Renamed Flow"),
        ("UPDATE locations SET name = '{\"en\": \"Renamed Hall\"}' WHERE id = :loc",
         "#schedule-results", "Renamed Hall"),
        ("UPDATE users SET name = 'Coach After' WHERE id = :coach", "#schedule-results",
         "Coach After"),
        ("UPDATE studios SET name = '{\"en\": \"Renamed Studio\"}' WHERE id = :studio", "h1",
         "Renamed Studio")]
    for sql, where, shown in changes:
        db.session.execute(text(sql), {"type": open_.class_type_id, "loc": open_.location_id,
                                       "coach": coach.id, "studio": studio.id})
        page = Page(client.get(url))
        assert shown in page.text(where), sql  # at once, each on its own
        assert Statements().during(lambda: client.get(url)) == 2  # remembered again
    results = page.text("#schedule-results")
    assert "Renamed Flow" in results and "Renamed Hall" in results and "Coach After" in results
    assert "Coach Before" not in results
    assert "Renamed Flow" in page.text("select[name=type]")


def test_a_card_follows_its_booking_window_with_nothing_changed_in_the_database(
        client, cards, week, monkeypatch):
    """Booking opens two days ahead: a class 4 days ahead says so, and offers booking once the
    clock passes its opening, though not a row changed (the version carries the next instant a
    window opens or closes)."""
    studio, me, _open = week
    login(client, me)
    url = f"/s/{studio.slug}/schedule"
    later = text_of(Page(client.get(url)).all("article.class-card")[-1])
    assert "Booking for this class opens on" in later
    client.get(url)
    misses = cards.misses
    assert text_of(Page(client.get(url)).all("article.class-card")[-1]) == later
    assert cards.misses == misses  # the same week, from memory
    in_three_days = utcnow() + timedelta(days=3)
    monkeypatch.setattr("app.bookings.views.utcnow", lambda: in_three_days)
    now_open = text_of(Page(client.get(url)).all("article.class-card")[-1])
    assert "opens on" not in now_open and now_open.endswith("Book")


def test_a_waiting_customer_sees_their_place_move_up(client, cards, week):
    studio, me, _open = week
    login(client, me)
    url = f"/s/{studio.slug}/schedule"
    assert "number 2 on the waitlist" in Page(client.get(url)).text("#schedule-results")
    client.get(url)
    ahead = db.session.scalars(select(Booking).where(
        Booking.status == BookingStatus.WAITLISTED, Booking.customer_id != me.id,
        Booking.class_id.in_(select(ScheduledClass.id).where(
            ScheduledClass.studio_id == studio.id)))).one()
    db.session.execute(text("UPDATE bookings SET status = 'cancelled' WHERE id = :id"),
                       {"id": ahead.id})  # by SQL: nothing in the app told the page
    assert "number 1 on the waitlist" in Page(client.get(url)).text("#schedule-results")
