"""What the demo holds: two studios (Riyadh, Toronto), their staff and 50 customers, five class
types on a weekly timetable, plans, 1:1 session types and workout templates. Plain data;
app.demo.loader writes it."""

from datetime import time
from decimal import Decimal

from app.memberships.models import Period, PlanKind
from app.studios.models import WaitlistMode

PASSWORD = "fitflow-demo"

# The coach's profile in the coach directory: a bio in both languages and the class types
# (by English name) they teach.
COACH_PROFILE = (
    {"ar": "مدرب قوة ولياقة منذ ثماني سنوات، يحب تعليم الأساسيات خطوة بخطوة.",
     "en": "Strength and conditioning coach for eight years; loves teaching the basics step "
           "by step."},
    ("Strength Foundations", "HIIT Express"),
)

# Someone the Riyadh studio invited to coach, who has not answered yet.
PENDING_INVITATION = ("new.coach@example.com", "trainer")

# Made in this order, by email: (email, name, other columns). A name is kept as its owner
# wrote it: the Riyadh people write theirs in Arabic, the Toronto people in Latin letters.
PEOPLE = {
    "customer": ("customer@example.com", "سارة الحربي", {"locale": "ar"}),
    "coach": ("coach@example.com", "عمر الشهري", {"locale": "ar"}),
    "coach2": ("coach2@example.com", "Emma Tremblay", {"locale": "en"}),
    "admin": ("admin@example.com", "نورة القحطاني", {"locale": "ar"}),
    "desk": ("desk@example.com", "هيفاء العتيبي", {"locale": "ar"}),
    "owner": ("owner@example.com", "Daniel Roy", {"locale": "en"}),
    "operator": ("operator@example.com", "Lina Haddad", {"is_operator": True}),
}

# Members who speak Arabic write their names in Arabic; the others in Latin letters.
FIRST_AR = ["سارة", "عمر", "لينا", "فيصل", "نورة", "خالد", "مي", "يوسف", "هناء", "علي", "ريم",
            "عبدالله", "جود", "سلطان"]
LAST_AR = ["الحربي", "القحطاني", "العتيبي", "الشهري", "الدوسري", "المطيري", "الزهراني", "الغامدي",
           "السبيعي", "العنزي", "الشمري"]
FIRST = ["Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Mia", "Lucas", "Zoe", "Adam", "Chloe",
         "Owen", "Maya"]
LAST = ["Smith", "Tremblay", "Roy", "Martin", "Chen", "Gagnon", "Wilson", "Singh", "Bouchard",
        "Nguyen", "Patel"]


def _member_name(i: int) -> str:
    if i % 2:
        return f"{FIRST_AR[i % len(FIRST_AR)]} {LAST_AR[i % len(LAST_AR)]}"
    return f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}"


# The customers besides PEOPLE["customer"]: (email, name, other columns).
MEMBERS = [(f"member{i:02d}@example.com", _member_name(i), {"locale": "ar" if i % 2 else "en"})
           for i in range(1, 50)]

