"""Studio console: the studio's booking settings, and how it sells (tax, invoices, passes)."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from app.core.db import utcnow
from app.extensions import db
from app.studios.console import console_blueprint
from app.studios.forms import BookingPolicyForm, MoneySettingsForm
from app.studios.services import update_booking_policy, update_money_settings

bp = console_blueprint("studio_manage", __name__)


def _settings_page(form=None, money_form=None, status: int = 200):
    return render_template("manage/settings.html", studio=g.studio,
                           form=form or BookingPolicyForm(formdata=None, obj=g.studio),
                           money_form=money_form or MoneySettingsForm.for_studio(g.studio),
                           invoice_year=utcnow().year), status


@bp.get("/settings")
def settings_form():
    return _settings_page()


@bp.post("/settings")
def update_settings():
    form = BookingPolicyForm()
    if not form.validate_on_submit():
        return _settings_page(form=form, status=422)
    update_booking_policy(g.studio, **{k: v for k, v in form.data.items() if k != "csrf_token"})
    db.session.commit()
    flash(_("Booking settings saved."), "success")
    return redirect(url_for(".settings_form"), 303)


@bp.post("/settings/money")
def update_money():
    form = MoneySettingsForm()
    if not form.validate_on_submit():
        return _settings_page(money_form=form, status=422)
    update_money_settings(g.studio, **form.settings())
    db.session.commit()
    flash(_("Payment and tax settings saved."), "success")
    return redirect(url_for(".settings_form", _anchor="money"), 303)
