"""FitFlow application factory: config → extensions → blueprints → jinja → errors → cli."""

from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import config as config_module
from app.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(config_module.INSTANCE_DIR))
    app.config.from_mapping(config_module.from_environment())
    if config:
        app.config.update(config)

    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _init_extensions(app)
    _connect_domains(app)
    _register_blueprints(app)
    _init_jinja(app)

    from app.core import errors_views

    errors_views.init_app(app)
    from app import cli

    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app.core import assets, conditional, fragments, i18n, security, urls
    from app.core import db as core_db

    urls.init_app(app)
    db.init_app(app)
    core_db.init_app(app)  # after db: its teardown runs before Flask-SQLAlchemy's
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login_form"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    htmx.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    fragments.init_app(app)
    assets.init_app(app)
    compress.init_app(app)  # gunicorn does not compress, and there may be no proxy in front
    conditional.init_app(app)  # after compress: its hook runs first, on the uncompressed page
    import app.models  # noqa: F401  (every table is known to the metadata)


def _connect_domains(app: Flask) -> None:
    """Passes and fees pay for bookings and 1:1 sessions (their services stay free of money
    code); the roster learns credits, money owed and notes from the domains that hold them;
    staff land in their console after signing in, and its managers owe a second step (accounts
    knows no studio); a check-in may complete a course, and a class type may require its coach
    to hold a qualification (certificates sits above bookings and schedule); a coach's
    connected calendar follows each change to her classes and sessions."""
    from app.appointments import entitlements as session_entitlements
    from app.billing.services.entitlements import PaidBookings
    from app.billing.services.sessions import PaidSessions
    from app.bookings import entitlements, people
    from app.calendars.services import follow
    from app.certificates.services.issuing import after_check_in
    from app.certificates.services.qualifications import missing_qualification
    from app.clients.people import ClientFacts
    from app.studios.policies import landing_url, needs_second_step

    entitlements.install(PaidBookings())
    session_entitlements.install(PaidSessions())
    people.install(ClientFacts())
    app.extensions["fitflow.landing"] = landing_url
    app.extensions["fitflow.second_step_required"] = needs_second_step
    app.extensions["fitflow.after_check_in"] = [after_check_in]
    app.extensions["fitflow.missing_qualification"] = missing_qualification
    follow.install()
    _leaving(app)
    _first_steps(app)
    _today(app)


def _leaving(app: Flask) -> None:
    """What each domain does when a person deletes their account (accounts knows no studio:
    app/accounts/services/deletion.py). The studios go first: their refusal (a studio's only
    owner) comes before anything is cancelled."""
    from app.accounts.services.deletion import LEAVING
    from app.appointments.services import leave_sessions
    from app.bookings.services.leaving import cancel_bookings_ahead
    from app.calendars.services.leaving import forget_calendars
    from app.clients.services.leaving import delete_notes_about
    from app.studios.services.leaving import leave_studios
    from app.training.services.leaving import delete_training_history

    app.extensions[LEAVING] = [leave_studios, cancel_bookings_ahead, leave_sessions,
                               forget_calendars, delete_notes_about, delete_training_history]


def _first_steps(app: Flask) -> None:
    """A new studio's checklist (app/studios/checklist.py), each step read from its own data."""
    from app.core.db import exists_in_studio
    from app.memberships.models import Plan
    from app.schedule.models import ClassType, Series
    from app.studios.checklist import Step, add_step
    from app.studios.models import Invitation, Role, StaffRole

    for step in (
        Step("class_type", _l("Add a class type"), "schedule_manage.class_types",
             lambda s: exists_in_studio(ClassType, s.id)),
        Step("timetable", _l("Build the timetable"), "schedule_manage.series",
             lambda s: exists_in_studio(Series, s.id)),
        Step("plan", _l("Create a plan customers can buy"), "memberships_manage.plans",
             lambda s: exists_in_studio(Plan, s.id)),
        Step("staff", _l("Invite your staff"), "studios_staff.staff_page",
             lambda s: exists_in_studio(Invitation, s.id)
             or exists_in_studio(StaffRole, s.id, StaffRole.role != Role.OWNER)),
        Step("payments", _l("Set up payments and tax numbers"), "billing_manage.money_settings",
             lambda s: bool(s.tax_numbers) or any(loc.tax_numbers for loc in s.locations)
             or s.takes_cards),
    ):
        add_step(app, step)


