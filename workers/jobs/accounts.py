from datetime import datetime

from app.accounts.factors.services import CHANGES
from app.accounts.models import LinkPurpose, User
from app.accounts.services import find_user
from app.accounts.services.links import issue_link
from app.core.urls import external_url
from app.extensions import db
from app.notifications.services import send_email, send_email_to
from app.studios.models import Studio
from workers.jobs import job


@job
def send_verification(user_id: int) -> bool:
    """Email the link that confirms a new account's address."""
    user = db.session.get(User, user_id)
    if user is None or user.is_verified:
        return False
    token = issue_link(user, LinkPurpose.VERIFY)
    return send_email(user, "verify_email", dedup_key=f"verify:{user.id}:{user.email}",
                      link=external_url("accounts.verify_email", token=token))


@job
def send_password_reset(email: str | int) -> bool:
    """Email a one-time, expiring link to choose a new password, if `email` has an account
    (the request answered the same either way). A user id (jobs queued before the address
    was passed) is taken too."""
    user = db.session.get(User, email) if isinstance(email, int) else find_user(email)
    if user is None:
        return False
    token = issue_link(user, LinkPurpose.RESET)
    return send_email(user, "password_reset",
                      link=external_url("accounts.reset_form", token=token))


@job
def send_signup_notice(user_id: int) -> bool:
    """Someone signed up with an address that has an account: tell its owner (sign in, or
    reset the password), and nobody else learns the account exists."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    return send_email(user, "signup_notice", login=external_url("accounts.login_form"),
                      reset=external_url("accounts.reset_request_form"))


@job
def send_sign_in_throttled(user_id: int) -> bool:
    """Failed sign-ins made the account wait between tries: tell its owner."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    return send_email(user, "sign_in_throttled",
                      reset=external_url("accounts.reset_request_form"))


@job
def send_password_changed(user_id: int) -> bool:
    """The password changed and other sessions ended: tell the owner (if it was not them,
    the reset link is their way back)."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    return send_email(user, "password_changed",
                      reset=external_url("accounts.reset_request_form"))


@job
def send_customer_invite(user_id: int, studio_id: int) -> bool:
    """Invite a customer the studio added at the desk to finish their account: a link to
    choose a password (valid for an hour), and the page that sends a new one whenever they
    like. Sent once; skipped once they have a password."""
    user, studio = db.session.get(User, user_id), db.session.get(Studio, studio_id)
    if user is None or studio is None or user.password_hash:
        return False
    token = issue_link(user, LinkPurpose.RESET)
    return send_email(user, "customer_invite", dedup_key=f"invite:{studio.id}:{user.id}",
                      fallback_locale=studio.default_language, studio=studio,
                      link=external_url("accounts.reset_form", token=token),
                      later=external_url("accounts.reset_request_form"))


@job
def send_sign_in_changed(user_id: int, change: str) -> bool:
    """A way of signing in was added or removed: tell the owner, with the way back if it
    was not them."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    return send_email(user, "sign_in_changed", what=CHANGES[change],
                      security=external_url("accounts.security"),
                      reset=external_url("accounts.reset_request_form"))


@job
def send_new_sign_in(user_id: int, session_id: int, device: str, place: str, at: str) -> bool:
    """Someone signed in from a device or network new to the account: tell its owner where
    and when, with the page that signs that session out and the way back if it was not them.
    Sent once per session."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    return send_email(user, "new_sign_in", dedup_key=f"new_sign_in:{session_id}",
                      device=device, place=place, at=datetime.fromisoformat(at),
                      zone=user.timezone or "UTC",
                      security=external_url("accounts.security"),
                      reset=external_url("accounts.reset_request_form"))


@job
def send_email_change(user_id: int, new_email: str) -> bool:
    """A change of address was asked: the current address is told (with the way to stop it),
    and the new one gets the confirmation link, or, when it has an account already, a notice
    to its owner instead (the person asking cannot tell which)."""
    user = db.session.get(User, user_id)
    if user is None or not user.email:
        return False
    locale = user.locale or "en"
    send_email_to(user.email, "email_change_requested", locale=locale, user=user,
                  reset=external_url("accounts.reset_request_form"))
    owner = find_user(new_email)
    if owner is not None:
        return send_email_to(new_email, "email_change_taken", locale=owner.locale or locale,
                             user=owner, reset=external_url("accounts.reset_request_form"))
    token = issue_link(user, LinkPurpose.EMAIL, email=new_email)
    return send_email_to(new_email, "email_change_confirm", locale=locale, user=user,
                         link=external_url("accounts.email_change_confirm_form", token=token))


@job
def send_account_deleted(user_id: int, address: str, locale: str) -> bool:
    """Say goodbye to the address a deleted account had, in its owner's language (the account
    keeps no address of theirs to find); sent once."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_deleted:
        return False
    return send_email_to(address, "account_deleted", locale=locale,
                         dedup_key=f"account_deleted:{user.id}",
                         signup=external_url("accounts.signup_form"))
