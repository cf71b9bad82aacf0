"""The studio console for plans: create and edit them with exact prices in the studio's
currency, and give a late-cancelled customer their credit back (once, audited)."""

import uuid

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.bookings import services as bookings
from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.memberships.models import CreditEntry, CreditReason, Period, Plan, PlanKind, ValidityStart
from app.memberships.services import balances, grant_pass, waive_late_cancel
from app.studios.models import Role, Studio
from tests.concurrency import run_at_once
from tests.conftest import login
from tests.factories import (
    ClassFactory,
    ClassTypeFactory,
    PlanFactory,
    StudioFactory,
    UserFactory,
    staff,
)
from tests.pages import Page


@pytest.fixture
def riyadh(app):
    studio = StudioFactory(location__timezone="Asia/Riyadh", prices_include_tax=True)
    studio.default_location.currency = "SAR"
    db.session.flush()
    return studio


@pytest.fixture
def admin(client, riyadh):
    user = staff(riyadh, Role.STUDIO_ADMIN)
    login(client, user)
    return user


def plan_form(**overrides) -> dict:
    return {"kind": "class_pack", "name_en": "10 classes", "name_ar": "١٠ حصص",
            "description_en": "Ten classes.", "price": "150.00", "credits": "10",
            "validity_days": "90", "validity_start": "purchase", "period": "",
            "classes_per_week": "", "active": "y", **overrides}


def plans_of(studio) -> list[Plan]:
    return db.session.scalars(select(Plan).where(Plan.studio_id == studio.id)).all()


def errors(response, field: str) -> list[str]:
    return [e.text for e in Page(response).all(f"#{field}-error .field-error")]


# --- plans ------------------------------------------------------------------------------------


def test_admin_creates_a_plan_priced_exactly_in_the_studio_currency(client, riyadh, admin):
    strength = ClassTypeFactory(studio=riyadh)
    ClassTypeFactory(studio=riyadh, name={"en": "Yoga"})

    response = client.post(f"/manage/{riyadh.slug}/plans",
                           data=plan_form(price="150.10", class_type_ids=[str(strength.id)]))

    assert response.status_code == 303
    [plan] = plans_of(riyadh)
    assert (plan.kind, plan.price_minor, plan.currency, plan.credits, plan.validity_days) == (
        PlanKind.CLASS_PACK, 15010, "SAR", 10, 90)
    assert plan.name == {"en": "10 classes", "ar": "١٠ حصص"}
    assert plan.eligible_class_type_ids == [strength.id] and plan.period is None
    page = Page(client.get(response.headers["Location"] + "?lang=en"))
    assert "Plan saved." in page.text(".flashes")
    row = page.text(f"#plan-{plan.id}")
    assert "SAR" in row and "150.10" in row and "10 classes" in row and "On sale" in row
    assert "Translation missing" not in row


def test_plans_list_flags_a_missing_translation_and_shows_unlimited(client, riyadh, admin):
    plan = PlanFactory(studio=riyadh, kind=PlanKind.MEMBERSHIP, credits=None, currency="SAR",
                       name={"en": "Unlimited"}, period=Period.MONTH, active=False)
    row = Page(client.get(f"/manage/{riyadh.slug}/plans?lang=en")).text(f"#plan-{plan.id}")
    assert "Translation missing" in row and "Unlimited" in row and "Renews monthly" in row
    assert "Off sale" in row


@pytest.mark.parametrize("price, message", [
    ("12.345", "SAR amounts have at most 2 decimal places."),
    ("-5", "The amount cannot be negative."),
    ("abc", "Enter the amount as a number, such as 150.00."),
    ("1e3", "Enter the amount as a number, such as 150.00."),
    ("", "Enter an amount."),
    ("99999999999", "That amount is too large."),
])
def test_a_price_the_currency_cannot_hold_is_422_and_saves_nothing(client, riyadh, admin,
                                                                    price, message):
    response = client.post(f"/manage/{riyadh.slug}/plans?lang=en", data=plan_form(price=price))
    assert response.status_code == 422
    assert errors(response, "price") == [message]
    assert plans_of(riyadh) == []


