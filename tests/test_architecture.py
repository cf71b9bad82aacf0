"""The import contract (pyproject.toml, [tool.importlinter]) holds, and it would catch a wrong
import: a copy of the package with core importing a domain's views, and a domain importing one
above it, each breaks it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"}, timeout=120)


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """The package and its contract, copied: the wrong imports go into the copy only."""
    where = tmp_path_factory.mktemp("contract")
    shutil.copytree(ROOT / "app", where / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
    return where


def test_the_contract_holds():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module, wrong", [
    ("app/core/money.py", "from app.bookings import views"),  # core knows no domain
    ("app/schedule/queries.py", "from app.bookings.queries import list_roster"),  # upward
    ("app/bookings/services/book.py", "from app.bookings import manage_views"),  # a use case, views
])
def test_a_wrong_import_breaks_it(copy, module, wrong):
    path = copy / module
    original = path.read_text()
    path.write_text(original + f"\n{wrong}  # noqa\n")
    try:
        result = lint(copy)
    finally:
        path.write_text(original)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
