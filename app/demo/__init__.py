"""Demo data: two studios (Riyadh, Toronto), staff, ~50 customers, four weeks of classes.

Idempotent: people and studios are found by their natural keys, and a studio's timetable and
bookings are made only when the studio has no series yet.
"""

import random
from datetime import time, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import User
from app.appointments.models import Availability, SessionType
from app.billing.models import PaymentMethod
from app.billing.services.orders import place_order
from app.billing.services.payments import record_payment
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import book_class
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.security import hash_password
from app.demo.training import seed_training_history
from app.extensions import db
from app.memberships.models import Period, Plan, PlanKind
from app.memberships.services import grant_pass
from app.schedule.models import ScheduledClass, Series
from app.schedule.queries import local_today
from app.schedule.services import create_series, save_class_type
from app.studios.models import Location, Role, Room, Studio, WaitlistMode
from app.studios.services import ensure_customer, grant_role
from app.training.models import Exercise, Workout
from app.training.services import plans as training_plans
from app.training.services.library import seed_library

PASSWORD = "fitflow-demo"

CLASS_TYPES = [
    ({"en": "Strength Foundations", "ar": "أساسيات القوة"},
     {"en": "Barbell basics: squat, hinge, press and pull with a coach at your side.",
      "ar": "أساسيات البار الحديدي: القرفصاء والرفعة والضغط والسحب مع مدرب بجانبك."}, 60, "#0f766e"),
    ({"en": "HIIT Express", "ar": "تمارين متقطعة سريعة"},
     {"en": "Thirty minutes of intervals that leave nothing in the tank.",
      "ar": "ثلاثون دقيقة من التمارين المتقطعة عالية الشدة."}, 30, "#b91c1c"),
    ({"en": "Mobility & Stretch", "ar": "المرونة والإطالة"},
     {"en": "Slow, guided mobility work for hips, shoulders and spine.",
      "ar": "تمارين مرونة هادئة وموجهة للورك والكتفين والعمود الفقري."}, 45, "#6d28d9"),
    ({"en": "Indoor Cycling", "ar": "الدراجات الداخلية"},
     {"en": "Rhythm rides with climbs and sprints.", "ar": "جولات إيقاعية مع صعود وسرعات."},
     45, "#c2410c"),
    ({"en": "Yoga Flow", "ar": "يوغا فلو"},
     {"en": "A vinyasa class for every level.", "ar": "حصة فينياسا مناسبة لجميع المستويات."},
     60, "#1d4ed8"),
]

STUDIOS = [
    dict(slug="riyadh", name={"en": "FitFlow Riyadh", "ar": "فت فلو الرياض"}, lang="ar",
         location={"en": "Olaya", "ar": "العليا"}, tz="Asia/Riyadh", currency="SAR",
         tax="SA", inclusive=True, prefix="RIY",
         tax_numbers=[{"label": "VAT", "value": "310123456700003"}],
         address="Olaya St, Riyadh", rooms=[{"en": "Main hall", "ar": "القاعة الرئيسية"},
                                            {"en": "Studio B", "ar": "الاستوديو ب"}],
         mode=WaitlistMode.AUTO, weekdays=[7, 1, 2, 3, 4, 6]),
    dict(slug="toronto", name={"en": "FitFlow Toronto", "ar": "فت فلو تورنتو"}, lang="en",
         location={"en": "Queen West", "ar": "كوين ويست"}, tz="America/Toronto", currency="CAD",
         tax="CA-ON", inclusive=False, prefix="TOR",
         tax_numbers=[{"label": "GST/HST", "value": "812345678RT0001"}],
         address="Queen St W, Toronto, ON", rooms=[{"en": "Loft", "ar": "العلية"},
                                                   {"en": "Ride room", "ar": "غرفة الدراجات"}],
         mode=WaitlistMode.CLAIM, weekdays=[1, 2, 3, 4, 5, 6]),
]

