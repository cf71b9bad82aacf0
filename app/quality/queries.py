"""What the data-quality pages show: the last run of a studio (or of every studio), its
findings grouped by check, each with a translated description and the URL where it is fixed."""

from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import func, select

from app.core.i18n import format_date, format_datetime, format_money
from app.extensions import db
from app.quality.checks import CHECKS
from app.quality.models import QualityFinding, QualityRun
from app.studios.models import Studio

TITLES = {
    "duplicate_customer": _l("Possible duplicate customers"),
    "booking_in_cancelled_class": _l("Bookings still active in a cancelled class"),
    "negative_balance": _l("Passes with a negative balance"),
    "card_payment": _l("Card payments Stripe and FitFlow disagree on"),
    "invoice_gap": _l("Gaps in invoice numbers"),
    "certificate_expiring": _l("Certificates expiring in the next 30 days"),
}
KIND_OF = {"invoice": _l("invoice"), "credit_note": _l("credit note")}


def _bdi(value) -> Markup:
    return Markup("<bdi>{}</bdi>").format(value)


def describe(f: QualityFinding, tz: str) -> Markup:
    """The finding in a sentence of the reader's language; names, numbers and Stripe ids sit
    in <bdi> (escaped), so a Latin id keeps its place in an Arabic sentence."""
    return Markup(_sentence(f.kind, {k: _bdi(v) if isinstance(v, str) else v
                                     for k, v in f.params.items()}, f.params, tz))


def _sentence(kind: str, p: dict, raw: dict, tz: str) -> str:
    if kind == "duplicate_customer":
        return _("%(first)s and %(second)s may be the same person.", **p)
    if kind == "booking_in_cancelled_class":
        return ngettext("%(num)d booking is still active in the cancelled class of %(when)s.",
                        "%(num)d bookings are still active in the cancelled class of %(when)s.",
                        p["count"],
                        when=format_datetime(datetime.fromisoformat(raw["starts_at"]), tz))
    if kind == "negative_balance":
        return _("Pass %(number)s has a balance of %(balance)s credits.",
                  number=p["pass"], balance=p["balance"])
    if kind == "invoice_gap":
        return _("No %(kind)s numbered %(first)s to %(last)s was issued (the one before "
                  "%(after)s).", kind=KIND_OF.get(raw["kind"], p["kind"]), first=p["first"],
                  last=p["last"], after=p["after"])
    if kind == "certificate_expiring":
        return _("Certificate %(number)s expires on %(date)s.", number=p["number"],
                  date=format_date(date.fromisoformat(raw["expires_on"]), fmt="medium"))
    amount = format_money(raw["amount"], raw["currency"])
    if kind == "charge_not_applied":
        return _("Stripe charge %(charge)s of %(amount)s was paid but never applied to an "
                  "order.", charge=p["charge"], amount=amount)
    if kind == "payment_not_at_stripe":
        return _("A card payment of %(amount)s (%(reference)s) is recorded but Stripe has no "
                  "paid charge for it.", amount=amount, reference=p["reference"])
    if kind == "refund_not_applied":
        return _("Stripe refund %(refund)s of %(amount)s is not recorded in FitFlow.",
                  refund=p["refund"], amount=amount)
    return _("Refund %(refund)s of %(amount)s is recorded but Stripe does not have it.",
              refund=p["refund"], amount=amount)


@dataclass
class Group:
    check: str
    title: str
    findings: list


def fix_url(f: QualityFinding, studio: Studio) -> str:
    return url_for(f.endpoint, studio=studio.slug, **f.endpoint_args)


def grouped(findings, studios: dict[int, Studio]) -> list[Group]:
    """Findings by check in the order of CHECKS, each as (studio, description, URL)."""
    groups = {check: Group(check, str(TITLES[check]), []) for check in CHECKS}
    for f in findings:
        studio = studios[f.studio_id]
        groups[f.check_name].findings.append(
            (studio, describe(f, studio.timezone), fix_url(f, studio)))
    return list(groups.values())


def studio_report(studio: Studio) -> dict:
    """The page's context: when the checks last ran and what they found."""
    findings = db.session.scalars(select(QualityFinding).where(
        QualityFinding.studio_id == studio.id).order_by(QualityFinding.id)).all()
    run = db.session.get(QualityRun, studio.id)
    return {"run": run, "skipped": [str(TITLES[k]) for k in (run.skipped if run else [])],
            "groups": grouped(findings, {studio.id: studio}), "total": len(findings)}


def platform_report() -> dict:
    """Every studio's last findings (the operator's page), with each studio's last run."""
    studios = {s.id: s for s in db.session.scalars(select(Studio))}
    findings = db.session.scalars(select(QualityFinding).order_by(
        QualityFinding.studio_id, QualityFinding.id)).all()
    runs = {r.studio_id: r for r in db.session.scalars(select(QualityRun))}
    return {"groups": grouped(findings, studios), "total": len(findings), "runs": runs,
            "studios": sorted(studios.values(), key=lambda s: s.slug)}


def count_findings(studio_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(QualityFinding)
                             .where(QualityFinding.studio_id == studio_id))
