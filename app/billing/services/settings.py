"""How a studio sells: passes required to book, taxes, invoice numbers and language, fees,
Stripe keys."""

from datetime import date

from app.billing.services import taxes
from app.billing.services.taxes import RULES
from app.core.errors import InvalidInput
from app.extensions import db
from app.studios.models import INVOICE_LANGUAGES

PLAIN = ("booking_requires_pass", "prices_include_tax", "invoice_prefix", "invoice_language",
         "late_cancel_fee_minor", "no_show_fee_minor", "unpaid_orders_per_kind")


def update_money_settings(studio, **settings):
    """Change the studio's selling settings. Stripe keys left empty are kept (they are never
    shown back); `remove_stripe` forgets both."""
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
    if settings.get("remove_stripe"):
        studio.stripe_secret_key = studio.stripe_webhook_secret = None
    else:
        for key in ("stripe_secret_key", "stripe_webhook_secret"):
            if settings.get(key):
                setattr(studio, key, settings[key])
    db.session.flush()
    return studio
