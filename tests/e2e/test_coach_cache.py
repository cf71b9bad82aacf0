"""The coach pages a tablet keeps for offline use belong to one signed-in session: another person
signing in on the same browser, or the session ending, leaves nothing of them to show."""

import uuid

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from app.accounts.services.sessions import end_every_session
from app.extensions import db
from app.studios.models import Role, Studio
from tests.e2e.conftest import Texts, set_network, sign_in
from tests.e2e.test_coach_tablet import TABLET, class_today  # noqa: F401 (a fixture)
from tests.factories import staff

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# Whether any of the service worker's kept-page caches holds the URL.
KEPT = """url => caches.keys()
  .then(keys => Promise.all(keys.filter(k => k.startsWith('fitflow-coach-pages'))
    .map(k => caches.open(k).then(c => c.match(url)))))
  .then(hits => hits.some(Boolean))"""
FORGOTTEN = f"url => ({KEPT})(url).then(kept => !kept)"


def keep_roster(page, live_server, roster_url, name):
    """Show the roster online under the service worker, until the worker has kept it."""
    page.goto(f"{live_server}/coach/")
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")
    page.goto(roster_url)
    expect(page.locator(".roster-row", has_text=name)).to_be_visible()
    page.wait_for_function(KEPT, arg=roster_url)


def offline_visit(page, context, roster_url) -> str:
    """The roster URL opened with the network gone: what the tablet shows."""
    set_network(context, online=False)
    page.wait_for_function("!navigator.onLine")
    page.goto(roster_url, wait_until="domcontentloaded")
    html = page.content()
    set_network(context, online=True)
    page.wait_for_function("navigator.onLine")
    return html


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_kept_roster_is_not_served_to_the_next_person(new_context, live_app, live_server,
                                                      class_today, lang):  # noqa: F811
    class_id, coach_email, names, _code, slug = class_today
    t = Texts(live_app, lang)
    roster_url = f"{live_server}/coach/{slug}/classes/{class_id}/"
    context = new_context(locale=lang, **TABLET)
    page = context.new_page()
    sign_in(page, live_server, t, lang, coach_email)
    keep_roster(page, live_server, roster_url, names[0])
    assert names[0] in offline_visit(page, context, roster_url)  # kept for this session

    # The session ends elsewhere ("sign out everywhere"): the next answer sends to sign in.
    with live_app.app_context():
        coach = db.session.scalar(db.select(User).where(User.email == coach_email))
        end_every_session(coach)
        db.session.commit()
    page.goto(f"{live_server}/coach/")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fcoach%2F")
    page.wait_for_function(FORGOTTEN, arg=roster_url)
    html = offline_visit(page, context, roster_url)
    assert names[0] not in html and t("You are offline") in html

    # Signed in again and kept again; then another coach signs in on the same tablet without
    # anyone signing out (the first one's cookie simply gone).
    sign_in(page, live_server, t, lang, coach_email)
    keep_roster(page, live_server, roster_url, names[0])
    with live_app.app_context():
        studio = db.session.scalar(db.select(Studio).where(Studio.slug == slug))
        second = staff(studio, Role.TRAINER, email=f"coach-b-{uuid.uuid4().hex[:6]}@example.com")
        db.session.commit()
        second_email = second.email
    context.clear_cookies()
    sign_in(page, live_server, t, lang, second_email)
    page.wait_for_function(FORGOTTEN, arg=roster_url)
    html = offline_visit(page, context, roster_url)
    assert names[0] not in html and t("You are offline") in html
    context.close()
