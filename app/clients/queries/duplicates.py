"""Likely duplicate accounts among a studio's customers, with why each pair matches: the same
email, the same phone digits, or a very similar name with the same birth date (the rules of
the desk's duplicate notice: queries/customers.py, find_duplicates). Other studios' customers
are never looked at."""

import difflib
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.clients.queries.customers import SIMILAR_NAME
from app.core.search import fold
from app.extensions import db
from app.studios.models import StudioCustomer

PAIRS_MAX = 100


@dataclass
class DuplicatePair:
    first: User
    first_link: StudioCustomer
    second: User
    second_link: StudioCustomer
    reasons: list[str]  # codes: email, phone, name_birth_date


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio() >= SIMILAR_NAME


def list_duplicate_pairs(studio) -> list[DuplicatePair]:
    """Pairs of the studio's customers that are probably one person (at most PAIRS_MAX)."""
    la, lb = aliased(StudioCustomer), aliased(StudioCustomer)
    ua, ub = aliased(User), aliased(User)
    rows = db.session.execute(
        select(la, ua, lb, ub)
        .join(lb, and_(lb.studio_id == la.studio_id, lb.user_id > la.user_id))
        .join(ua, ua.id == la.user_id).join(ub, ub.id == lb.user_id)
        .where(la.studio_id == studio.id, or_(
            and_(la.phone_key != "", la.phone_key == lb.phone_key),
            la.birth_date == lb.birth_date,
            func.lower(ua.email) == func.lower(ub.email)))
        .order_by(ua.name, ua.id, ub.id).limit(PAIRS_MAX * 5)).all()
    pairs = []
    for first_link, first, second_link, second in rows:
        reasons = []
        if first.email and (first.email or "").lower() == (second.email or "").lower():
            reasons.append("email")
        if first_link.phone_key and first_link.phone_key == second_link.phone_key:
            reasons.append("phone")
        if (first_link.birth_date and first_link.birth_date == second_link.birth_date
                and _similar(first.name, second.name)):
            reasons.append("name_birth_date")
        if reasons:
            pairs.append(DuplicatePair(first, first_link, second, second_link, reasons))
    return pairs[:PAIRS_MAX]
