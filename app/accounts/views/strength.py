"""The strength meter under every new-password field (ASVS 2.1.8): htmx posts what is typed,
debounced, and swaps in the verdict (templates/accounts/_password_strength.html)."""

from flask import current_app, get_template_attribute, make_response
from flask_login import current_user

from app.accounts.forms import StrengthForm
from app.accounts.passwords import rate
from app.accounts.views import bp
from app.extensions import limiter


@bp.post("/password/strength")
@limiter.limit(lambda: current_app.config["STRENGTH_LIMIT"])
def rate_password():
    """The meter for the typed password (empty for an empty field); the person's name and
    address count against it. Nothing is stored, and the answer is never cached."""
    form = StrengthForm()
    form.validate()
    hints = [form.name.data, form.email.data]
    if current_user.is_authenticated:
        hints += [current_user.name, current_user.email]
    password = form.password.data or ""
    strength = rate(password, tuple(h[:254] for h in hints if h)) if password else None
    meter = get_template_attribute("accounts/_password_strength.html", "strength_meter")
    response = make_response(meter(strength))
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("HX-Request")
    return response