CLASS_TYPES = [
    ({"en": "Strength Foundations", "ar": "أساسيات القوة"},
     {"en": "Barbell basics: squat, hinge, press and pull with a coach at your side.",
      "ar": "أساسيات البار الحديدي: القرفصاء والرفعة والضغط والسحب مع مدرب بجانبك."},
     60, "#0f766e"),
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

# A class type with its own policies on top of the studio's (CLASS_TYPES index → fields):
# Indoor Cycling books out, so a late cancel needs a day's notice, the first one in 30 days
# is forgiven, a late cancel whose bike the waitlist fills costs nothing, and nobody is moved
# up from the waitlist in the last half hour.
CLASS_TYPE_POLICIES = {3: dict(cancel_cutoff_minutes=24 * 60, free_late_cancels=1,
                               auto_waive_late_cancel=True, waitlist_cutoff_minutes=30)}

STUDIOS = [
    dict(slug="riyadh", name={"en": "FitFlow Riyadh", "ar": "فت فلو الرياض"}, lang="ar",
         location={"en": "Olaya", "ar": "العليا"}, tz="Asia/Riyadh", currency="SAR",
         tax="SA", inclusive=True, prefix="RIY", invoice_language="ar+en",
         tax_numbers=[{"label": "VAT", "value": "310123456700003"}],
         address="Olaya St, Riyadh", rooms=[{"en": "Main hall", "ar": "القاعة الرئيسية"},
                                            {"en": "Studio B", "ar": "الاستوديو ب"}],
         mode=WaitlistMode.AUTO, weekdays=[7, 1, 2, 3, 4, 6],
         # A second branch in the same city and zone, with its own rooms and one class a day.
         branch=dict(name={"en": "Al Malaz", "ar": "الملز"}, address="Al Malaz, Riyadh",
                     rooms=[({"en": "Cycle room", "ar": "قاعة الدراجات"}, 18),
                            ({"en": "Mat room", "ar": "قاعة البساط"}, 12)]),
         profile=dict(contact_email="hello@riyadh.fitflow.test", contact_phone="+966 11 555 0100",
                      about={"en": "Two branches in Riyadh: Olaya and Al Malaz.",
                             "ar": "فرعان في الرياض: العليا والملز."},
                      terms={"en": "Cancel up to 12 hours before a class to keep your credit.",
                             "ar": "ألغِ قبل الحصة بـ 12 ساعة على الأقل لتحتفظ برصيدك."})),
    dict(slug="toronto", name={"en": "FitFlow Toronto", "ar": "فت فلو تورنتو"}, lang="en",
         location={"en": "Queen West", "ar": "كوين ويست"}, tz="America/Toronto", currency="CAD",
         tax="CA-ON", inclusive=False, prefix="TOR", invoice_language="en",
         tax_numbers=[{"label": "GST/HST", "value": "812345678RT0001"}],
         address="Queen St W, Toronto, ON", rooms=[{"en": "Loft", "ar": "العلية"},
                                                   {"en": "Ride room", "ar": "غرفة الدراجات"}],
         mode=WaitlistMode.CLAIM, weekdays=[1, 2, 3, 4, 5, 6]),
]

TIMETABLE = [  # (class type index, start, capacity, room index)
    (0, time(7, 0), 12, 0), (1, time(12, 15), 16, 1), (3, time(18, 0), 14, 1),
    (4, time(19, 30), 20, 0), (2, time(9, 30), 10, 0),
]

PLANS = [  # (kind, name, credits, validity days, price in major units, period, per week)
    (PlanKind.DROP_IN, {"en": "Drop-in class", "ar": "حصة واحدة"}, 1, 30, 60, None, None),
    (PlanKind.INTRO, {"en": "Intro offer: 3 classes", "ar": "عرض تعريفي: 3 حصص"},
     3, 14, 49, None, None),
    (PlanKind.CLASS_PACK, {"en": "10-class pack", "ar": "باقة 10 حصص"}, 10, 90, 450, None, None),
    (PlanKind.MEMBERSHIP, {"en": "Unlimited monthly", "ar": "عضوية شهرية مفتوحة"}, None, None, 599,
     Period.MONTH, None),
    (PlanKind.MEMBERSHIP, {"en": "Twice a week, monthly", "ar": "مرتان أسبوعيًا، شهريًا"},
     None, None, 349, Period.MONTH, 2),
]

SESSION_TYPES = [  # 1:1 personal training: (name, minutes, price in major units)
    ({"en": "Personal training", "ar": "تدريب شخصي"}, 60, 250),
    ({"en": "Technique check", "ar": "مراجعة الأداء"}, 30, 120),
]
# A pack of 1:1 credits: (name, credits, validity days, price in major units). Personal
# training accepts it (and still has its price); it may be cancelled free until 24 h before,
# later its credit is kept and a fee of 50 is owed.
PT_PACK = ({"en": "5 personal training sessions", "ar": "5 جلسات تدريب شخصي"}, 5, 120, 1100)
PT_CUTOFF_MINUTES, PT_LATE_FEE = 24 * 60, 50
COACH_HOURS = ((1, 2, 3, 4, 6, 7), time(10, 0), time(16, 0))  # (weekdays, from, to)

# (title in Arabic, title in English, [(built-in exercise, reps, load)]) — three sets each
TEMPLATES = [
    ("الجسم كامل أ", "Full body A",
     [("Back squat", 8, Decimal(60)), ("Bench press", 8, Decimal(50)),
                                      ("Barbell row", 10, Decimal(40)), ("Push-up", 12, None)]),
    ("الجسم كامل ب", "Full body B",
     [("Deadlift", 5, Decimal(80)), ("Overhead press", 8, Decimal(35)),
                                      ("Pull-up", 6, None)]),
]
# The demo customer's plan: four weeks of three days, the first week A, B, A (TEMPLATES' order).
PLAN_TITLE = {"ar": "خطة القوة", "en": "Strength block"}
PLAN_WEEKS, PLAN_DAYS, PLAN_FIRST_WEEK = 4, 3, (0, 1, 0)
