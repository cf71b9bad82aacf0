"""Writes the demo data (app.demo.data): people, studios, plans and passes, 1:1 sessions, four
weeks of classes with bookings, workout templates and training history.

Idempotent: people and studios are found by their natural keys, and a studio's timetable and
bookings are made only when the studio has no series yet.
"""

import random
from datetime import time, timedelta

from sqlalchemy import select

from app.accounts.factors.models import TotpSecret
from app.accounts.models import AuthSession, User
from app.accounts.services.sessions import start_session
from app.appointments.entitlements import PayBy
from app.appointments.models import Availability, CoachProfile, SessionType
from app.appointments.services import book_appointment, save_coach_profile
from app.appointments.slots import free_slots
from app.billing.models import PaymentMethod
from app.billing.services.freezes import freeze_membership
from app.billing.services.orders import place_order
from app.billing.services.payments import record_payment
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import book_class
from app.calendars.queries import feed_of
from app.calendars.services.feeds import new_feed_secret
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.origin import Origin, describe_device
from app.core.security import hash_password
from app.demo.certificates import seed_certificates
from app.demo.data import (
    CLASS_TYPE_POLICIES,
    CLASS_TYPES,
    COACH_HOURS,
    COACH_PROFILE,
    MEMBERS,
    PASSWORD,
    PENDING_INVITATION,
    PEOPLE,
    PLAN_DAYS,
    PLAN_FIRST_WEEK,
    PLAN_TITLE,
    PLAN_WEEKS,
    PLANS,
    PT_CUTOFF_MINUTES,
    PT_LATE_FEE,
    PT_PACK,
    SESSION_TYPES,
    STUDIOS,
    TEMPLATES,
    TIMETABLE,
)
from app.demo.desk import seed_desk
from app.demo.groups import seed_groups
from app.demo.history import seed_history
from app.demo.notifications import seed_notifications
from app.demo.printing import seed_print_run
from app.demo.training import seed_training_history
from app.extensions import db
from app.memberships.models import Plan, PlanKind
from app.memberships.services import grant_pass
from app.quality.services import run_checks
from app.schedule.models import ClassType, ScheduledClass, Series
from app.schedule.queries import local_today
from app.schedule.services import create_series, extend_open_series, save_class_type
from app.studios.models import Invitation, Role, Room, Studio
from app.studios.services import add_location, create_studio, ensure_customer, grant_role
from app.studios.services.operating import invite
from app.training.models import Exercise, Workout
from app.training.services import plans as training_plans
from app.training.services.library import seed_library


def _user(email: str, name: str, password_hash: str, **extra) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash,
                    email_verified_at=utcnow(), **extra)
        db.session.add(user)
        db.session.flush()
    return user


def _studio(spec: dict) -> tuple[Studio, bool]:
    studio = db.session.scalar(select(Studio).where(Studio.slug == spec["slug"]))
    if studio is not None:
        return studio, False
    studio = create_studio(
        slug=spec["slug"], name=spec["name"], default_language=spec["lang"],
        waitlist_mode=spec["mode"], cancel_cutoff_minutes=12 * 60, booking_requires_pass=True,
        prices_include_tax=spec["inclusive"], tax_numbers=spec["tax_numbers"],
        invoice_prefix=spec["prefix"], invoice_language=spec["invoice_language"],
        location={"name": spec["location"], "timezone": spec["tz"], "currency": spec["currency"],
                  "address": spec["address"], "tax_jurisdiction": spec["tax"]})
    location = studio.default_location
    db.session.add_all(Room(studio_id=studio.id, location_id=location.id, name=n, capacity=20)
                       for n in spec["rooms"])
    for key, value in spec.get("profile", {}).items():
        setattr(studio, key, value)
    db.session.flush()
    return studio, True


def _branch(studio: Studio, spec: dict) -> None:
    """The studio's second location in its own zone, with rooms (made once)."""
    branch = spec.get("branch")
    if not branch or any(loc.name == branch["name"] for loc in studio.locations):
        return
    home = studio.default_location
    location = add_location(studio, name=branch["name"], address=branch["address"],
                            timezone=home.timezone, currency=home.currency,
                            tax_jurisdiction=home.tax_jurisdiction)
    db.session.add_all(Room(studio_id=studio.id, location_id=location.id, name=n, capacity=c)
                       for n, c in branch["rooms"])
    db.session.flush()


