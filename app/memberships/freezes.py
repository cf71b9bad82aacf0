"""Pausing a membership: the pass's side (its paused days and its end moved by them). Its card
billing and the fee are billing's (app/billing/services/freezes.py)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from app.core.db import utcnow
from app.core.i18n import local
from app.extensions import db
from app.memberships.errors import FreezeRefused
from app.memberships.models import Pass, PassFreeze, PassStatus


def freeze_pass(studio, pass_: Pass, *, starts_on: date, ends_on: date, tz: str, actor,
                now: datetime | None = None) -> PassFreeze:
    """Pause a membership for local days `starts_on`..`ends_on` within what its plan allows;
    its end moves by the paused days. The caller (billing) pauses its card billing and charges
    the fee."""
    now = now or utcnow()
    plan = pass_.plan
    today = local(now, tz).date()
    days = (ends_on - starts_on).days + 1
    if not plan.is_membership or not plan.freeze_allowed:
        raise FreezeRefused()
    if pass_.status != PassStatus.ACTIVE:
        raise FreezeRefused(_("Only an active membership can be paused."))
    if starts_on < today or ends_on < starts_on:
        raise FreezeRefused(_("A pause starts today or later and ends on or after its first "
                              "day."))
    if not plan.freeze_min_days <= days <= plan.freeze_max_days:
        raise FreezeRefused(_("A pause of this membership lasts %(min)s to %(max)s days.",
                              min=plan.freeze_min_days, max=plan.freeze_max_days))
    if pass_.expires_at is not None and datetime.combine(starts_on, time(0), ZoneInfo(tz)) \
            >= pass_.expires_at:
        raise FreezeRefused(_("The pause must start before the membership ends."))
    if pass_.frozen_until is not None and pass_.frozen_until > now:
        raise FreezeRefused(_("This membership already has a pause; one at a time."))
    year_ago = today - timedelta(days=365)
    used = db.session.scalar(select(func.count()).select_from(PassFreeze).where(
        PassFreeze.pass_id == pass_.id, PassFreeze.starts_on > year_ago))
    if used >= plan.freezes_per_year:
        raise FreezeRefused(ngettext("This membership can be paused %(num)s time a year.",
                                     "This membership can be paused %(num)s times a year.",
                                     plan.freezes_per_year))
    zone = ZoneInfo(tz)
    pass_.frozen_from = datetime.combine(starts_on, time(0), zone).astimezone(UTC)
    pass_.frozen_until = datetime.combine(ends_on + timedelta(days=1), time(0), zone) \
        .astimezone(UTC)
    if pass_.expires_at is not None:
        pass_.expires_at += timedelta(days=days)
    freeze = PassFreeze(studio_id=studio.id, pass_id=pass_.id, starts_on=starts_on,
                        ends_on=ends_on, days=days, actor_id=actor.id if actor else None)
    db.session.add(freeze)
    db.session.flush()
    return freeze
