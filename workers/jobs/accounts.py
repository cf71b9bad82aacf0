from app.accounts.models import User
from app.accounts.tokens import make_token
from app.core.urls import external_url
from app.extensions import db
from app.notifications.services import send_email
from app.studios.models import Studio
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


@job
def send_customer_invite(user_id: int, studio_id: int) -> bool:
    """Invite a customer the studio added at the desk to finish their account: a link to
    choose a password (valid for an hour), and the page that sends a new one whenever they
    like. Sent once; skipped once they have a password."""
    user, studio = db.session.get(User, user_id), db.session.get(Studio, studio_id)
    if user is None or studio is None or user.password_hash:
        return False
    return send_email(user, "customer_invite", dedup_key=f"invite:{studio.id}:{user.id}",
                      fallback_locale=studio.default_language, studio=studio,
                      link=external_url("accounts.reset_form", token=make_token(user, "reset")),
                      later=external_url("accounts.reset_request_form"))