def _plans(studio: Studio) -> list[Plan]:
    currency = studio.currency
    # Memberships may be paused: 7 to 30 days, once a year, for a small fee.
    return [save_plan_row(studio, kind=kind, name=name, credits=credits, validity_days=days,
                          price_minor=major * 100, currency=currency, period=period,
                          classes_per_week=per_week, freeze_allowed=kind == PlanKind.MEMBERSHIP,
                          freeze_fee_minor=2500 if kind == PlanKind.MEMBERSHIP else 0)
            for kind, name, credits, days, major, period, per_week in PLANS]


def save_plan_row(studio: Studio, **fields) -> Plan:
    plan = Plan(studio_id=studio.id, description={}, **fields)
    db.session.add(plan)
    db.session.flush()
    return plan


def _wallets(studio: Studio, plans: list[Plan], customers: list[User], owner: User) -> None:
    """Every demo member holds a pass; the demo customer bought and paid for theirs (invoices)."""
    pack, unlimited = plans[2], plans[3]
    for i, person in enumerate(customers[1:]):
        granted = grant_pass(studio, unlimited if i % 3 == 0 else pack, person)
        if i == 0:  # a frozen membership: paused from the day after tomorrow for ten days
            first = local_today(studio.timezone) + timedelta(days=2)
            freeze_membership(studio, granted, starts_on=first,
                              ends_on=first + timedelta(days=9), actor=owner)
    order = place_order(studio, pack if studio.slug == "riyadh" else unlimited, customers[0],
                        actor=customers[0], idempotency_key=f"demo-{studio.slug}")
    record_payment(studio, order, amount_minor=order.gross_minor,
                   method=PaymentMethod.CARD_TERMINAL, actor=owner)


