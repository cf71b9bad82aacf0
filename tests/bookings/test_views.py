"""The customer's schedule, class page and booking panel over HTTP: page vs fragment, 303s,
errors inside the panel (in Arabic too), and ids that belong to someone else."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select

from app.bookings import entitlements, services
from app.bookings.errors import ClassStarted
from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.extensions import db
from app.memberships.services import balances, grant_pass
from app.studios.models import Role, WaitlistMode
from tests.conftest import login
from tests.factories import (
    ClassFactory,
    ClassTypeFactory,
    LocationFactory,
    PlanFactory,
    RoomFactory,
    StudioFactory,
    UserFactory,
    staff,
)
from tests.pages import Page
from tests.sql import Statements

HX = {"HX-Request": "true"}


@pytest.fixture
def studio(app):
    return StudioFactory()


@pytest.fixture
def customer(app):
    return UserFactory()


@pytest.fixture
def signed_in(client, customer):
    login(client, customer)
    return client


def panel_sel(cls) -> str:
    return f"#booking-panel-{cls.id}"


def class_url(cls) -> str:
    return f"/s/{cls.studio.slug}/classes/{cls.id}"


def bookings_of(cls) -> list[Booking]:
    db.session.expire_all()
    return db.session.scalars(select(Booking).where(Booking.class_id == cls.id)
                              .order_by(Booking.id)).all()


def book_for(studio, cls, user) -> Booking:
    return services.book_class(studio, cls, user, actor=user)


# --- the week schedule -----------------------------------------------------------------------


def test_schedule_shows_this_weeks_classes_with_spots_left(client, studio):
    cls = ClassFactory(studio=studio, capacity=5)
    later = ClassFactory(studio=studio, hours_ahead=24 * 9)
    book_for(studio, cls, UserFactory())

    response = client.get(f"/s/{studio.slug}/schedule")

    assert response.status_code == 200
    page = Page(response)
    assert page.ids("section.booking-panel") == [f"booking-panel-{cls.id}"]
    panel = page.text(panel_sel(cls))
    assert "4 spots left" in panel and "Sign in to book" in panel
    assert "Strength" in page.text(".class-card")
    # The class nine days out is on next week's page.
    next_week = (utcnow() + timedelta(days=7)).date().isoformat()
    week2 = Page(client.get(f"/s/{studio.slug}/schedule?week={next_week}"))
    assert f"booking-panel-{later.id}" in week2.ids("section.booking-panel")


@pytest.fixture
def two_of_everything(studio):
    """Two locations, two class types, one coach: one class of each combination below."""
    harbour = LocationFactory(studio=studio, name={"en": "Harbour", "ar": "الميناء"})
    yoga = ClassTypeFactory(studio=studio, name={"en": "Yoga", "ar": "يوغا"})
    boxing = ClassTypeFactory(studio=studio, name={"en": "Boxing", "ar": "ملاكمة"})
    coach = staff(studio, Role.TRAINER, name="Coach Lina")
    main_yoga = ClassFactory(studio=studio, class_type_id=yoga.id, coach_id=coach.id)
    harbour_boxing = ClassFactory(studio=studio, class_type_id=boxing.id,
                                  location_id=harbour.id, hours_ahead=30)
    return dict(harbour=harbour, yoga=yoga, boxing=boxing, coach=coach,
                main_yoga=main_yoga, harbour_boxing=harbour_boxing)


@pytest.mark.parametrize("query, expected", [
    ("", ["main_yoga", "harbour_boxing"]),
    ("location={harbour}", ["harbour_boxing"]),
    ("type={yoga}", ["main_yoga"]),
    ("type={boxing}", ["harbour_boxing"]),
    ("coach={coach}", ["main_yoga"]),
    ("location={harbour}&type={yoga}", []),
])
def test_filters_narrow_the_list(client, studio, two_of_everything, query, expected):
    t = two_of_everything
    ids = {k: v.id for k, v in t.items()}
    page = Page(client.get(f"/s/{studio.slug}/schedule?" + query.format(**ids)))
    assert page.ids("section.booking-panel") == [f"booking-panel-{t[name].id}" for name in expected]


def test_htmx_filter_gets_only_the_results_fragment(client, studio, two_of_everything):
    t = two_of_everything
    response = client.get(f"/s/{studio.slug}/schedule?type={t['boxing'].id}", headers=HX)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and "<form class=\"filters\"" not in body
    assert body.lstrip().startswith('<div id="schedule-results"')
    assert Page(body).ids("section.booking-panel") == [f"booking-panel-{t['harbour_boxing'].id}"]


@pytest.mark.parametrize("headers", [
    {"HX-Request": "true", "HX-Boosted": "true"},
    {"HX-Request": "true", "HX-History-Restore-Request": "true"},
    {},
])
def test_boosted_history_restore_and_plain_requests_get_the_full_page(client, studio, headers):
    cls = ClassFactory(studio=studio)
    for url in (f"/s/{studio.slug}/schedule", class_url(cls)):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        page = Page(response)
        assert "<html" in page.html
        assert page.all('meta[name="csrf-token"]') and page.all("header.topbar")


@pytest.mark.parametrize("headers", [
    {}, HX, {"HX-Request": "true", "HX-Boosted": "true"},
    {"HX-Request": "true", "HX-History-Restore-Request": "true"},
])
def test_every_schedule_and_class_answer_varies_on_hx_request(signed_in, studio, headers):
    cls = ClassFactory(studio=studio)
    responses = [signed_in.get(f"/s/{studio.slug}/schedule", headers=headers),
                 signed_in.get(class_url(cls), headers=headers),
                 signed_in.get(class_url(cls) + "?confirm=cancel", headers=headers)]
    if headers == HX:
        responses.append(signed_in.post(class_url(cls) + "/book", headers=HX))
    for response in responses:
        assert response.status_code == 200
        assert "HX-Request" in response.vary, response.headers.get("Vary")


def test_class_page_fragment_is_only_the_booking_panel(client, studio):
    cls = ClassFactory(studio=studio)
    body = client.get(class_url(cls), headers=HX).get_data(as_text=True)
    assert "<html" not in body
    panel = Page(body).one(panel_sel(cls))
    assert panel.get("hx-target") == "this" and panel.get("hx-swap") == "outerHTML"


# --- booking, waitlist, cancelling, offers ----------------------------------------------------


def test_book_with_htmx_answers_the_booked_panel(signed_in, studio, customer):
    cls = ClassFactory(studio=studio, capacity=5)

    response = signed_in.post(class_url(cls) + "/book", headers=HX)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    page = Page(body)
    panel = page.text(panel_sel(cls))
    assert "You're booked" in panel and "4 spots left" in panel and "Cancel booking" in panel
    assert page.all(f"{panel_sel(cls)} form[action$='/book']") == []
    [booking] = bookings_of(cls)
    assert (booking.customer_id, booking.status) == (customer.id, BookingStatus.CONFIRMED)


def test_book_with_a_plain_post_redirects_to_the_class_page(signed_in, studio):
    cls = ClassFactory(studio=studio, capacity=5)

    response = signed_in.post(class_url(cls) + "/book")

    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == class_url(cls)
    page = Page(signed_in.get(response.headers["Location"]))
    assert "You're booked" in page.text(panel_sel(cls))
    assert "4 spots left" in page.text(panel_sel(cls))


def test_booking_a_full_class_shows_the_waitlist_position(client, app, studio):
    cls = ClassFactory(studio=studio, capacity=1)
    book_for(studio, cls, UserFactory())
    first, second = UserFactory(), UserFactory()
    login(client, first)
    assert "Join the waitlist" in Page(client.get(class_url(cls))).text(panel_sel(cls))

    panel = Page(client.post(class_url(cls) + "/book", headers=HX)).text(panel_sel(cls))
    assert "Full" in panel and "You are number 1 on the waitlist" in panel
    assert "Leave the waitlist" in panel

    other = app.test_client()
    login(other, second)
    panel = Page(other.post(class_url(cls) + "/book", headers=HX)).text(panel_sel(cls))
    assert "You are number 2 on the waitlist" in panel
    assert [b.status for b in bookings_of(cls)] == ["confirmed", "waitlisted", "waitlisted"]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_repeated_submit_answers_the_same_panel_as_the_first_and_books_nothing(
        client, app, studio, lang):
    """A double tap or a replayed offline tap: the panel the first answer gave (it comes from
    the statement that loads the class, app/bookings/queries.py: load_for_booking), the same
    HTML."""
    cls = ClassFactory(studio=studio, capacity=1)
    book_for(studio, cls, UserFactory())
    me = UserFactory()
    login(client, me)
    client.get(f"/?lang={lang}")
    first = client.post(class_url(cls) + "/book", headers=HX)
    app.extensions["fragments"].clear()  # rendered afresh from the other path's state
    again = client.post(class_url(cls) + "/book", headers=HX)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.get_data(as_text=True) == first.get_data(as_text=True)
    assert "1" in Page(again).text(panel_sel(cls))  # number 1 on the waitlist, in either language
    # a plain POST: back to the page
    assert client.post(class_url(cls) + "/book").status_code == 303
    assert [b.status for b in bookings_of(cls)] == ["confirmed", "waitlisted"]


@pytest.mark.parametrize("hours_ahead, late, final_status", [
    (48, False, BookingStatus.CANCELLED),
    (2, True, BookingStatus.LATE_CANCELLED),  # inside the studio's 12-hour cutoff
])
def test_confirming_a_cancel_tells_the_consequence_first(app, signed_in, studio, hours_ahead,
                                                         late, final_status):
    cls = ClassFactory(studio=studio, hours_ahead=hours_ahead)
    signed_in.post(class_url(cls) + "/book", headers=HX)
    [booking] = bookings_of(cls)
    with app.test_request_context():
        expected = entitlements.provider().describe_cancel(booking, late=late)
        other = entitlements.provider().describe_cancel(booking, late=not late)
    assert expected != other

    page = Page(signed_in.get(class_url(cls) + "?confirm=cancel", headers=HX))

    notice = page.one(f"{panel_sel(cls)} .confirm p")
    assert page.text(f"{panel_sel(cls)} .confirm p") == expected
    assert ("alert-warn" in notice.get("class")) is late
    assert "Yes, cancel" in page.text(f"{panel_sel(cls)} .confirm")
    assert "Keep my booking" in page.text(f"{panel_sel(cls)} .confirm")
    assert bookings_of(cls)[0].status == BookingStatus.CONFIRMED  # looking changes nothing

    action = page.one(f"{panel_sel(cls)} .confirm form").get("action")
    response = signed_in.post(action, headers=HX)
    assert response.status_code == 200
    assert bookings_of(cls)[0].status == final_status


def test_cancel_with_htmx_puts_the_panel_back_to_bookable(signed_in, studio):
    cls = ClassFactory(studio=studio, capacity=5)
    signed_in.post(class_url(cls) + "/book", headers=HX)
    [booking] = bookings_of(cls)

    response = signed_in.post(f"{class_url(cls)}/bookings/{booking.id}/cancel", headers=HX)

    assert response.status_code == 200
    page = Page(response)
    panel = page.text(panel_sel(cls))
    assert "5 spots left" in panel and "You're booked" not in panel
    assert page.text(f"{panel_sel(cls)} form[action$='/book'] button") == "Book"
    assert bookings_of(cls)[0].status == BookingStatus.CANCELLED


def test_claiming_an_offered_spot(client, studio):
    studio.waitlist_mode = WaitlistMode.CLAIM
    cls = ClassFactory(studio=studio, capacity=1)
    first, second = UserFactory(), UserFactory()
    taken = book_for(studio, cls, first)
    book_for(studio, cls, second)
    services.cancel_booking(studio, taken, actor=first)
    login(client, second)

    page = Page(client.get(class_url(cls)))
    assert "A spot is free for you" in page.text(panel_sel(cls))
    claim = [f.get("action") for f in page.all(f"{panel_sel(cls)} form")
             if f.get("action").endswith("/claim")]
    assert len(claim) == 1

    response = client.post(claim[0], headers=HX)

    assert response.status_code == 200
    panel = Page(response).text(panel_sel(cls))
    assert "You're booked" in panel and "Full" in panel
    assert [b.status for b in bookings_of(cls)] == ["cancelled", "confirmed"]


# --- domain errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang, query, headers", [
    ("en", "", {}),
    ("ar", "?lang=ar", {}),
    ("ar", "", {"Accept-Language": "ar"}),
])
def test_booking_a_started_class_shows_the_reason_in_the_panel(app, signed_in, studio, lang,
                                                               query, headers):
    cls = ClassFactory(studio=studio, hours_ahead=-0.5)
    with app.test_request_context(), force_locale(lang):
        expected = str(ClassStarted.message)

    response = signed_in.post(class_url(cls) + "/book" + query, headers={**HX, **headers})

    assert response.status_code == 409
    assert "HX-Request" in response.vary
    body = response.get_data(as_text=True)
    assert "<html" not in body
    page = Page(body)
    assert page.text(f"{panel_sel(cls)} [role=alert]") == expected
    assert str(escape(expected)) in body
    if lang == "ar":
        with app.test_request_context(), force_locale("en"):
            english = str(ClassStarted.message)
        if english != expected:  # once the catalogue has it, no English may leak through
            assert english not in body
    assert bookings_of(cls) == []


def test_a_domain_error_after_a_plain_post_is_flashed_on_the_class_page(signed_in, studio):
    cls = ClassFactory(studio=studio, hours_ahead=-0.5)

    response = signed_in.post(class_url(cls) + "/book")

    assert response.status_code == 303
    page = Page(signed_in.get(response.headers["Location"]))
    assert "This class has already started." in page.text(".flashes")
    assert bookings_of(cls) == []


# --- ids that are not yours -------------------------------------------------------------------


def test_another_studios_class_is_not_found_under_this_studio(signed_in, studio):
    foreign = ClassFactory(studio=StudioFactory())

    assert signed_in.get(f"/s/{studio.slug}/classes/{foreign.id}").status_code == 404
    assert signed_in.get(f"/s/{studio.slug}/classes/{foreign.id}", headers=HX).status_code == 404
    assert signed_in.post(f"/s/{studio.slug}/classes/{foreign.id}/book",
                          headers=HX).status_code == 404
    assert bookings_of(foreign) == []


def test_cancelling_someone_elses_booking_is_not_found_and_changes_nothing(signed_in, studio):
    cls = ClassFactory(studio=studio)
    theirs = book_for(studio, cls, UserFactory())

    for headers in (HX, {}):
        response = signed_in.post(f"{class_url(cls)}/bookings/{theirs.id}/cancel",
                                  headers=headers)
        assert response.status_code == 404
    assert signed_in.post(f"{class_url(cls)}/bookings/{theirs.id}/claim").status_code == 404
    assert bookings_of(cls)[0].status == BookingStatus.CONFIRMED


def test_own_booking_under_the_wrong_class_or_studio_is_not_found(signed_in, studio, customer):
    cls, other_cls = ClassFactory(studio=studio), ClassFactory(studio=studio)
    mine = book_for(studio, cls, customer)
    elsewhere = StudioFactory()
    foreign_cls = ClassFactory(studio=elsewhere)
    mine_elsewhere = book_for(elsewhere, foreign_cls, customer)

    assert signed_in.post(f"{class_url(other_cls)}/bookings/{mine.id}/cancel").status_code == 404
    assert signed_in.post(
        f"{class_url(cls)}/bookings/{mine_elsewhere.id}/cancel").status_code == 404
    assert bookings_of(cls)[0].status == BookingStatus.CONFIRMED
    assert bookings_of(foreign_cls)[0].status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("method, path", [
    ("get", "/s/no-such-studio/schedule"),
    ("get", "/s/no-such-studio/classes/1"),
    ("post", "/s/no-such-studio/classes/1/book"),
    ("get", "/s/{slug}/classes/2147483647"),
    ("get", "/s/{slug}/classes/99999999999999999999"),
])
def test_unknown_studio_or_class_is_not_found(signed_in, studio, method, path):
    response = getattr(signed_in, method)(path.format(slug=studio.slug))
    assert response.status_code == 404
    assert "We could not find that page." in Page(response).text("main")


@pytest.mark.parametrize("query", ["week=9999-12-31", "week=0001-01-01", "week=2026-13-01",
                                   "location=%C2%B2", "type=99999999999999999999", "coach=abc"])
def test_nonsense_filters_fall_back_to_the_plain_week(client, studio, query):
    cls = ClassFactory(studio=studio)
    page = Page(client.get(f"/s/{studio.slug}/schedule?{query}"))
    assert "<html" in page.html
    assert page.ids("section.booking-panel") == [f"booking-panel-{cls.id}"]


def test_anonymous_booking_goes_to_sign_in_and_books_nothing(client, studio):
    cls = ClassFactory(studio=studio)

    response = client.post(class_url(cls) + "/book")

    assert response.status_code in (302, 303)
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [class_url(cls) + "/book"]
    assert bookings_of(cls) == []


# --- my bookings ------------------------------------------------------------------------------


def test_my_bookings_lists_upcoming_and_past(signed_in, studio, customer):
    yoga = ClassTypeFactory(studio=studio, name={"en": "Yoga", "ar": "يوغا"})
    boxing = ClassTypeFactory(studio=studio, name={"en": "Boxing", "ar": "ملاكمة"})
    pilates = ClassTypeFactory(studio=studio, name={"en": "Pilates", "ar": "بيلاتس"})
    upcoming = ClassFactory(studio=studio, class_type_id=yoga.id)
    dropped = ClassFactory(studio=studio, class_type_id=pilates.id)
    past = ClassFactory(studio=studio, class_type_id=boxing.id, hours_ahead=-48)
    book_for(studio, upcoming, customer)
    services.cancel_booking(studio, book_for(studio, dropped, customer), actor=customer)
    db.session.add(Booking(studio_id=studio.id, class_id=past.id, customer_id=customer.id,
                           status=BookingStatus.ATTENDED, booked_by_id=customer.id))
    book_for(studio, ClassFactory(studio=studio, class_type_id=boxing.id), UserFactory())
    db.session.flush()

    page = Page(signed_in.get("/me/bookings"))

    soon = page.text('section[aria-labelledby="upcoming-title"] .booking-list')
    before = page.text('section[aria-labelledby="past-title"] .booking-list')
    assert "Yoga" in soon and "Booked" in soon
    assert "Pilates" not in soon and "Boxing" not in soon  # cancelled, someone else's
    assert "Boxing" in before and "Attended" in before and "Yoga" not in before
    assert len(page.all(".booking-list li")) == 2
    links = [a.get("href") for a in page.all(".booking-list li a:not(.add-to-calendar)")]
    assert links == [class_url(upcoming), class_url(past)]
    assert studio.name["en"] in soon
    arabic = Page(signed_in.get("/me/bookings?lang=ar"))
    assert "يوغا" in arabic.text('section[aria-labelledby="upcoming-title"] .booking-list')


# --- statements per request do not grow with the data -----------------------------------------


def test_the_week_page_runs_the_same_statements_for_one_class_or_sixty(signed_in, studio,
                                                                        customer):
    url = f"/s/{studio.slug}/schedule"
    coach = staff(studio, Role.TRAINER)
    first = ClassFactory(studio=studio, coach_id=coach.id)
    book_for(studio, first, customer)
    def week_loaded():  # with its frame remembered, its HTML not (a week that changed)
        signed_in.get(url)
        signed_in.application.extensions["fragments"].clear()
        return Statements().during(lambda: signed_in.get(url))

    few = week_loaded()
    for hour in range(2, 62):  # more classes, types, coaches (one who left), bookings of all kinds
        cls = ClassFactory(studio=studio, hours_ahead=hour * 2, capacity=1,
                           coach_id=(staff(studio, Role.TRAINER) if hour % 3 else UserFactory()).id)
        book_for(studio, cls, UserFactory())
        if hour % 2:
            book_for(studio, cls, customer)  # waitlisted: the position is one more query
    many = week_loaded()
    assert many == few + 1 <= 5
    assert Statements().during(lambda: signed_in.get(url)) == 2  # unchanged: the user, versions
    assert len(Page(signed_in.get(url)).all("section.booking-panel")) >= 60


def test_booking_runs_a_handful_of_statements(signed_in, studio, customer):
    cls = ClassFactory(studio=studio, capacity=5)
    book = f"{class_url(cls)}/book"
    first = Statements().during(lambda: signed_in.post(book, headers=HX))
    again = Statements().during(lambda: signed_in.post(book, headers=HX))  # idempotent
    # The user, then the studio, the class, whether the user is its customer and their active
    # booking in one statement. Again: the panel comes from it, no lock. The first goes on:
    # the customer link (a new customer), the lock (its timeouts, the class and its spots
    # under it), one insert that also looks for an active booking; the panel of a confirmed
    # spot is drawn from what the booking decided. Plus the confirmation e-mail's outbox row
    # (one insert; relayed by the worker's loop, here at once by the capture list: two more).
    assert (first, again) == (6 + 1 + 2, 2)
    assert len(bookings_of(cls)) == 1
    [booking] = bookings_of(cls)
    cancel = f"{class_url(cls)}/bookings/{booking.id}/cancel"
    # The user; studio, class and booking; the pass that paid for it, locked before the class
    # (none here); timeouts, lock, the booking under it, its credit; the update; who waits for
    # the freed spot; after the commit the panel. Plus the cancellation e-mail's outbox row
    # (and its relay by the capture list: two more).
    assert Statements().during(lambda: signed_in.post(cancel, headers=HX)) == 10 + 3


def test_booking_with_a_pass_adds_the_pass_before_the_lock_and_its_credit(signed_in, studio,
                                                                          customer):
    studio.booking_requires_pass = True
    pack = grant_pass(studio, PlanFactory(studio=studio, credits=5), customer)
    cls = ClassFactory(studio=studio, capacity=5)
    # As without a pass (6 + 3, with the confirmation), plus the customer's passes locked
    # before the class, then their credits left (read after the lock: a wait would leave a
    # statement reading the ledger from before it), and the credit it takes.
    assert Statements().during(lambda: signed_in.post(f"{class_url(cls)}/book",
                                                      headers=HX)) == 9 + 3
    [booking] = bookings_of(cls)
    assert booking.status == BookingStatus.CONFIRMED
    assert balances([pack.id]) == {pack.id: 4}


def test_the_class_page_loads_what_it_shows_in_one_statement(signed_in, studio):
    coach = staff(studio, Role.TRAINER)
    cls = ClassFactory(studio=studio, coach_id=coach.id)
    cls.room_id = RoomFactory(location=cls.location, name={"en": "Studio B"}).id
    db.session.flush()
    url = class_url(cls)
    db.session.expire_all()  # nothing of the class is loaded before the request
    # The studio with the class, its type, location, room and coach; the user; the panel.
    assert Statements().during(lambda: signed_in.get(url)) == 3
    details = Page(signed_in.get(url)).text("main")
    assert "Studio B" in details and coach.name in details
