"""Every persona's main page, in Arabic and English, passes axe-core's WCAG 2.2 AA rules."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.personas import build_personas, signed_in_state, with_lang

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["schedule", "class", "my-bookings", "wallet", "training", "coach-today", "roster",
         "logger", "console", "orders", "operator"]


@pytest.fixture(scope="module")
def personas(live_app):
    return build_personas(live_app)


@pytest.fixture(scope="module")
def signed_in(browser, live_server, personas):
    return signed_in_state(browser, live_server, personas.email)


def open_page(browser, live_server, personas, signed_in, name, lang):
    spec = personas.page(name)
    context = browser.new_context(locale=lang, storage_state=signed_in if spec.signed_in else None,
                                  **spec.device)
    page = context.new_page()
    response = page.goto(live_server + with_lang(spec.path, lang))
    assert response.ok, f"{name}: HTTP {response.status}"
    assert "/login" not in page.url, f"{name} sent a signed-in person to sign in"
    return context, page


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", PAGES)
def test_main_pages_pass_axe_wcag22_aa(browser, live_server, personas, signed_in, name, lang):
    # axe leaves the contrast of Arabic text unchecked: the English run is the one that checks it.
    context, page = open_page(browser, live_server, personas, signed_in, name, lang)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA},
                                       "resultTypes": ["violations"]})
    context.close()
    violations = results.response["violations"]
    assert not violations, f"{name} ({lang}):\n{describe(violations)}"
