"""Texts a studio writes in place of a message's defaults: which kinds may be edited, the named
placeholders each offers, checking a text before it is saved, and filling one in when a message
is sent.

A studio's text is never a template: it is filled with `str.format_map` from a dict of plain
strings built here (`values_for`), so `{name}` is the only syntax and nothing in it can reach an
object, an attribute or Jinja. Texts are checked on save (unknown names, braces that do not
pair, a conversion or a format spec are refused) and filled defensively when sent: a text that
still fails falls back to the default template.
"""
from datetime import timedelta
from string import Formatter
from types import SimpleNamespace

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.db import utcnow
from app.core.i18n import format_date, format_datetime, format_list, format_money, translated
from app.extensions import db
from app.notifications.models import MessageText

CUSTOM_TEMPLATE = "_custom"  # templates/emails/_custom.html: the studio's text in the layout
LANGUAGES = ("en", "ar")

_COMMON = ("name", "studio_name", "url")
_CLASS = (*_COMMON, "class_name", "starts_at", "place", "coach_name", "customer_name")
_SESSION = (*_COMMON, "session_name", "starts_at", "place", "coach_name", "customer_name")

# Each editable kind: its label in the console and the placeholders its text may use. Account
# and security messages are not editable (a studio must not be able to reword a sign-in link).
EDITABLE = {
    "booking_confirmed": (_l("Booking confirmed"), _CLASS),
    "booking_cancelled": (_l("Booking cancelled"), _CLASS),
    "waitlist_joined": (_l("Waitlist joined"), _CLASS),
    "waitlist_promoted": (_l("Moved from the waitlist into the class"), _CLASS),
    "class_changed": (_l("Class changed"), _CLASS),
    "class_cancelled": (_l("Class cancelled by the studio"), _CLASS),
    "class_reminder": (_l("Class reminder"), _CLASS),
    "session_booked": (_l("1:1 session booked"), _SESSION),
    "session_changed": (_l("1:1 session moved"), _SESSION),
    "session_cancelled": (_l("1:1 session cancelled"), _SESSION),
    "session_reminder": (_l("1:1 session reminder"), _SESSION),
    "pass_expiring": (_l("Pass ending soon"), (*_COMMON, "plan_name", "date")),
    "credits_low": (_l("One credit left"), (*_COMMON, "plan_name")),
    "membership_renewing": (_l("Membership renewing soon"),
                            (*_COMMON, "plan_name", "amount", "date")),
    "renewal_failed": (_l("Membership renewal declined"), (*_COMMON, "plan_name", "amount")),
    "money_owed": (_l("Money owed at the desk"), (*_COMMON, "amount", "date")),
}


def placeholders_of(kind: str) -> tuple[str, ...]:
    return EDITABLE[kind][1]


def problems(kind: str, text: str) -> list[str]:
    """Why `text` cannot be saved for `kind` (translated), or nothing."""
    allowed = placeholders_of(kind)
    try:
        parts = list(Formatter().parse(text))
    except ValueError:
        return [_("The braces do not pair up: write a placeholder as {name}, and a brace on "
                  "its own as {{ or }}.")]
    unknown = []
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in allowed or spec or conversion:
            unknown.append("{" + field + "}")
    if unknown:
        return [_("Unknown placeholder %(names)s. You can use: %(allowed)s.",
                  names=format_list(dict.fromkeys(unknown)),
                  allowed=" ".join("{" + p + "}" for p in allowed))]
    return []


class _Values(dict):
    def __missing__(self, key):  # a name allowed for the kind that this message lacks
        return ""


def values_for(ctx: dict) -> dict:
    """The placeholders' values for a message's context, as plain strings in the current
    language (the caller forced the recipient's locale)."""
    studio = ctx["studio"]
    lang = studio.default_language
    user = ctx.get("user")
    values = _Values(name=user.name if user else "", url=ctx.get("url") or "",
                     studio_name=translated(studio.name, lang))
    cls, appointment = ctx.get("cls"), ctx.get("appointment")
    if cls is not None:
        values.update(class_name=translated(cls.class_type.name, lang),
                      coach_name=cls.coach.name if cls.coach else "", customer_name=values["name"])
    if appointment is not None:
        values.update(session_name=translated(appointment.session_type.name, lang),
                      coach_name=appointment.coach.name, customer_name=appointment.customer.name)
    event = cls if cls is not None else appointment
    if event is not None:
        values.update(starts_at=format_datetime(event.starts_at, event.timezone),
                      place=translated(event.location.name, lang))
    plan, order, pass_ = ctx.get("plan"), ctx.get("order"), ctx.get("pass_")
    if plan is not None:
        values["plan_name"] = translated(plan.name, lang)
    if ctx.get("amount_minor") is not None:
        values["amount"] = format_money(ctx["amount_minor"], ctx["currency"])
    elif order is not None:
        values["amount"] = format_money(order.gross_minor, order.currency)
    elif plan is not None:
        values["amount"] = format_money(plan.price_minor, plan.currency)
    when = pass_.expires_at if pass_ is not None else order.created_at if order else None
    if when is not None:
        values["date"] = format_date(when, studio.timezone, fmt="medium")
    return values