TIMETABLE = [  # (class type index, start, capacity, room index)
    (0, time(7, 0), 12, 0), (1, time(12, 15), 16, 1), (3, time(18, 0), 14, 1),
    (4, time(19, 30), 20, 0), (2, time(9, 30), 10, 0),
]

FIRST = ["Sara", "Omar", "Lina", "Faisal", "Noura", "Khalid", "Maya", "Yousef", "Hana", "Ali",
         "Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Mia", "Lucas", "Zoe", "Adam"]
LAST = ["Alharbi", "Smith", "Alqahtani", "Tremblay", "Alotaibi", "Roy", "Alshehri", "Martin",
        "Aldosari", "Chen", "Gagnon", "Almutairi", "Wilson"]


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
    studio = Studio(slug=spec["slug"], name=spec["name"], default_language=spec["lang"],
                    waitlist_mode=spec["mode"], cancel_cutoff_minutes=12 * 60,
                    booking_requires_pass=True, prices_include_tax=spec["inclusive"],
                    tax_numbers=spec["tax_numbers"], invoice_prefix=spec["prefix"])
    db.session.add(studio)
    db.session.flush()
    location = Location(studio_id=studio.id, name=spec["location"], timezone=spec["tz"],
                        currency=spec["currency"], address=spec["address"],
                        tax_jurisdiction=spec["tax"])
    db.session.add(location)
    db.session.flush()
    db.session.add_all(Room(studio_id=studio.id, location_id=location.id, name=n, capacity=20)
                       for n in spec["rooms"])
    db.session.flush()
    return studio, True


PLANS = [  # (kind, name, credits, validity days, price in major units, period, per week)
    (PlanKind.DROP_IN, {"en": "Drop-in class", "ar": "حصة واحدة"}, 1, 30, 60, None, None),
    (PlanKind.INTRO, {"en": "Intro offer: 3 classes", "ar": "عرض تعريفي: 3 حصص"}, 3, 14, 49, None, None),
    (PlanKind.CLASS_PACK, {"en": "10-class pack", "ar": "باقة 10 حصص"}, 10, 90, 450, None, None),
    (PlanKind.MEMBERSHIP, {"en": "Unlimited monthly", "ar": "عضوية شهرية مفتوحة"}, None, None, 599,
     Period.MONTH, None),
    (PlanKind.MEMBERSHIP, {"en": "Twice a week, monthly", "ar": "مرتان أسبوعيًا، شهريًا"}, None, None,
     349, Period.MONTH, 2),
]