def _sessions(studio: Studio, coach: User, customer: User) -> None:
    """1:1 personal training: two session types, a PT pack the first accepts, the coach's
    weekly hours; the demo customer holds the pack and has a session booked with one credit
    and one owed at the desk (the wallet shows it)."""
    location = studio.default_location
    name, credits, days, major = PT_PACK
    pt_pack = save_plan_row(studio, kind=PlanKind.CLASS_PACK, name=name, credits=credits,
                            validity_days=days, price_minor=major * 100, currency=studio.currency)
    types = []
    for i, (name, minutes, major) in enumerate(SESSION_TYPES):
        types.append(SessionType(
            studio_id=studio.id, name=name, duration_minutes=minutes, buffer_minutes=10,
            price_minor=major * 100, currency=location.currency,
            plan_ids=[pt_pack.id] if i == 0 else [],
            cancel_cutoff_minutes=PT_CUTOFF_MINUTES if i == 0 else None,
            late_cancel_fee_minor=PT_LATE_FEE * 100 if i == 0 else 0))
    db.session.add_all(types)
    weekdays, starts, ends = COACH_HOURS
    for weekday in weekdays:
        db.session.add(Availability(studio_id=studio.id, coach_id=coach.id,
                                    location_id=location.id, weekday=weekday,
                                    starts_at_local=starts, ends_at_local=ends))
    db.session.flush()
    grant_pass(studio, pt_pack, customer)
    today, now = local_today(location.timezone), utcnow()
    for session_type, pay_by in ((types[0], PayBy.CREDIT), (types[1], PayBy.DESK)):
        slots = free_slots(studio, coach, session_type, today + timedelta(days=2),
                           today + timedelta(days=9), now)
        if slots:
            book_appointment(studio, coach, customer, session_type,
                             slots[len(slots) // 2].starts_at, actor=customer, now=now,
                             pay_by=pay_by)


def _timetable(studio: Studio, spec: dict, coaches: list[User]) -> None:
    location = studio.default_location
    rooms = location.rooms
    types = [save_class_type(studio, name=n, description=d, duration_minutes=m, color=c,
                             **CLASS_TYPE_POLICIES.get(i, {}))
             for i, (n, d, m, c) in enumerate(CLASS_TYPES)]
    today = local_today(location.timezone)
    for i, (ti, start, capacity, ri) in enumerate(TIMETABLE):
        create_series(studio, class_type=types[ti], location=location, room=rooms[ri],
                      coach=coaches[i % len(coaches)], weekdays=spec["weekdays"],
                      start_time=start, duration_minutes=types[ti].duration_minutes,
                      capacity=capacity, starts_on=today - timedelta(days=7),
                      ends_on=None)  # no end: the scheduled job keeps it weeks ahead
    for branch in studio.locations[1:2]:  # one evening ride a day at the second branch
        create_series(studio, class_type=types[3], location=branch, room=branch.rooms[0],
                      coach=coaches[-1], weekdays=spec["weekdays"], start_time=time(20, 30),
                      duration_minutes=types[3].duration_minutes, capacity=branch.rooms[0].capacity,
                      starts_on=today - timedelta(days=7), ends_on=None)


def _bookings(studio: Studio, customers: list[User], rng: random.Random) -> int:
    now = utcnow()
    classes = db.session.scalars(
        select(ScheduledClass).where(ScheduledClass.studio_id == studio.id)
        .order_by(ScheduledClass.starts_at)).all()
    made, demo_bookings = 0, [0]
    for cls in classes:
        if cls.starts_at < now:  # history: attended or no-show, written directly
            for person in rng.sample(customers, rng.randint(3, min(cls.capacity, 10))):
                status = BookingStatus.ATTENDED if rng.random() > 0.1 else BookingStatus.NO_SHOW
                db.session.add(Booking(studio_id=studio.id, class_id=cls.id, customer_id=person.id,
                                       status=status, booked_by_id=person.id))
                ensure_customer(studio, person)
                made += 1
        elif cls.starts_at < now + timedelta(days=studio.booking_opens_days):
            # Some classes fill up and grow a waitlist; most are part-full.
            full = rng.random() < 0.15
            count = cls.capacity + rng.randint(1, 4) if full else rng.randint(0, cls.capacity - 2)
            for person in rng.sample(customers, min(count, len(customers))):
                if person is customers[0] and demo_bookings[0] >= 4:
                    continue  # leave the demo customer credits to try booking with
                try:
                    with db.session.begin_nested():  # a member out of credits simply skips
                        book_class(studio, cls, person, actor=person, now=now)
                except DomainError:
                    continue
                made += 1
                demo_bookings[0] += person is customers[0]
    db.session.flush()
    return made


def _training(studio: Studio, coach, customer) -> None:
    """Two workout templates and a four-week plan for the demo customer (once per studio)."""
    if db.session.scalar(select(Workout.id).where(Workout.studio_id == studio.id).limit(1)):
        return
    builtins = {e.name["en"]: e for e in db.session.scalars(
        select(Exercise).where(Exercise.studio_id.is_(None)))}
    templates = []
    for title_ar, title_en, rows in TEMPLATES:
        title = title_ar if studio.default_language == "ar" else title_en
        template = training_plans.create_template(studio, title, actor=coach)
        for name, reps, load in rows:
            item = training_plans.add_workout_exercise(template, builtins[name], actor=coach)
            for set_ in item.sets:
                training_plans.update_set(template, item, set_, reps=reps, load=load, actor=coach)
        templates.append(template)
    ensure_customer(studio, customer)
    title = PLAN_TITLE["ar" if studio.default_language == "ar" else "en"]
    plan = training_plans.create_plan(studio, customer, title=title, weeks=PLAN_WEEKS,
                                      days_per_week=PLAN_DAYS, actor=coach)
    first_week = plan.workouts[:PLAN_DAYS]
    for day, template in zip(first_week, (templates[i] for i in PLAN_FIRST_WEEK), strict=True):
        training_plans.copy_template_into(template, day, actor=coach)
        training_plans.copy_day_to_every_week(day, actor=coach)


# The demo studio admin's authenticator app (README: type it into any TOTP app); the owner and
# the operator have none, so their first sign-in shows the set-up their role requires.
DEMO_TOTP_SECRET = "FITFLOWDEMOFITFLOWDEMOFITFLOWDEM"


def _coach_profile(studio: Studio, coach: User) -> None:
    """The coach's profile in the directory (once)."""
    if db.session.scalar(select(CoachProfile.id).where(CoachProfile.studio_id == studio.id,
                                                       CoachProfile.coach_id == coach.id)):
        return
    bio, names = COACH_PROFILE
    types = [t for t in db.session.scalars(select(ClassType).where(
        ClassType.studio_id == studio.id)) if t.name.get("en") in names]
    save_coach_profile(studio, coach, actor=coach, bio=bio, teaches=types)


def _pending_invitation(studio: Studio, owner: User) -> None:
    """An invitation to the staff nobody has answered (once; its e-mail goes to the mailbox)."""
    email, role = PENDING_INVITATION
    if db.session.scalar(select(Invitation.id).where(Invitation.studio_id == studio.id,
                                                     Invitation.email == email)) is None:
        invite(studio, email, Role(role), actor=owner)


def _authenticator_app(user: User) -> None:
    if db.session.scalar(select(TotpSecret.id).where(TotpSecret.user_id == user.id)) is None:
        db.session.add(TotpSecret(user_id=user.id, secret=DEMO_TOTP_SECRET, confirmed_at=utcnow(),
                                  last_step=0))


def _other_device(user: User) -> None:
    """A session on another device, so /me/security lists two and "sign out" has something to
    end (its token is thrown away: nobody can use it)."""
    if db.session.scalar(select(AuthSession.id).where(AuthSession.user_id == user.id).limit(1)):
        return
    start_session(user, Origin(address="94.97.12.34", device=describe_device(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Safari/604.1")))


def load_demo(seed: int = 7) -> dict:
    """Create (or complete) the demo data and commit it. Returns a short summary."""
    rng = random.Random(seed)
    pw = hash_password(PASSWORD)
    people = {role: _user(email, name, pw, **extra)
              for role, (email, name, extra) in PEOPLE.items()}
    customer, coach, coach2 = people["customer"], people["coach"], people["coach2"]
    admin, owner = people["admin"], people["owner"]
    customers = [customer] + [_user(email, name, pw, **extra) for email, name, extra in MEMBERS]
    summary = {"studios": 0, "bookings": 0}
    for spec in STUDIOS:
        studio, new = _studio(spec)
        _branch(studio, spec)
        summary["studios"] += int(new)
        grant_role(studio, owner, Role.OWNER)
        grant_role(studio, admin, Role.STUDIO_ADMIN)
        grant_role(studio, coach, Role.TRAINER)
        grant_role(studio, coach2, Role.TRAINER)
        if spec["slug"] == "riyadh":
            grant_role(studio, people["desk"], Role.FRONT_DESK)
            _pending_invitation(studio, owner)
        if not db.session.scalar(select(Plan.id).where(Plan.studio_id == studio.id).limit(1)):
            _wallets(studio, _plans(studio), customers, owner)
        if not db.session.scalar(select(SessionType.id)
                                 .where(SessionType.studio_id == studio.id).limit(1)):
            _sessions(studio, coach, customer)
        has_series = db.session.scalar(select(Series.id)
                                       .where(Series.studio_id == studio.id).limit(1))
        if not has_series:
            _timetable(studio, spec, [coach, coach2])
            summary["bookings"] += _bookings(studio, customers, rng)
    extend_open_series()  # a demo loaded again keeps its timetable ahead too
    for person in (admin, people["desk"]):
        _authenticator_app(person)
    seed_library()
    for person in (customer, owner):
        _other_device(person)
    for person in (customer, coach):  # /me/calendar shows their feed links at once
        if feed_of(person) is None:
            new_feed_secret(person, actor=person)
    for spec in STUDIOS:  # templates and a plan, then the demo customer's logged workouts
        studio = db.session.scalar(select(Studio).where(Studio.slug == spec["slug"]))
        _training(studio, coach, customer)
        riyadh = spec["slug"] == "riyadh"
        seed_training_history(customer, studio, coach if riyadh else coach2,
                              weeks=10 if riyadh else 3, with_plan=riyadh)
        seed_desk(studio, admin)
        _coach_profile(studio, coach)
        seed_certificates(studio, admin, customer, coach, coach2, expired=not riyadh)
        seed_notifications(studio, customer)
        seed_groups(studio, admin)
        seed_history(studio, customers, rng)
        if riyadh:
            seed_print_run(studio, admin)
        run_checks(studio)  # the data-quality page has findings on first view
    db.session.commit()
    summary["customers"] = len(customers)
    return summary