def test_the_price_error_is_in_arabic_for_an_arabic_admin(client, riyadh, admin):
    response = client.post(f"/manage/{riyadh.slug}/plans?lang=ar", data=plan_form(price="12.345"))
    assert response.status_code == 422
    [message] = errors(response, "price")
    assert "SAR" in message and "decimal" not in message


def test_kwd_takes_three_decimals_and_arabic_digits(client, riyadh, admin):
    riyadh.default_location.currency = "KWD"
    db.session.flush()
    response = client.post(f"/manage/{riyadh.slug}/plans", data=plan_form(price="١٢٫٣٤٥"))
    assert response.status_code == 303
    assert [(p.price_minor, p.currency) for p in plans_of(riyadh)] == [(12345, "KWD")]


@pytest.mark.parametrize("overrides, field, message", [
    ({"credits": ""}, "credits",
     "Only memberships can be unlimited: enter how many classes it includes."),
    ({"kind": "membership", "credits": "", "period": ""}, "period",
     "Choose whether the membership renews monthly or yearly."),
    ({"name_en": " ", "name_ar": ""}, "name_en", "Give the plan a name in at least one language."),
    ({"kind": "gift"}, "kind", "Not a valid choice."),
    ({"credits": "0"}, "credits", "Number must be between 1 and 1000."),
])
def test_bad_plans_are_422_and_save_nothing(client, riyadh, admin, overrides, field, message):
    response = client.post(f"/manage/{riyadh.slug}/plans", data=plan_form(**overrides))
    assert response.status_code == 422
    assert message in errors(response, field)
    assert plans_of(riyadh) == []


def test_another_studios_class_type_cannot_be_made_eligible(client, riyadh, admin):
    foreign = ClassTypeFactory(studio=StudioFactory())
    response = client.post(f"/manage/{riyadh.slug}/plans",
                           data=plan_form(class_type_ids=[str(foreign.id)]))
    assert response.status_code == 422
    assert plans_of(riyadh) == []


def test_admin_edits_a_plan_into_an_unlimited_yearly_membership(client, riyadh, admin):
    plan = PlanFactory(studio=riyadh, currency="SAR", price_minor=20000)
    form = Page(client.get(f"/manage/{riyadh.slug}/plans/{plan.id}"))
    assert form.one("#price").get("value") == "200.00"

    response = client.post(f"/manage/{riyadh.slug}/plans/{plan.id}", data=plan_form(
        kind="membership", credits="", period="year", price="1200", classes_per_week="3",
        validity_start="first_booking", active=""))

    assert response.status_code == 303
    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    assert (plan.kind, plan.credits, plan.period, plan.price_minor, plan.classes_per_week,
            plan.validity_start, plan.active) == (
        PlanKind.MEMBERSHIP, None, Period.YEAR, 120000, 3, ValidityStart.FIRST_BOOKING, False)
    assert len(plans_of(riyadh)) == 1


def test_another_studios_plan_is_404(client, riyadh, admin):
    other = PlanFactory(studio=StudioFactory())
    assert client.get(f"/manage/{riyadh.slug}/plans/{other.id}").status_code == 404
    response = client.post(f"/manage/{riyadh.slug}/plans/{other.id}", data=plan_form(price="1"))
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Plan, other.id).price_minor == 20000


# --- waiving a late cancel --------------------------------------------------------------------


@pytest.fixture
def late_cancel(riyadh):
    """A customer who booked with a 5-credit pack and cancelled two hours before the class."""
    riyadh.booking_requires_pass = True
    customer = UserFactory()
    pack = grant_pass(riyadh, PlanFactory(studio=riyadh, credits=5, currency="SAR"), customer)
    cls = ClassFactory(studio=riyadh, hours_ahead=2)  # the cutoff is 12 hours
    booking = bookings.book_class(riyadh, cls, customer, actor=customer)
    bookings.cancel_booking(riyadh, booking, actor=customer)
    assert booking.status == BookingStatus.LATE_CANCELLED and balances([pack.id])[pack.id] == 4
    return cls, booking, pack


def waivers(studio) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.studio_id == studio.id, AuditEvent.action == "booking.late_cancel_waived")).all()


