"""A person's notification settings (/me/notifications): channels, quiet hours, phone number,
devices for web push; and the one-click unsubscribe link."""
from flask import Blueprint, abort, current_app, flash, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.lifecycle import done, perform
from app.extensions import csrf
from app.notifications import channels
from app.notifications.errors import BadUnsubscribeLink, WrongCode
from app.notifications.forms import (
    CATEGORY_LABELS,
    UNUSABLE,
    CodeForm,
    PhoneForm,
    PreferencesForm,
    SubscriptionForm,
    device_label,
)
from app.notifications.models import Category, Status
from app.notifications.queries import get_subscription_or_404, list_subscriptions
from app.notifications.services import preferences as prefs_service
from app.notifications.services import push as push_service

bp = Blueprint("notifications", __name__)
PAGE = "notifications/preferences.html"


def _page(form=None, phone_form=None, code_form=None, status=200, message=None):
    prefs = prefs_service.current_preferences(current_user)
    if form is None:
        form = PreferencesForm(formdata=None, quiet_start=prefs.quiet_start,
                               quiet_end=prefs.quiet_end,
                               **{c.value: prefs.channels(c) for c in Category})
    return render_template(PAGE, prefs=prefs, form=form, phone_form=phone_form or PhoneForm(
        formdata=None), code_form=code_form or CodeForm(formdata=None),
        sms_available=channels.sms_configured(), message=message,
        subscriptions=list_subscriptions(current_user),
        vapid_public_key=current_app.config["VAPID_PUBLIC_KEY"]), status


@bp.get("/me/notifications")
@login_required
def preferences():
    return _page()


@bp.post("/me/notifications")
@login_required
def save_preferences():
    form = PreferencesForm()
    if not form.validate():
        return _page(form=form, status=422)
    return perform(lambda: prefs_service.update_preferences(
        current_user, form.choices(), form.quiet_start.data, form.quiet_end.data,
        actor=current_user),
        lambda _prefs: done(_("Your notification settings are saved."),
                            url_for("notifications.preferences")))


@bp.post("/me/notifications/phone")
@login_required
def start_phone():
    form = PhoneForm()
    if not form.validate():
        return _page(phone_form=form, status=422)

    def sent(status):
        if status == Status.UNDELIVERABLE:
            return _page(phone_form=form, status=422,
                         message=_("Text messages to this number fail. Check the number."))
        if status != Status.SENT:
            return _page(phone_form=form, status=503,
                         message=_("The code could not be sent just now. Try again soon."))
        return done(_("We sent a code to %(phone)s.", phone=form.phone.data),
                    url_for("notifications.preferences"))

    return perform(lambda: prefs_service.start_phone_verification(
        current_user, form.phone.data, actor=current_user), sent)


@bp.post("/me/notifications/phone/confirm")
@login_required
def confirm_phone():
    form = CodeForm()
    if not form.validate():
        return _page(code_form=form, status=422)

    def checked(prefs):
        if prefs is None:
            form.code.errors = [str(WrongCode())]
            return _page(code_form=form, status=422)
        return done(_("Your number is confirmed."), url_for("notifications.preferences"))

    return perform(lambda: prefs_service.confirm_phone(current_user, form.code.data,
                                                       actor=current_user), checked)


@bp.post("/me/notifications/phone/remove")
@login_required
def remove_phone():
    return perform(lambda: prefs_service.remove_phone(current_user, actor=current_user),
                   lambda _p: done(_("Your number is removed."),
                                   url_for("notifications.preferences")))


@bp.post("/me/notifications/push")
@login_required
def subscribe_push():
    """The page's script posts this browser's push subscription (JSON, CSRF in a header)."""
    form = SubscriptionForm()
    if not form.validate():
        return jsonify(error=str(UNUSABLE)), 422  # whatever is wrong, the page says this
    label = device_label(request.headers.get("User-Agent", ""))
    return perform(lambda: push_service.subscribe(
        current_user, form.endpoint.data, form.p256dh.data, form.auth.data, label,
        actor=current_user),
        lambda row: _subscribed(row))


def _subscribed(row):
    flash(_("This device will remind you."), "success")
    return jsonify(id=row.id, redirect=url_for("notifications.preferences")), 201


@bp.post("/me/notifications/push/<int:subscription_id>/remove")
@login_required
def remove_push(subscription_id: int):
    subscription = get_subscription_or_404(current_user, subscription_id)
    return perform(lambda: push_service.remove_subscription(subscription, actor=current_user),
                   lambda _r: done(_("This device will no longer get notifications."),
                                   url_for("notifications.preferences")))


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET asks (a mail scanner following links unsubscribes nobody); POST does it: the
    button on that page, or a mail client's one-click (RFC 8058), which cannot carry our
    CSRF token; the signed link is the proof."""
    try:
        user_id, category = prefs_service.read_unsubscribe_token(token)
    except BadUnsubscribeLink:
        abort(404)
    label = CATEGORY_LABELS[Category(category)]
    if request.method == "GET":
        return render_template("notifications/unsubscribe.html", token=token, label=label,
                               done=False)
    return perform(lambda: prefs_service.unsubscribe(user_id, category),
                   lambda _p: render_template("notifications/unsubscribe.html", token=token,
                                              label=label, done=True))


csrf.exempt(unsubscribe)
