"""Operator use cases on people across studios."""

from app.accounts.factors.services.totp import remove_second_step
from app.accounts.services import find_user
from app.audit.services import record
from app.core.errors import NotFound


def reset_second_step(email: str, *, actor):
    """Forget a person's authenticator app and recovery codes (a lost phone), audited; they set
    up a new one at their next sign-in if their role requires it."""
    user = find_user(email)
    if user is None:
        raise NotFound()
    remove_second_step(user, actor=actor)
    record("second_step.reset", actor=actor, studio_id=None, subject=f"user:{user.id}",
           email=user.email)
    return user
