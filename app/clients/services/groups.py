"""A group booking at the desk or on the contact's phone: its participants found among the
studio's customers (by email or phone) or added, then their places in one class, or in every
session of a course, booked and paid in one order (app/billing/services/groups.py,
course_groups.py), in the same transaction."""

from sqlalchemy import func, select

from app.accounts.models import User
from app.billing.services.course_groups import book_course_group
from app.billing.services.groups import book_group
from app.clients.services.customers import add_customer
from app.core.search import phone_key
from app.extensions import db
from app.studios.models import StudioCustomer


def find_or_add_participant(studio, *, actor, name: str, email: str | None,
                            phone: str = "") -> User:
    """The studio's customer with this email (or, without one, this phone number), else a new
    customer added at the desk (an existing account with the email becomes the studio's)."""
    if email:
        found = db.session.scalar(
            select(User).join(StudioCustomer, StudioCustomer.user_id == User.id)
            .where(StudioCustomer.studio_id == studio.id, func.lower(User.email) == email))
    else:
        found = db.session.scalar(
            select(User).join(StudioCustomer, StudioCustomer.user_id == User.id)
            .where(StudioCustomer.studio_id == studio.id,
                   StudioCustomer.phone_key == phone_key(phone))
            .order_by(StudioCustomer.id).limit(1))
    if found is not None:
        return found
    return add_customer(studio, actor=actor, name=name, email=email, phone=phone).user


def book_group_for(studio, cls, contact, people: list[dict], plan, *, actor, paid_by=None,
                   confirm: int | None = None, **options):
    """Book places in `cls` for the participants named (found or added), paid by `contact`;
    `confirm`: places for the first that many only, the rest on the waitlist; `options` as
    book_group takes them (a card order, the contact booking for themselves)."""
    participants = [find_or_add_participant(studio, actor=actor, **person) for person in people]
    return book_group(studio, cls, contact, participants, plan, actor=actor, paid_by=paid_by,
                      confirm=confirm, **options)


def book_course_group_for(studio, course, contact, people: list[dict], plan, *, actor,
                          **options):
    """Book places in every session of `course` yet to come for the participants named
    (found or added), paid by `contact` with one order; `options` as book_course_group takes
    them."""
    participants = [find_or_add_participant(studio, actor=actor, **person) for person in people]
    return book_course_group(studio, course, contact, participants, plan, actor=actor,
                             **options)
