"""How a studio sells: passes required to book, taxes, invoice numbers and language, fees,
Stripe keys."""

from datetime import date

from app.audit.services import record
from app.billing.services import taxes
from app.billing.services.taxes import RULES
from app.core.errors import InvalidInput
from app.core.jobs import enqueue_after_commit
from app.core.origin import Origin
from app.extensions import db
from app.studios.models import INVOICE_LANGUAGES

PLAIN = ("booking_requires_pass", "prices_include_tax", "invoice_prefix", "invoice_language",
         "late_cancel_fee_minor", "no_show_fee_minor", "unpaid_orders_per_kind")


def update_money_settings(studio, *, actor, origin: Origin | None = None, **settings):
    """Change the studio's selling settings. Stripe keys left empty are kept (they are never
    shown back); `remove_stripe` forgets both. A change is audited (the names of what
    changed, never the values) and emailed to the studio's owners."""
    before = _settings_of(studio)
    had_stripe = studio.stripe_secret_key is not None or studio.stripe_webhook_secret is not None
    if settings.get("invoice_language") not in (None, *INVOICE_LANGUAGES):
        raise InvalidInput()
    for key in PLAIN:
        if key in settings and settings[key] is not None:
            setattr(studio, key, settings[key])
    if "tax_numbers" in settings:
        studio.tax_numbers = [{"label": n["label"], "value": n["value"]}
                              for n in settings["tax_numbers"]]
    if "custom_taxes" in settings:
        studio.custom_taxes = [dict(code=t["code"], name=t["name"], rate=str(t["rate"]),
                                    **{"from": t.get("from") or "2000-01-01", "to": t.get("to")})
                               for t in settings["custom_taxes"]]
    if "tax_jurisdiction" in settings:
        if settings["tax_jurisdiction"] not in ("", *RULES):
            raise InvalidInput()
        studio.default_location.tax_jurisdiction = settings["tax_jurisdiction"]
    # Every own tax must be well formed and must not reuse a code of the jurisdiction's.
    for spec in studio.custom_taxes:
        taxes.custom_rule(spec)
    jurisdiction = studio.default_location.tax_jurisdiction
    if jurisdiction:
        taxes.rules_for(jurisdiction, date.today(), studio.custom_taxes)
    keys = []
    if settings.get("remove_stripe"):
        studio.stripe_secret_key = studio.stripe_webhook_secret = None
        keys = ["stripe_secret_key", "stripe_webhook_secret"] if had_stripe else []
    else:
        for key in ("stripe_secret_key", "stripe_webhook_secret"):
            if settings.get(key):
                setattr(studio, key, settings[key])
                keys.append(key)
    db.session.flush()
    changed = [name for name, value in _settings_of(studio).items() if before[name] != value]
    _audit(studio, actor, origin or Origin(), changed, keys, bool(settings.get("remove_stripe")))
    return studio


def _settings_of(studio) -> dict:
    return {**{key: getattr(studio, key) for key in PLAIN},
            "tax_numbers": list(studio.tax_numbers), "custom_taxes": list(studio.custom_taxes),
            "tax_jurisdiction": studio.default_location.tax_jurisdiction}


def _audit(studio, actor, origin: Origin, changed: list[str], keys: list[str],
           removed: bool) -> None:
    """One audit event per kind of change, then the owners' email (after commit)."""
    events = []
    if keys:
        events.append(record("stripe_keys_removed" if removed else "stripe_keys_changed",
                             actor=actor, studio_id=studio.id, subject=f"studio:{studio.id}",
                             keys=keys, **origin.as_audit()))
    if changed:
        events.append(record("payment_settings_changed", actor=actor, studio_id=studio.id,
                             subject=f"studio:{studio.id}", fields=changed, **origin.as_audit()))
    for event in events:
        enqueue_after_commit("workers.jobs.billing.tell_owners_of_payment_change", event.id,
                             queue="notifications")
