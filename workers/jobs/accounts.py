from app.accounts.models import User
from app.accounts.tokens import make_token
from app.core.urls import external_url
from app.extensions import db
from app.notifications.services import send_email
from workers.jobs import job


@job
def send_verification(user_id: int) -> bool:
    """Email the link that confirms a new account's address."""
    user = db.session.get(User, user_id)
    if user is None or user.is_verified:
        return False
    return send_email(user, "verify_email", dedup_key=f"verify:{user.id}:{user.email}",
                      link=external_url("accounts.verify_email", token=make_token(user, "verify")))


@job
def send_password_reset(user_id: int) -> bool:
    """Email a one-time, expiring link to choose a new password."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    return send_email(user, "password_reset",
                      link=external_url("accounts.reset_form", token=make_token(user, "reset")))