def _plans(studio: Studio) -> list[Plan]:
    currency = studio.locations[0].currency
    return [save_plan_row(studio, kind=kind, name=name, credits=credits, validity_days=days,
                          price_minor=major * 100, currency=currency, period=period,
                          classes_per_week=per_week)
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
        grant_pass(studio, unlimited if i % 3 == 0 else pack, person)
    order = place_order(studio, pack if studio.slug == "riyadh" else unlimited, customers[0],
                        actor=customers[0], idempotency_key=f"demo-{studio.slug}")
    record_payment(studio, order, amount_minor=order.gross_minor,
                   method=PaymentMethod.CARD_TERMINAL, actor=owner)


def _sessions(studio: Studio, coach: User) -> None:
    """1:1 personal training: two session types and the coach's weekly hours."""
    location = studio.locations[0]
    for name, minutes, major in (({"en": "Personal training", "ar": "تدريب شخصي"}, 60, 250),
                                 ({"en": "Technique check", "ar": "مراجعة الأداء"}, 30, 120)):
        db.session.add(SessionType(studio_id=studio.id, name=name, duration_minutes=minutes,
                                   buffer_minutes=10, price_minor=major * 100,
                                   currency=location.currency))
    for weekday in (1, 2, 3, 4, 6, 7):
        db.session.add(Availability(studio_id=studio.id, coach_id=coach.id,
                                    location_id=location.id, weekday=weekday,
                                    starts_at_local=time(10, 0), ends_at_local=time(16, 0)))
    db.session.flush()


def _timetable(studio: Studio, spec: dict, coaches: list[User]) -> None:
    location = studio.locations[0]
    rooms = location.rooms
    types = [save_class_type(studio, name=n, description=d, duration_minutes=m, color=c)
             for n, d, m, c in CLASS_TYPES]
    today = local_today(location.timezone)
    for i, (ti, start, capacity, ri) in enumerate(TIMETABLE):
        create_series(studio, class_type=types[ti], location=location, room=rooms[ri],
                      coach=coaches[i % len(coaches)], weekdays=spec["weekdays"],
                      start_time=start, duration_minutes=types[ti].duration_minutes,
                      capacity=capacity, starts_on=today - timedelta(days=7),
                      ends_on=today + timedelta(days=20))


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


# (title in Arabic, title in English, [(built-in exercise, reps, load)]) — three sets each
TEMPLATES = [
    ("الجسم كامل أ", "Full body A", [("Back squat", 8, Decimal(60)), ("Bench press", 8, Decimal(50)),
                                      ("Barbell row", 10, Decimal(40)), ("Push-up", 12, None)]),
    ("الجسم كامل ب", "Full body B", [("Deadlift", 5, Decimal(80)), ("Overhead press", 8, Decimal(35)),
                                      ("Pull-up", 6, None)]),
]


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
    title = "خطة القوة" if studio.default_language == "ar" else "Strength block"
    plan = training_plans.create_plan(studio, customer, title=title, weeks=4, days_per_week=3,
                                      actor=coach)
    first_week = plan.workouts[:3]
    for day, template in zip(first_week, (templates[0], templates[1], templates[0]), strict=True):
        training_plans.copy_template_into(template, day, actor=coach)
        training_plans.copy_day_to_every_week(day, actor=coach)


def load_demo(seed: int = 7) -> dict:
    """Create (or complete) the demo data and commit it. Returns a short summary."""
    rng = random.Random(seed)
    pw = hash_password(PASSWORD)
    customer = _user("customer@example.com", "Sara Alharbi", pw, locale="ar")
    coach = _user("coach@example.com", "Coach Omar", pw)
    coach2 = _user("coach2@example.com", "Coach Emma", pw, locale="en")
    admin = _user("admin@example.com", "Studio Admin", pw)
    owner = _user("owner@example.com", "Studio Owner", pw)
    _user("operator@example.com", "Platform Operator", pw, is_operator=True)
    customers = [customer] + [
        _user(f"member{i:02d}@example.com", f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}", pw,
              locale="ar" if i % 2 else "en")
        for i in range(1, 50)
    ]
    summary = {"studios": 0, "bookings": 0}
    for spec in STUDIOS:
        studio, new = _studio(spec)
        summary["studios"] += int(new)
        grant_role(studio, owner, Role.OWNER)
        grant_role(studio, admin, Role.STUDIO_ADMIN)
        grant_role(studio, coach, Role.TRAINER)
        grant_role(studio, coach2, Role.TRAINER)
        if not db.session.scalar(select(Plan.id).where(Plan.studio_id == studio.id).limit(1)):
            _wallets(studio, _plans(studio), customers, owner)
        if not db.session.scalar(select(SessionType.id).where(SessionType.studio_id == studio.id).limit(1)):
            _sessions(studio, coach)
        has_series = db.session.scalar(select(Series.id).where(Series.studio_id == studio.id).limit(1))
        if not has_series:
            _timetable(studio, spec, [coach, coach2])
            summary["bookings"] += _bookings(studio, customers, rng)
    seed_library()
    for spec in STUDIOS:  # templates and a plan, then the demo customer's logged workouts
        studio = db.session.scalar(select(Studio).where(Studio.slug == spec["slug"]))
        _training(studio, coach, customer)
        riyadh = spec["slug"] == "riyadh"
        seed_training_history(customer, studio, coach if riyadh else coach2,
                              weeks=10 if riyadh else 3, with_plan=riyadh)
    db.session.commit()
    summary["customers"] = len(customers)
    return summary
