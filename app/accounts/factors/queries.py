"""Loaders and the context of the security page's passkey and second-step sections."""

from flask import abort

from app.accounts.factors import policies
from app.accounts.factors.forms import PasskeyNameForm
from app.accounts.factors.models import Passkey
from app.accounts.factors.services import passkeys, totp
from app.extensions import db


def get_own_passkey_or_404(user, passkey_id: int) -> Passkey:
    """One of `user`'s passkeys; someone else's is a 404, like a missing one."""
    passkey = db.session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != user.id:
        abort(404)
    return passkey


def security_context(user, rename: tuple[int, PasskeyNameForm] | None = None) -> dict:
    """What the passkey and second-step sections show: each passkey with a rename form (the one
    being renamed keeps what was typed), the app, the recovery codes left, what is required."""
    keys = passkeys.list_passkeys(user)
    has_app = totp.has_totp(user)
    forms = {p.id: PasskeyNameForm(formdata=None, obj=p, prefix=f"passkey-{p.id}") for p in keys}
    if rename is not None:
        forms[rename[0]] = rename[1]
    return {"passkeys": keys, "rename_forms": forms, "has_app": has_app,
            "codes_left": totp.count_recovery_codes(user) if has_app else 0,
            "second_step_required": policies.second_step_required(user),
            "has_second_step": policies.has_second_step(user),
            "needs_verification": policies.must_verify_user(user)}
