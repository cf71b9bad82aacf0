"""No N+1 anywhere: every page runs as many SQL statements for a studio with more of everything.

The sweep walks the whole URL map (a new page is covered the day it lands) as the world's owner,
who is also an operator, a coach and a customer of their own studio, so customer, coach,
console and operator pages all show their lists. It counts each page's statements, adds more
of everything those lists show (tests/world.py: grow_world), and counts again.
"""

from sqlalchemy.orm import lazyload

from tests.conftest import login
from tests.routes import build, fully_sampled
from tests.sql import Statements
from tests.world import grow_world, sample_values

# Not pages: a static file, and the health check (it pings Redis, not a list of anything).
NOT_PAGES = {"static", "healthz"}


def forget_remembered(app) -> None:
    """Drop what this process remembers between requests (week frames, rendered cards), so
    that every page is counted cold: a page's count then does not hang on which page came
    before it and filled a cache it shares."""
    app.extensions.get("week_frames", {}).clear()
    app.extensions["fragments"].clear()


def statements_per_page(app, client, values) -> dict[str, tuple[int, int]]:
    """path -> (status, statements) for every fully sampled GET route, each counted cold."""
    counted = {}
    for rule in app.url_map.iter_rules():
        if ("GET" not in rule.methods or rule.endpoint in NOT_PAGES
                or not fully_sampled(rule, values)):
            continue
        path = build(rule, values)
        forget_remembered(app)
        with Statements().counting() as sql:
            response = client.get(path)
        counted[path] = (response.status_code, sql.count)
    return counted


def pages_whose_statements_grow(app, client, world) -> dict[str, tuple[int, int]]:
    """Every page the owner sees, counted before and after `grow_world`: the pages whose count
    changed, with (before, after)."""
    login(client, world["owner"])
    values = sample_values(world)
    small = statements_per_page(app, client, values)
    pages = [path for path, (status, _n) in small.items() if status == 200]
    assert len(pages) >= 40  # the sweep reaches the customer, coach, console and operator pages

    grow_world(world, 6)
    large = statements_per_page(app, client, values)

    assert {path: large[path][0] for path in pages} == {path: 200 for path in pages}
    return {path: (small[path][1], large[path][1]) for path in pages
            if large[path][1] != small[path][1]}


def test_no_page_runs_more_statements_when_the_studio_has_more_of_everything(app, client, world):
    assert pages_whose_statements_grow(app, client, world) == {}


def test_negative_control_a_list_loading_its_rows_one_by_one_is_caught(app, client, world,
                                                                        monkeypatch):
    """The orders list without its eager loads reads each order's customer and payments by
    themselves: six more orders, more statements."""
    from app.billing import queries as billing_queries

    monkeypatch.setattr(billing_queries, "selectinload", lazyload)
    grew = pages_whose_statements_grow(app, client, world)
    orders = f"/manage/{world['studio'].slug}/orders"
    assert orders in grew and grew[orders][1] >= grew[orders][0] + 6
