"""End-to-end plumbing: Debian's Chromium, a live server on localhost, a seeded studio.

The live app has its own PostgreSQL database and Redis db per xdist worker. Nothing runs in a
savepoint here (tests marked `e2e` skip it): the scenario is committed, as a real server needs.
"""

import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale, gettext, ngettext
from flask_migrate import upgrade
from playwright.sync_api import expect
from redis import Redis
from sqlalchemy import delete, select
from werkzeug.serving import make_server

from app import create_app
from app.bookings import services as booking_services
from app.bookings.models import Booking
from app.core.db import utcnow
from app.extensions import db
from app.schedule.models import ClassType, ScheduledClass
from app.studios.models import Studio
from tests.conftest import (
    REDIS_BASE,
    REDIS_FIRST_DB,
    drop_database,
    fresh_database,
    run_id,
    test_config,
    worker_index,
)
from tests.factories import ClassFactory, ClassTypeFactory, StudioFactory, UserFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
TZ = "Asia/Riyadh"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Never `playwright install`: drive the system's Chromium (STACK.md trap 5).
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def live_app(request):
    """The app the live server runs: real CSRF, jobs inline, its own database."""
    idx = worker_index(request.config)
    name = f"fitflow_e2e_{run_id(request.config)}_{idx}"
    url = fresh_database(name)
    redis_db = REDIS_FIRST_DB + 1 + idx * 2
    Redis.from_url(f"{REDIS_BASE}/{redis_db}").flushdb()
    application = create_app(
        test_config(
            url,
            redis_db,
            WTF_CSRF_ENABLED=True,
            JOBS_INLINE=True,
            JOBS_CAPTURE=None,
            # A browser makes a few requests at a time; leave PostgreSQL's connections to the
            # concurrency tests running in other workers.
            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5},
        )
    )
    # The unit-test `jobs` fixture captures on its own app only; this one must really run jobs.
    assert application.config["JOBS_CAPTURE"] is None
    with application.app_context():
        upgrade()
        _seed_studio()
    yield application
    with application.app_context():
        db.engine.dispose()
    drop_database(name)