def test_admin_gives_a_late_cancelled_credit_back_once(client, riyadh, admin, late_cancel):
    cls, booking, pack = late_cancel
    roster = Page(client.get(f"/manage/{riyadh.slug}/classes/{cls.id}?lang=en"))
    assert "Give the credit back" in roster.text(f"#late-cancel-{booking.id}")
    url = f"/manage/{riyadh.slug}/classes/{cls.id}/bookings/{booking.id}/waive"

    response = client.post(url)

    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert "The credit is back on the customer's pass." in page.text(".flashes")
    assert "Credit given back" in page.text(f"#late-cancel-{booking.id}")
    assert balances([pack.id])[pack.id] == 5
    [event] = waivers(riyadh)
    assert (event.actor_id, event.subject) == (admin.id, f"booking:{booking.id}")
    entry = db.session.scalar(select(CreditEntry).where(
        CreditEntry.booking_id == booking.id, CreditEntry.reason == CreditReason.RETURNED))
    assert entry.actor_id == admin.id

    again = client.post(url)  # a second click (or a second tab) gives nothing more
    assert again.status_code == 303
    assert "There is no credit to give back for this booking." in Page(
        client.get(again.headers["Location"])).text(".flashes")
    assert balances([pack.id])[pack.id] == 5 and len(waivers(riyadh)) == 1


def test_a_booking_of_another_studio_or_class_cannot_be_waived(client, riyadh, admin, late_cancel):
    cls, booking, pack = late_cancel
    other_cls = ClassFactory(studio=riyadh)
    outsider = staff(StudioFactory(), Role.OWNER)  # runs another studio
    assert client.post(f"/manage/{riyadh.slug}/classes/{other_cls.id}/bookings/{booking.id}/waive"
                       ).status_code == 404
    login(client, outsider)
    assert client.post(f"/manage/{riyadh.slug}/classes/{cls.id}/bookings/{booking.id}/waive"
                       ).status_code == 404
    assert balances([pack.id])[pack.id] == 4 and waivers(riyadh) == []


def test_a_timely_cancel_has_nothing_to_waive(client, riyadh, admin):
    riyadh.booking_requires_pass = True
    customer = UserFactory()
    pack = grant_pass(riyadh, PlanFactory(studio=riyadh, credits=5, currency="SAR"), customer)
    cls = ClassFactory(studio=riyadh, hours_ahead=48)
    booking = bookings.book_class(riyadh, cls, customer, actor=customer)
    response = client.post(f"/manage/{riyadh.slug}/classes/{cls.id}/bookings/{booking.id}/waive")
    assert response.status_code == 303
    assert balances([pack.id])[pack.id] == 4 and waivers(riyadh) == []


@pytest.mark.concurrency
@pytest.mark.xdist_group("concurrency")
def test_two_waives_at_once_give_one_credit_back(app):
    """Two managers click at the same moment: the pass lock makes the second see the first."""
    with app.app_context():
        studio = StudioFactory(slug=f"waive-{uuid.uuid4().hex[:8]}", booking_requires_pass=True)
        customer, manager = UserFactory(), staff(studio, Role.OWNER)
        pack = grant_pass(studio, PlanFactory(studio=studio, credits=5), customer)
        cls = ClassFactory(studio=studio, hours_ahead=2)
        booking = bookings.book_class(studio, cls, customer, actor=customer)
        bookings.cancel_booking(studio, booking, actor=customer)
        db.session.commit()
        ids = (studio.id, booking.id, manager.id, pack.id)

    def waive(_n):
        studio_id, booking_id, manager_id, _pack_id = ids
        return waive_late_cancel(db.session.get(Studio, studio_id),
                                 db.session.get(Booking, booking_id),
                                 actor=db.session.get(User, manager_id)) is not None

    results, errors = run_at_once(app, waive, [(1,), (2,)])

    assert errors == [] and sorted(results) == [False, True]
    with app.app_context():
        assert balances([ids[3]])[ids[3]] == 5
        assert len(waivers(db.session.get(Studio, ids[0]))) == 1
        db.engine.dispose()
