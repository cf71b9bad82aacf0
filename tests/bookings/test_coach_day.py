"""The coach's day: any day within a year either side of today, each studio's day in its own
zone, and a roster that tells the coach about each person (credits, money owed, a first visit,
private notes)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.billing.services.orders import place_order
from app.bookings import services
from app.clients.services import add_note
from app.core.db import utcnow
from app.core.i18n import format_money
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory, staff
from tests.pages import Page, text_of

ZONE = "America/Toronto"


@pytest.fixture
def studio(app):
    return StudioFactory()


@pytest.fixture
def coach(studio):
    return staff(studio, Role.TRAINER, timezone=ZONE)


def local_today():
    return utcnow().astimezone(ZoneInfo(ZONE)).date()


def class_on(studio, coach, day, hour=10):
    starts = datetime.combine(day, datetime.min.time().replace(hour=hour), ZoneInfo(ZONE))
    return ClassFactory(studio=studio, coach_id=coach.id,
                        starts_at=starts.astimezone(ZoneInfo("UTC")),
                        ends_at=(starts + timedelta(hours=1)).astimezone(ZoneInfo("UTC")))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_coach_moves_between_days(client, studio, coach, lang):
    today = local_today()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    past = class_on(studio, coach, yesterday)
    ahead = class_on(studio, coach, tomorrow, hour=23)  # late evening: the next UTC day
    db.session.commit()
    login(client, coach)
    page = Page(client.get(f"/coach/?lang={lang}"))
    links = {a.get("rel"): a.get("href") for a in page.all(".day-nav a[rel]")}
    assert links == {"prev": f"/coach/?day={yesterday}", "next": f"/coach/?day={tomorrow}"}
    with force_locale(lang):
        assert _("Previous day") in page.text() and _("Next day") in page.text()
    roster = f"/coach/{studio.slug}/classes/{{}}/"
    assert not page.all(f'a[href="{roster.format(past.id)}"]')
    earlier = Page(client.get(links["prev"]))
    assert earlier.all(f'a[href="{roster.format(past.id)}"]')
    assert not earlier.all(f'a[href="{roster.format(ahead.id)}"]')
    later = Page(client.get(links["next"]))
    assert later.all(f'a[href="{roster.format(ahead.id)}"]')
    assert later.one("#coach-day").get("value") == tomorrow.isoformat()


def test_a_bad_or_far_day_is_a_400(client, studio, coach):
    login(client, coach)
    far = local_today() + timedelta(days=400)
    for bad in ("junk", "2026-13-01", "2026-1-1", far.isoformat(), "99999-01-01", "2026-02-30"):
        assert client.get(f"/coach/?day={bad}").status_code == 400, bad
    assert client.get(f"/coach/?day={local_today() + timedelta(days=300)}").status_code == 200


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_roster_tells_about_each_person(client, studio, coach, lang):
    cls = ClassFactory(studio=studio, coach_id=coach.id)
    earlier = ClassFactory(studio=studio, coach_id=coach.id, hours_ahead=-48)
    regular, newcomer = UserFactory(name="Regular"), UserFactory(name="Newcomer")
    services.book_class(studio, earlier, regular, actor=regular, staff=True,
                        now=earlier.starts_at - timedelta(hours=2))
    order = place_order(studio, PlanFactory(studio=studio, credits=5), regular, actor=regular)
    add_note(studio, regular, "Knee injury", actor=coach)
    for person in (regular, newcomer):
        services.book_class(studio, cls, person, actor=person, staff=True)
    db.session.commit()
    login(client, coach)
    page = Page(client.get(f"/coach/{studio.slug}/classes/{cls.id}/?lang={lang}"))
    rows = dict(zip([text_of(e) for e in page.all(".roster-row .roster-name bdi")],
                    [text_of(e) for e in page.all(".roster-row .roster-facts")], strict=True))
    with force_locale(lang):
        left = ngettext("%(count)s credit left", "%(count)s credits left", 5, count=5)
        assert left in rows["Regular"]
        owes = " ".join(_("Owes %(amount)s",
                          amount=format_money(order.gross_minor, order.currency)).split())
        assert owes in rows["Regular"]
        assert _("Has notes") in rows["Regular"] and _("First visit") not in rows["Regular"]
        assert _("First visit") in rows["Newcomer"] and _("No pass") in rows["Newcomer"]
        assert _("Has notes") not in rows["Newcomer"] and owes not in rows["Newcomer"]
