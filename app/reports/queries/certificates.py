"""Certificates per course: issued and renewed in the period, expired in it, the renewal rate
(renewals issued / certificates expired in the period) and those expiring in the next 60 days
(valid, not replaced by a newer one)."""

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from app.certificates.models import Certificate, Course
from app.core.i18n import translated
from app.extensions import db

from . import COUNT, PERCENT, TEXT, Table, bar_chart, rate, shown_cell

SOON = 60  # days


def _counts(studio, filters, today: date):
    newer = aliased(Certificate)
    replaced = exists().where(newer.replaces_id == Certificate.id, newer.revoked_at.is_(None))
    live = Certificate.revoked_at.is_(None)
    issued = Certificate.issued_on.between(filters.start, filters.end)
    n = func.count(Certificate.id).filter
    return db.session.execute(
        select(Certificate.course_id, n(issued).label("issued"),
               n(issued, Certificate.renewal).label("renewals"),
               n(live, Certificate.expires_on.between(filters.start, filters.end))
               .label("expired"),
               n(live, ~replaced, Certificate.expires_on.between(
                   today, today + timedelta(days=SOON))).label("expiring"))
        .where(Certificate.studio_id == studio.id)
        .group_by(Certificate.course_id)).all()


def certificates(studio, filters, today: date) -> dict:
    names = {r.id: translated(r.name) for r in db.session.execute(
        select(Course.id, Course.name).where(Course.studio_id == studio.id))}
    table = Table("certificates", [
        (_("Course"), TEXT), (_("Issued"), COUNT), (_("Renewals"), COUNT), (_("Expired"), COUNT),
        (_("Renewal rate"), PERCENT), (_("Expiring in the next 60 days"), COUNT)])
    rows = [r for r in _counts(studio, filters, today) if r.issued or r.expired or r.expiring]
    for r in sorted(rows, key=lambda r: names[r.course_id]):
        table.rows.append([names[r.course_id], r.issued, r.renewals, r.expired,
                           rate(r.renewals, r.expired), r.expiring])
    totals = {k: sum(getattr(r, k) for r in rows)
              for k in ("issued", "renewals", "expired", "expiring")}
    totals["renewal_rate"] = shown_cell(rate(totals["renewals"], totals["expired"]), PERCENT)
    chart = bar_chart([row[0] for row in table.rows], [
        (_("Issued"), [row[1] for row in table.rows]),
        (_("Expired"), [row[3] for row in table.rows]),
        (_("Renewals"), [row[2] for row in table.rows])])
    return {"table": table, "chart": chart, "totals": totals}