# Set by a batch of messages (sending.batch): each studio's text is read once for all of them.
MEMO = "fitflow_saved_texts"


def saved_text(studio_id: int, kind: str, locale: str) -> MessageText | None:
    memo = g.get(MEMO)
    if memo is not None and (studio_id, kind, locale) in memo:
        return memo[studio_id, kind, locale]
    found = db.session.scalar(select(MessageText).where(
        MessageText.studio_id == studio_id, MessageText.kind == kind,
        MessageText.locale == locale))
    if memo is not None:
        memo[studio_id, kind, locale] = found
    return found


def list_saved(studio_id: int) -> list[MessageText]:
    """The texts a studio wrote, every kind and language."""
    return list(db.session.scalars(select(MessageText).where(MessageText.studio_id == studio_id)))


def fill(subject: str, body: str, ctx: dict) -> dict | None:
    """The studio's subject and body filled in, or None if they cannot be (then the default
    template is used: a message is never lost to a text)."""
    values = values_for(ctx)
    try:
        return {"custom_subject": subject.format_map(values),
                "custom_body": body.format_map(values)}
    except (KeyError, ValueError, IndexError, AttributeError):
        return None


def custom_parts(template: str, locale: str, ctx: dict) -> dict | None:
    """The studio's own text of this message in `locale` filled in, if it wrote one."""
    studio = ctx.get("studio")
    if studio is None or template not in EDITABLE or ctx.get("default_text"):
        return None
    text = saved_text(studio.id, template, locale)
    return fill(text.subject, text.body, ctx) if text is not None else None


def sample_context(kind: str, studio) -> dict:
    """Made-up data for showing a kind's default and previewing a text: objects with the
    attributes the templates read, nothing from the database but the studio."""
    from app.core.urls import external_url

    now = utcnow().replace(second=0, microsecond=0)
    starts = now + timedelta(days=1)
    place = SimpleNamespace(name=studio.default_location.name, timezone=studio.timezone)
    coach, customer = SimpleNamespace(name="Lina Haddad"), SimpleNamespace(name="Sara Ali")
    plan = SimpleNamespace(name={"en": "Monthly", "ar": "شهري"}, price_minor=30000,
                           currency=studio.currency)
    return dict(
        studio=studio, user=customer, default_text=True, for_coach=False, late=False,
        url=external_url("bookings.week", studio=studio.slug),
        cls=SimpleNamespace(id=1, class_type=SimpleNamespace(name={"en": "Yoga flow",
                                                                   "ar": "يوغا"}),
                            starts_at=starts, timezone=studio.timezone, location=place,
                            room=None, coach=coach) if kind in _CLASS_KINDS else None,
        booking=SimpleNamespace(id=1),
        consequence=SimpleNamespace(message=lambda: _("Cancelled — your credit is back.")),
        appointment=SimpleNamespace(
            id=1, session_type=SimpleNamespace(name={"en": "Personal training",
                                                     "ar": "تدريب شخصي"}),
            starts_at=starts, timezone=studio.timezone, location=place, coach=coach,
            customer=customer) if kind in _SESSION_KINDS else None,
        plan=plan,
        pass_=SimpleNamespace(expires_at=now + timedelta(days=3))
        if kind in ("pass_expiring", "credits_low", "membership_renewing") else None,
        order=SimpleNamespace(gross_minor=30000, currency=studio.currency,
                              description=plan.name, created_at=now - timedelta(days=8))
        if kind in ("renewal_failed", "money_owed") else None,
        amount_minor=30000 if kind == "renewal_failed" else None, currency=studio.currency)


_CLASS_KINDS = {k for k, (_label, names) in EDITABLE.items() if names is _CLASS}
_SESSION_KINDS = {k for k, (_label, names) in EDITABLE.items() if names is _SESSION}
