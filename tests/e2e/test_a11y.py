"""Every persona's main page, in Arabic and English, passes axe-core's WCAG 2.2 AA rules, and
every tap target on the coach's and the customer's pages is at least 44×44 CSS px."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.personas import PHONE, build_personas, signed_in_state, with_lang

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["schedule", "class", "my-bookings", "wallet", "training", "coach-today", "roster",
         "logger", "console", "orders", "operator"]
COACH_AND_CUSTOMER = PAGES[:8]
MIN_TARGET = 44


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


# A target is measured unless it is an inline link inside running text (WCAG 2.5.8's inline
# exception), hidden, or a hidden input.
SMALL_TARGETS = """(min) => {
  const blockOf = (el) => {
    let p = el.parentElement;
    while (p && getComputedStyle(p).display.startsWith('inline')) p = p.parentElement;
    return p;
  };
  const words = (el) => (el.innerText || el.textContent || '').replace(/\\s+/g, ' ').trim();
  const inRunningText = (el) => {
    if (el.tagName !== 'A' || !getComputedStyle(el).display.startsWith('inline')) return false;
    const block = blockOf(el);
    return block && words(block) !== words(el);
  };
  const out = [];
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    if (el.type === 'hidden' || el.closest('[hidden], template')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if (el.classList.contains('skip-link') && document.activeElement !== el) continue;
    if (inRunningText(el)) continue;
    if (box.width + 0.5 < min || box.height + 0.5 < min) {
      out.push(`${el.outerHTML.slice(0, 90)} is ${box.width.toFixed(1)}×${box.height.toFixed(1)}`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", COACH_AND_CUSTOMER)
def test_tap_targets_are_at_least_44px(browser, live_server, personas, signed_in, name, lang):
    context, page = open_page(browser, live_server, personas, signed_in, name, lang)
    small = page.evaluate(SMALL_TARGETS, MIN_TARGET)
    context.close()
    assert not small, f"{name} ({lang}) has small tap targets:\n" + "\n".join(small)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_sign_in_page_tap_targets_are_at_least_44px(browser, live_server, lang):
    context = browser.new_context(locale=lang, **PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/login?lang={lang}")
    small = page.evaluate(SMALL_TARGETS, MIN_TARGET)
    context.close()
    assert not small, f"/login ({lang}) has small tap targets:\n" + "\n".join(small)
