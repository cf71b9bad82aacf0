"""Memberships and retention: memberships active, new, frozen, ended and cancelled in the
period, the renewal rate and churn; and monthly cohorts of new customers (the month of their
first booking) with how many still book 1, 2 and 3 months later. Days and months are the
studio's own (memberships) and each location's (bookings)."""

from collections import defaultdict
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.memberships.models import Pass, PassFreeze, PassStatus, Plan, PlanKind
from app.reports.models import Cohort
from app.schedule.queries import day_bounds

from . import COUNT, PERCENT, TEXT, Table, bar_chart, rate, shown_cell

# How many months after the first a cohort is followed (migration 0044's FOLLOWED: the cohorts
# its triggers keep; change both).
FOLLOWED = 3


def _membership_counts(studio, filters):
    lo, hi = day_bounds(filters.start, studio.timezone, filters.days)
    later = aliased(Pass)
    later_plan = aliased(Plan)
    renewed = exists().where(later.studio_id == studio.id,
                             later.customer_id == Pass.customer_id, later.id != Pass.id,
                             later.created_at > Pass.created_at,
                             later_plan.id == later.plan_id,
                             later_plan.kind == PlanKind.MEMBERSHIP)
    frozen = exists().where(PassFreeze.pass_id == Pass.id, PassFreeze.starts_on <= filters.end,
                            PassFreeze.ends_on >= filters.start)
    live = Pass.status != PassStatus.REVOKED

    def valid_at(moment):
        return and_(live, Pass.created_at < moment,
                    or_(Pass.starts_at.is_(None), Pass.starts_at < moment),
                    or_(Pass.expires_at.is_(None), Pass.expires_at >= moment))

    ended = and_(Pass.expires_at >= lo, Pass.expires_at < hi)
    cancelled = or_(Pass.status != PassStatus.ACTIVE, Pass.cancel_at_period_end)
    n = func.count(Pass.id).filter
    return db.session.execute(
        select(n(valid_at(lo)).label("at_start"), n(valid_at(hi)).label("active"),
               n(Pass.created_at >= lo, Pass.created_at < hi).label("new"),
               n(frozen).label("frozen"), n(ended).label("ended"),
               n(ended, cancelled).label("cancelled"), n(ended, renewed).label("renewed"))
        .join(Plan, Plan.id == Pass.plan_id)
        .where(Pass.studio_id == studio.id, Plan.kind == PlanKind.MEMBERSHIP)).one()


def memberships(studio, filters) -> dict:
    """The period's membership figures: renewal rate = renewed / ended in the period; churn =
    ended without renewal / active at the period's start."""
    c = _membership_counts(studio, filters)
    lost = c.ended - c.renewed
    table = Table("memberships", [(_("Figure"), TEXT), (_("Memberships"), COUNT),
                                  (_("Rate"), PERCENT)])
    table.rows = [
        [_("Active at the start"), c.at_start, None],
        [_("New"), c.new, None],
        [_("Frozen for some of the period"), c.frozen, None],
        [_("Ended"), c.ended, None],
        [_("Cancelled (ended after a cancellation)"), c.cancelled, None],
        [_("Renewed (of those ended)"), c.renewed, rate(c.renewed, c.ended)],
        [_("Churned (ended, not renewed)"), lost, rate(lost, c.at_start)],
        [_("Active at the end"), c.active, None]]
    chart = bar_chart([row[0] for row in table.rows[:5]] + [table.rows[7][0]],
                      [(_("Memberships"), [row[1] for row in table.rows[:5]]
                        + [table.rows[7][1]])])
    return {"table": table, "chart": chart,
            "renewal_rate": shown_cell(rate(c.renewed, c.ended), PERCENT),
            "churn": shown_cell(rate(lost, c.at_start), PERCENT)}


def _cohort_rows(studio, first: int, last: int) -> dict[int, dict[int, int]]:
    """Per month from `first` to `last`: the customers whose first month it is (k = 0) and how
    many of them booked k months later, from the cohorts a trigger keeps."""
    rows = defaultdict(dict)
    for r in db.session.execute(select(Cohort.first_month, Cohort.k, Cohort.customers).where(
            Cohort.studio_id == studio.id, Cohort.first_month.between(first, last))):
        rows[r.first_month][r.k] = r.customers
    return rows


def _index(day: date) -> int:
    return day.year * 12 + day.month - 1


def cohorts(studio, filters, today: date) -> dict:
    """One row per month of the period: customers who booked for the first time that month,
    and how many of them booked 1, 2, 3 months later (– for a month still to come)."""
    rows = _cohort_rows(studio, _index(filters.start), _index(filters.end))
    columns = [(_("Month"), TEXT), (_("New customers"), COUNT)]
    for k in range(1, FOLLOWED + 1):
        columns += [(ngettext("Booking %(num)d month later", "Booking %(num)d months later", k),
                     COUNT), (_("Rate"), PERCENT)]
    table = Table("cohorts", columns)
    for month in range(_index(filters.start), _index(filters.end) + 1):
        r = rows.get(month, {})
        new = r.get(0, 0)
        row = [date(month // 12, month % 12 + 1, 1).strftime("%Y-%m"), new]
        for k in range(1, FOLLOWED + 1):
            if month + k > _index(today):
                row += [None, None]
            else:
                kept = r.get(k, 0)
                row += [kept, rate(kept, new)]
        table.rows.append(row)
    chart = bar_chart([row[0] for row in table.rows],
                      [(_("New customers"), [row[1] for row in table.rows]),
                       (ngettext("Booking %(num)d month later", "Booking %(num)d months later", 1),
                        [row[2] or 0 for row in table.rows])])
    return {"table": table, "chart": chart}
