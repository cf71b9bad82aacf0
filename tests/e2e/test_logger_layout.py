"""The session logger on a tablet, landscape and portrait, in Arabic and English: every set row
stays on one line and none of its controls covers another (the ✓ once covered "reps")."""

import pytest

from tests.e2e.personas import build_personas, signed_in_state, with_lang

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
TABLETS = {"landscape": {"width": 1024, "height": 768}, "portrait": {"width": 768, "height": 1024}}

# The boxes of what a set row shows, by row: its number, last time's set, the steppers, their
# fields and units, the ✓ (or, once logged, the set, its records and Undo).
ROW_BOXES = """() => [...document.querySelectorAll('[data-set-rows] > .set-row')].map(row => ({
  id: row.id,
  boxes: [...row.querySelectorAll(
    '.set-no, .set-last, .stepper > *, .set-log, .set-done, .set-records, form button')]
    .map(el => ({what: (el.className || el.tagName) + ' ' + (el.textContent || '').trim(),
                 box: el.getBoundingClientRect().toJSON()}))
    .filter(b => b.box.width > 0 && b.box.height > 0),
}))"""


@pytest.fixture(scope="module")
def logger(live_app, browser, live_server):
    personas = build_personas(live_app)
    return personas.page("logger").path, signed_in_state(browser, live_server, personas.email)


def overlap(a: dict, b: dict) -> bool:
    tolerance = 0.5  # sub-pixel rounding of neighbours that only touch
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > tolerance
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > tolerance)


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("orientation", TABLETS)
def test_set_rows_stay_on_one_line_without_overlaps(browser, live_server, logger, lang,
                                                    orientation, artifacts_dir):
    path, state = logger
    context = browser.new_context(locale=lang, storage_state=state, has_touch=True,
                                  viewport=TABLETS[orientation])
    page = context.new_page()
    page.goto(live_server + with_lang(path, lang))
    rows = page.evaluate(ROW_BOXES)
    page.screenshot(path=artifacts_dir / f"logger-{orientation}-{lang}.png", full_page=True)
    context.close()

    assert len(rows) >= 3 and all(len(r["boxes"]) >= 3 for r in rows), rows
    problems = []
    for row in rows:
        boxes = row["boxes"]
        # One line: a horizontal band crosses every control.
        if max(b["box"]["top"] for b in boxes) >= min(b["box"]["bottom"] for b in boxes):
            problems.append(f"{row['id']} wraps: " + ", ".join(
                f"{b['what']!r} at y={b['box']['top']:.0f}" for b in boxes))
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                if overlap(a["box"], b["box"]):
                    problems.append(f"{row['id']}: {a['what']!r} overlaps {b['what']!r}")
    assert not problems, f"{orientation} ({lang}):\n" + "\n".join(problems)
