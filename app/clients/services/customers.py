"""The studio's customers at the desk: adding one without a password, and editing the studio's
own record of them (contact details and tags), audited."""

from datetime import date

from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.services import record
from app.clients.errors import ContactMissing, TooManyTags
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.studios.models import TAG_LENGTH, TAGS_MAX, StudioCustomer
from app.studios.services import ensure_customer

CONTACT_FIELDS = ("phone", "emergency_contact", "birth_date", "tags", "company_name",
                  "billing_details")


def _check_tags(tags: list[str]) -> list[str]:
    unique = list(dict.fromkeys(t for t in tags if t))
    if len(unique) > TAGS_MAX or any(len(t) > TAG_LENGTH for t in unique):
        raise TooManyTags(max=TAGS_MAX, length=TAG_LENGTH)
    return unique


def update_contact(studio, link: StudioCustomer, *, actor, phone: str = "",
                   emergency_contact: str = "", birth_date: date | None = None,
                   tags: list[str] = (), company_name: str | None = None,
                   billing_details: str | None = None) -> list[str]:
    """Change the studio's record of a customer (never the shared account); returns the names
    of the fields that changed, which the audit log keeps (not their values). A company name
    makes them a company or group contact (None: the company fields stay as they are)."""
    values = {"phone": phone or "", "emergency_contact": emergency_contact or "",
              "birth_date": birth_date, "tags": _check_tags(list(tags)),
              "company_name": link.company_name if company_name is None else company_name,
              "billing_details": (link.billing_details if billing_details is None
                                  else billing_details)}
    changed = [name for name in CONTACT_FIELDS if getattr(link, name) != values[name]]
    for name in changed:
        setattr(link, name, values[name])
    if changed:
        db.session.flush()
        record("customer.contact_changed", actor=actor, studio_id=studio.id,
               subject=f"user:{link.user_id}", fields=changed)
    return changed


def add_customer(studio, *, actor, name: str, email: str | None = None, phone: str = "",
                 birth_date: date | None = None) -> StudioCustomer:
    """A customer added at the desk, without a password: a new account (invited by email to
    finish it when there is an address), or the existing account with that email, made a
    customer of the studio. The studio's record gets the phone and birth date."""
    email = (email or "").strip().lower() or None
    if not email and not phone:
        raise ContactMissing()
    user = email and db.session.scalar(select(User).where(func.lower(User.email) == email))
    created = not user
    if created:
        user = User(name=name.strip(), email=email, password_hash=None)
        db.session.add(user)
        db.session.flush()
    ensure_customer(studio, user)
    link = db.session.scalar(select(StudioCustomer).where(
        StudioCustomer.studio_id == studio.id, StudioCustomer.user_id == user.id))
    db.session.refresh(link)
    if phone and not link.phone:
        link.phone = phone
    if birth_date and not link.birth_date:
        link.birth_date = birth_date
    db.session.flush()
    record("customer.added", actor=actor, studio_id=studio.id, subject=f"user:{user.id}",
           new_account=created, has_email=bool(email))
    if created and email:
        enqueue_after_commit("workers.jobs.accounts.send_customer_invite", user.id, studio.id,
                             queue="notifications")
    return link
