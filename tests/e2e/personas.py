"""The main page of every persona, on a world with something of every kind, for the sweeps that
look at all of them (axe, tap targets, the Nu HTML Checker).

URLs come from `url_for`, so the sweeps follow the routes wherever they move.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import url_for

from app.bookings import services as booking_services
from app.core.db import utcnow
from app.extensions import db
from app.training.services import sessions
from tests.factories import ClassFactory, UserFactory
from tests.world import make_world

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PASSWORD = "secret-pass"


@dataclass(frozen=True)
class PersonaPage:
    name: str
    path: str
    device: dict
    signed_in: bool = True


@dataclass(frozen=True)
class Personas:
    email: str
    pages: tuple[PersonaPage, ...]

    def page(self, name: str) -> PersonaPage:
        return next(p for p in self.pages if p.name == name)


def build_personas(live_app) -> Personas:
    """One person who is every persona (operator, owner, coach of a class starting soon with a
    roster, a customer with a booking and an order, a client mid-workout), and their pages."""
    with live_app.app_context():
        world = make_world()
        studio, owner = world["studio"], world["owner"]
        soon = ClassFactory(studio=studio, class_type_id=world["class_type"].id,
                            coach_id=owner.id, hours_ahead=1)
        for name in ("Sara Alharbi", "Omar Tremblay"):
            member = UserFactory(name=name)
            booking_services.book_class(studio, soon, member, actor=member)
        logger = _session_mid_workout(studio, owner, world["day"])
        db.session.commit()
        slug = studio.slug
        with live_app.test_request_context():
            # The coach routes get `studio` too: a route without that part takes it as a query
            # argument, which it ignores.
            pages = (
                PersonaPage("schedule", url_for("bookings.week", studio=slug), PHONE,
                            signed_in=False),
                PersonaPage("class", url_for("bookings.class_detail", studio=slug,
                                             class_id=world["cls"].id), PHONE),
                PersonaPage("my-bookings", url_for("bookings.my_bookings"), PHONE),
                PersonaPage("wallet", url_for("billing.wallet"), PHONE),
                PersonaPage("training", url_for("training.my_training"), PHONE),
                PersonaPage("coach-today", url_for("coach.today"), TABLET),
                PersonaPage("roster", url_for("bookings_coach.roster", studio=slug,
                                              class_id=soon.id), TABLET),
                PersonaPage("logger", url_for("training_coach.show_session", studio=slug,
                                              session_id=logger.id), TABLET),
                PersonaPage("console", url_for("bookings_manage.dashboard", studio=slug), DESKTOP),
                PersonaPage("orders", url_for("billing_manage.orders", studio=slug), DESKTOP),
                PersonaPage("operator", url_for("operator.dashboard"), DESKTOP),
            )
        return Personas(owner.email, pages)


def _session_mid_workout(studio, client, day):
    """Today's session of the plan's first day, its first set logged, the others prefilled
    from last week's heavier session (the widest rows the logger shows)."""
    exercise_id = day.items[0].exercise_id
    now = utcnow()
    last = sessions.start_session(studio, client, coach=client, workout=day,
                                  now=now - timedelta(days=7))
    for position in range(3):
        sessions.log_set(last, studio, set_id=str(uuid.uuid4()), exercise_id=exercise_id,
                         position=position, reps=12, load=Decimal("102.5"),
                         now=now - timedelta(days=7))
    sessions.finish_session(last, now=now - timedelta(days=7))
    today = sessions.start_session(studio, client, coach=client, workout=day, now=now)
    sessions.log_set(today, studio, set_id=str(uuid.uuid4()), exercise_id=exercise_id,
                     position=0, reps=12, load=Decimal("102.5"), now=now)
    return today


def signed_in_state(browser, live_server: str, email: str) -> dict:
    """The cookies of a session signed in through the form, to open many pages with."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/login?lang=en")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form.stack button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    stored = context.storage_state()
    context.close()
    return stored


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"
