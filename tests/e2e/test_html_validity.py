"""Every persona's main page, in Arabic and English, is valid HTML for the Nu HTML Checker
(vnu), htmx's `hx-*` attributes aside. scripts/setup --test installs Java and vnu.jar."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.personas import build_personas, signed_in_state, with_lang

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
VNU_JAR = Path(__file__).resolve().parents[1] / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"
# htmx's attributes are not HTML's; everything else the checker says is an error here.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+(:[a-z:-]+)?” not allowed on element")


def vnu_errors(files: list[Path]) -> list[dict]:
    """Check all `files` in one run of the checker (one JVM start) and return its errors."""
    java = shutil.which("java")
    assert java and VNU_JAR.exists(), "run scripts/setup --test: it installs Java and vnu.jar"
    done = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--errors-only",
         *map(str, files)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    return [m for m in json.loads(done.stdout)["messages"]
            if m["type"] == "error" and not HTMX_ATTRIBUTE.match(m["message"])]


def test_main_pages_are_valid_html(browser, live_app, live_server, tmp_path):
    personas = build_personas(live_app)
    state = signed_in_state(browser, live_server, personas.email)
    context = browser.new_context(storage_state=state)
    files = []
    for spec in personas.pages:
        for lang in ("en", "ar"):
            # The HTML as served, before any script: what the checker should read.
            request = context.request if spec.signed_in else browser.new_context().request
            response = request.get(live_server + with_lang(spec.path, lang))
            assert response.ok, f"{spec.name}: HTTP {response.status}"
            assert "/login" not in response.url, f"{spec.name} sent a signed-in person to sign in"
            file = tmp_path / f"{spec.name}-{lang}.html"
            file.write_text(response.text(), encoding="utf-8")
            files.append(file)
    context.close()

    errors = vnu_errors(files)
    report = [f"{Path(e['url']).name}:{e.get('lastLine')}: {e['message']}"
              f"\n    {e.get('extract', '')}"
              for e in errors]
    assert not errors, "\n".join(report)