@pytest.fixture(scope="session")
def live_server(live_app):
    """Serve `live_app` on a free port of 127.0.0.1 in a daemon thread; yield its base URL,
    named `localhost` as the quick start does: WebAuthn refuses an IP address as the relying
    party, so passkeys work only there."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    base_url = f"http://localhost:{server.server_port}"
    live_app.config["BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _seed_studio() -> None:
    """The studio `e2e` (Arabic by default, in Riyadh), its class types and another customer."""
    studio = StudioFactory(
        slug="e2e",
        default_language="ar",
        cancel_cutoff_minutes=60,
        name={"en": "FitFlow Riyadh", "ar": "فت فلو الرياض"},
        location__timezone=TZ,
        location__name={"en": "Olaya", "ar": "العليا"},
        location__currency="SAR",
    )
    ClassTypeFactory(
        studio=studio,
        name={"en": "Morning strength", "ar": "تمارين القوة"},
        description={"en": "Lift with a coach.", "ar": "ارفع الأثقال مع مدرب."},
    )
    ClassTypeFactory(
        studio=studio,
        name={"en": "Yoga flow", "ar": "يوغا"},
        description={"en": "Breathe and stretch.", "ar": "تنفّس وتمدّد."},
    )
    UserFactory(email="early.bird@example.test", name="Early Bird")
    db.session.commit()


@dataclass(frozen=True)
class Scenario:
    studio_slug: str
    open_class_id: int
    open_class_name: dict
    full_class_id: int
    full_class_name: dict


@pytest.fixture
def scenario(live_app) -> Scenario:
    """Fresh classes for each test: one open (5 spots), one full (1 spot, taken by another).

    Both start tomorrow evening in Riyadh, so they are always bookable and cancellable free of
    charge (the studio's cutoff is one hour), whatever the time of day the tests run.
    """
    from app.accounts.models import User

    with live_app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.slug == "e2e"))
        db.session.execute(delete(Booking).where(Booking.studio_id == studio.id))
        db.session.execute(delete(ScheduledClass).where(ScheduledClass.studio_id == studio.id))
        strength, yoga = db.session.scalars(  # the two seeded first (other tests add more)
            select(ClassType).where(ClassType.studio_id == studio.id).order_by(ClassType.id)
            .limit(2)
        ).all()
        tomorrow = utcnow().astimezone(ZoneInfo(TZ)).date() + timedelta(days=1)

        def at(hour: int, minute: int = 0) -> datetime:
            return datetime.combine(tomorrow, time(hour, minute), ZoneInfo(TZ)).astimezone(
                ZoneInfo("UTC")
            )

        open_cls = ClassFactory(
            studio=studio, class_type_id=strength.id, capacity=5, starts_at=at(18), ends_at=at(19)
        )
        full_cls = ClassFactory(
            studio=studio,
            class_type_id=yoga.id,
            capacity=1,
            starts_at=at(19, 30),
            ends_at=at(20, 30),
        )
        other = db.session.scalar(select(User).where(User.email == "early.bird@example.test"))
        booking_services.book_class(studio, full_cls, other, actor=other)
        db.session.commit()
        return Scenario("e2e", open_cls.id, dict(strength.name), full_cls.id, dict(yoga.name))


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


class Texts:
    """The UI strings of one language, as the live app translates them."""

    def __init__(self, app, lang: str):
        self.app, self.lang = app, lang

    def __call__(self, msgid: str, **variables) -> str:
        with self.app.test_request_context(), force_locale(self.lang):
            return gettext(msgid, **variables)

    def spots_left(self, n: int) -> str:
        with self.app.test_request_context(), force_locale(self.lang):
            return ngettext("%(count)s spot left", "%(count)s spots left", n, count=n)


def _refuse_writes(route) -> None:
    if route.request.method == "GET":
        route.continue_()
    else:
        route.abort("internetdisconnected")


def set_network(context, online: bool) -> None:
    """Take the network away or give it back. Chromium's offline emulation now and then lets a
    request of a page that a service worker controls through (seen under a loaded CI), so while
    offline the page's writes are also refused outright, as a real drop refuses them."""
    if online:
        context.unroute("**/*", _refuse_writes)
        context.set_offline(False)
    else:
        context.set_offline(True)
        context.route("**/*", _refuse_writes)


def not_the_drop(problems: list[str]) -> list[str]:
    """The problems that are not the network drop a test made itself: whatever the browser
    tries while the network is away fails with ERR_INTERNET_DISCONNECTED, as on a real tablet
    (a write is kept and sent later: the tests check that it is, once)."""
    return [p for p in problems if "ERR_INTERNET_DISCONNECTED" not in p]


def sign_in(page, live_server: str, t: "Texts", lang: str, email: str,
            password: str = "secret-pass") -> None:
    """Sign in through the form in `lang`, as a person would, and wait for the signed-in page."""
    page.goto(f"{live_server}/login?lang={lang}")
    page.get_by_label(t("Email")).fill(email)
    page.get_by_label(t("Password")).fill(password)
    page.get_by_role("button", name=t("Sign in"), exact=True).tap()
    expect(page.get_by_role("button", name=t("Sign out"))).to_be_visible()


@pytest.fixture
def phone(new_context, request):
    """A phone-sized touch page in `lang`, recording console errors and failed requests."""
    lang = request.param
    context = new_context(locale=lang, **PHONE)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # A request the browser itself abandons (a navigation moved on) is not a failure users see.
    page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
            and problems.append(f"failed: {r.method} {r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: (
            r.status >= 400 and problems.append(f"HTTP {r.status}: {r.request.method} {r.url}")
        ),
    )
    yield lang, page, problems
    context.close()
