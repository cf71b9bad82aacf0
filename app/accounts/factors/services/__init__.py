"""Use cases of the sign-in factors, split by factor; and what every change of them does."""

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.core.jobs import enqueue_after_commit

# The changes of how someone signs in that are audited and e-mailed to them, as the e-mail
# says them (emails/sign_in_changed.html).
CHANGES = {
    "passkey_added": _l("A passkey was added to your FitFlow account."),
    "passkey_removed": _l("A passkey was removed from your FitFlow account."),
    "app_added": _l("An authenticator app is now the second step of your FitFlow account."),
    "recovery_codes_renewed": _l("New recovery codes were made for your FitFlow account; the "
                                 "old ones no longer work."),
    "second_step_removed": _l("The second step of your FitFlow account was turned off."),
    "code_reused": _l("A code from your authenticator app was typed again after it had been "
                      "used, and was refused."),
}


def note_change(user: User, change: str, *, actor: User | None = None, **data) -> None:
    """Audit a change of `user`'s ways of signing in and tell them by e-mail: if it was not
    them, the e-mail is how they find out (ASVS 2.5.5)."""
    assert change in CHANGES, change
    actor = actor or user
    record(f"sign_in_method.{change}", actor=actor, studio_id=None, subject=f"user:{user.id}",
           **data)
    enqueue_after_commit("workers.jobs.accounts.send_sign_in_changed", user.id, change,
                         queue="notifications")
