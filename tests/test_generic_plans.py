"""How PostgreSQL runs the booking lookups that every booking and every week page make.

psycopg prepares a statement it runs often (the fifth time), and PostgreSQL may then plan it
once for any values: a generic plan. Bound values are unknown to that plan, so a partial index
whose condition they would satisfy cannot be used. The customer's active booking in a class is
looked up on every booking; with the statuses bound, a regular with thousands of past bookings
had it read every one of their index entries. app.core.db.one_of writes fixed sets into the SQL."""

import re
import uuid
from datetime import date

import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects import postgresql

from app.bookings.models import ACTIVE, Booking
from app.bookings.queries import _my_bookings
from app.bookings.services.locks import _ACTIVE_BOOKING
from app.bookings.week import WEEK_FILTER_NAMES, _week_with_states
from app.extensions import db
from app.schedule.queries import ScheduleFilters, week_params
from tests.factories import ClassFactory, StudioFactory, UserFactory

PARTIAL_INDEX = "uq_bookings_active_customer"  # one active booking per customer and class


def generic_plan(statement, values: dict) -> str:
    """EXPLAIN of `statement`'s generic plan, prepared the way psycopg prepares it."""
    state = statement.compile(dialect=postgresql.psycopg.dialect()).construct_expanded_state(values)
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", state.statement)))
    sql = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", state.statement)
    db.session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))  # the test tables are tiny
    name = f"fitflow_plan_{uuid.uuid4().hex[:8]}"
    db.session.execute(text(f"PREPARE {name} AS {sql}"))
    args = ", ".join(literal(state.parameters[n]) for n in names)
    plan = "\n".join(db.session.execute(text(f"EXPLAIN EXECUTE {name}({args})")).scalars())
    db.session.execute(text(f"DEALLOCATE {name}"))
    return plan


def literal(value) -> str:
    """A test's own constant (an id, a status) as SQL: EXECUTE takes no bound arguments."""
    if isinstance(value, int):
        return str(value)
    value = getattr(value, "value", value)
    assert re.fullmatch(r"[a-z_]+", value)
    return f"'{value}'"


@pytest.fixture
def pg(app, ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.fail("this test needs PostgreSQL")


def test_the_active_booking_lookup_uses_the_partial_index_in_a_generic_plan(pg):
    plan = generic_plan(_ACTIVE_BOOKING, {"class_id": 1, "customer_id": 1})
    assert PARTIAL_INDEX in plan, plan
    assert "'confirmed'" in _ACTIVE_BOOKING.compile(dialect=postgresql.psycopg.dialect()) \
        .construct_expanded_state({"class_id": 1, "customer_id": 1}).statement


def test_negative_control_with_the_statuses_bound_the_partial_index_is_out_of_reach(pg):
    bound = select(Booking).where(Booking.class_id == bindparam("class_id"),
                                  Booking.customer_id == bindparam("customer_id"),
                                  Booking.status.in_(ACTIVE))
    plan = generic_plan(bound, {"class_id": 1, "customer_id": 1})
    assert PARTIAL_INDEX not in plan, plan


# --- the week's own bookings: looked up class by class ------------------------------------------


def plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def test_the_week_looks_up_the_customers_booking_class_by_class(pg):
    """Joined, PostgreSQL read every booking the customer ever made to find this week's (a
    regular's history); looked up laterally it probes the partial unique index once a class,
    whatever the history. The week's statement on PostgreSQL, as the page runs it."""
    studio, customer = StudioFactory(), UserFactory()
    for hours in range(2, 40, 3):
        ClassFactory(studio=studio, hours_ahead=hours)
    params = week_params(studio, date.today(), ScheduleFilters(), "UTC")
    statement = _week_with_states(frozenset(params) & WEEK_FILTER_NAMES, True)
    state = statement.compile(dialect=postgresql.psycopg.dialect()).construct_expanded_state(
        {**params, "customer": customer.id})
    [[plan]] = db.session.connection().exec_driver_sql(
        "EXPLAIN (FORMAT JSON) " + state.statement, state.parameters).all()
    limits = [n for n in plan_nodes(plan[0]["Plan"]) if n["Node Type"] == "Limit"]
    probes = [c for n in limits for c in n.get("Plans", [])
              if c.get("Index Name") == PARTIAL_INDEX]
    assert probes, plan


def test_my_bookings_cuts_the_customers_bookings_before_naming_them(pg):
    """The customer's bookings are found, sorted and cut to the limit on their own, then joined
    to the small tables that name them; flattened, a planner with stale statistics for those
    tables scanned the bookings once for each of their rows."""
    customer = UserFactory()
    for upcoming in (True, False):
        state = _my_bookings(upcoming).compile(dialect=postgresql.psycopg.dialect()) \
            .construct_expanded_state({"customer": customer.id, "now": date.today(),
                                       "limit": 50})
        [[plan]] = db.session.connection().exec_driver_sql(
            "EXPLAIN (FORMAT JSON) " + state.statement, state.parameters).all()
        [limit] = [n for n in plan_nodes(plan[0]["Plan"]) if n["Node Type"] == "Limit"]
        under = {n.get("Relation Name") for n in plan_nodes(limit)} - {None}
        assert under == {"bookings", "classes"}, plan