def _today(app: Flask) -> None:
    """The console home's counts for today (app/studios/today.py), each from its own data."""
    from sqlalchemy import func, select

    from app.billing.models import Order, OrderStatus
    from app.bookings.models import Booking, BookingStatus
    from app.extensions import db
    from app.schedule.models import ClassStatus, ScheduledClass
    from app.studios.models import StudioCustomer
    from app.studios.today import Fact, add_fact

    def today_classes(studio, w):
        return (select(ScheduledClass.id)
                .where(ScheduledClass.studio_id == studio.id,
                       ScheduledClass.status != ClassStatus.CANCELLED,
                       ScheduledClass.starts_at >= w.day_start,
                       ScheduledClass.starts_at < w.day_end))

    def bookings_today(*statuses):
        return lambda studio, w: db.session.scalar(
            select(func.count()).select_from(Booking)
            .where(Booking.class_id.in_(today_classes(studio, w)),
                   Booking.status.in_(statuses)))

    for fact in (
        Fact("classes", _l("Classes today"), None, lambda studio, w: db.session.scalar(
            select(func.count()).select_from(today_classes(studio, w).subquery()))),
        Fact("booked", _l("Booked today"), None,
             bookings_today(BookingStatus.CONFIRMED, BookingStatus.ATTENDED,
                            BookingStatus.NO_SHOW)),
        Fact("checked_in", _l("Checked in so far"), None,
             bookings_today(BookingStatus.ATTENDED)),
        Fact("waiting", _l("On today's waitlists"), None,
             bookings_today(BookingStatus.WAITLISTED, BookingStatus.OFFERED)),
        Fact("unpaid", _l("Unpaid orders"), "billing_manage.orders",
             lambda studio, w: db.session.scalar(
                 select(func.count()).select_from(Order)
                 .where(Order.studio_id == studio.id,
                        Order.status == OrderStatus.AWAITING_PAYMENT))),
        Fact("new_members", _l("New members this week"), "clients_manage.customers",
             lambda studio, w: db.session.scalar(
                 select(func.count()).select_from(StudioCustomer)
                 .where(StudioCustomer.studio_id == studio.id,
                        StudioCustomer.created_at >= w.week_start))),
    ):
        add_fact(app, fact)


def _register_blueprints(app: Flask) -> None:
    """Each domain's blueprints by audience: `views` (customers and the public), `coach_views`
    (/coach/…), `manage_views` (/manage/<studio>/…), `operator_views` (/operator/…)."""
    from app.accounts import views as accounts
    from app.accounts.factors import views as accounts_factors
    from app.appointments import coach_views as appointments_coach
    from app.appointments import manage_views as appointments_manage
    from app.appointments import views as appointments
    from app.billing import manage_views as billing_manage
    from app.billing import views as billing
    from app.billing.stripe import webhooks as billing_webhooks
    from app.bookings import coach_views as bookings_coach
    from app.bookings import manage_views as bookings_manage
    from app.bookings import views as bookings
    from app.calendars import views as calendars
    from app.certificates import manage_views as certificates_manage
    from app.certificates import views as certificates
    from app.clients import coach_views as clients_coach
    from app.clients import desk_views as clients_desk
    from app.clients import manage_views as clients_manage
    from app.clients import views as clients
    from app.core import health
    from app.memberships import manage_views as memberships_manage
    from app.notifications import views as notifications
    from app.operator import operator_views as operator
    from app.pwa import views as pwa
    from app.quality import manage_views as quality_manage
    from app.quality import operator_views as quality_operator
    from app.reports import manage_views as reports_manage
    from app.schedule import manage_views as schedule_manage
    from app.studios import manage_views as studios_manage
    from app.studios import message_views as studios_messages
    from app.studios import staff_views as studios_staff
    from app.studios import views as studios
    from app.training import coach_views as training_coach
    from app.training import views as training

    for module in (health, studios, accounts, accounts_factors, notifications, bookings, billing,
                   appointments, training, calendars, certificates, pwa, clients,
                   bookings_coach, clients_coach, training_coach, appointments_coach,
                   studios_manage, studios_messages, studios_staff, schedule_manage,
                   bookings_manage,
                   memberships_manage,
                   billing_manage, appointments_manage, clients_manage, clients_desk,
                   certificates_manage, reports_manage, quality_manage,
                   billing_webhooks,
                   operator, quality_operator):
        app.register_blueprint(module.bp)
    # The cross-studio coach home, and coach URLs from before the studio led the path.
    for bp in (bookings_coach.home, clients_coach.moved, training_coach.moved,
               reports_manage.home):
        app.register_blueprint(bp)


def _init_jinja(app: Flask) -> None:
    from app.calendars.queries import booking_ics_url, session_ics_url
    from app.clients.policies import can_manage_customers
    from app.core.sealed import Unopenable
    from app.core.security import csrf_token
    from app.studios.console import may_open
    from app.studios.models import jurisdiction_name, role_name
    from app.studios.policies import coach_studios, coaches_anywhere, console_studios
    from app.studios.queries import studio_of_path

    app.jinja_env.globals.update(csrf_token=csrf_token, console_studios=console_studios,
                                 coaches_anywhere=coaches_anywhere, coach_studios=coach_studios,
                                 role_name=role_name, jurisdiction_name=jurisdiction_name,
                                 studio_of_path=studio_of_path,
                                 can_manage_customers=can_manage_customers,
                                 may_open=may_open,
                                 # "Add to calendar" in e-mails (absolute, from BASE_URL)
                                 booking_ics_url=booking_ics_url,
                                 session_ics_url=session_ics_url)
    # Flask-WTF also hands templates its generate_csrf through a context processor; this one,
    # registered later, wins: one token per session (core.security.csrf_token).
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.tests["unopenable"] = lambda value: isinstance(value, Unopenable)
