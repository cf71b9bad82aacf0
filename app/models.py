"""Every domain's models in one import, for Alembic autogenerate and the shell. Defines nothing."""

from app.accounts.factors.models import AuthChallenge, Passkey, RecoveryCode, TotpSecret  # noqa: F401
from app.accounts.models import User  # noqa: F401
from app.appointments.models import (  # noqa: F401
    Appointment,
    Availability,
    CoachProfile,
    ExternalBusy,
    SessionType,
    TimeOff,
)
from app.audit.models import AuditEvent  # noqa: F401
from app.billing.models import (  # noqa: F401
    DocumentSequence,
    Invoice,
    Order,
    Payment,
    Refund,
    StripeCustomer,
    StripeEvent,
    StripeSubscription,
)
from app.bookings.models import Booking  # noqa: F401
from app.calendars.models import CalendarConnection, CalendarFeed, PushedEvent  # noqa: F401
from app.certificates.models import (  # noqa: F401
    Certificate,
    CertificateSequence,
    ClassTypeRequirement,
    Course,
    Qualification,
    StaffQualification,
)
from app.clients.models import ClientNote, MergedCustomer  # noqa: F401
from app.core.idempotency import IdempotencyKey  # noqa: F401
from app.core.outbox import OutboxJob  # noqa: F401
from app.memberships.models import CreditEntry, Pass, Plan  # noqa: F401
from app.notifications.models import (  # noqa: F401
    MessageText,
    Notification,
    NotificationPreference,
    UndeliverableAddress,
)
from app.quality.models import QualityFinding, QualityRun  # noqa: F401
from app.reports.models import (  # noqa: F401
    Cohort,
    CustomerFirst,
    CustomerMonth,
    RevenueDay,
    TaxDay,
)
from app.schedule.models import ClassType, ScheduledClass, Series  # noqa: F401
from app.studios.models import Location, Room, StaffRole, Studio, StudioCustomer  # noqa: F401
from app.training.models import (  # noqa: F401
    Exercise,
    LoggedSet,
    TrainingPlan,
    TrainingSession,
    Workout,
    WorkoutExercise,
    WorkoutSet,
)
