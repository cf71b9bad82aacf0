"""Jobs for the messages about 1:1 sessions and money: each re-loads its row, checks the message
is still true, and sends under a dedup key (safe to run twice)."""
from app.accounts.models import User
from app.core.db import utcnow
from app.core.urls import external_url
from app.extensions import db
from app.notifications.services import send_email
from app.studios.models import Studio
from workers.jobs import job


@job
def send_session_notice(appointment_id: int, template: str, when: str,
                        hours: int | None = None) -> int:
    """Tell the customer and the coach of a 1:1 session that it was booked, moved, cancelled,
    or is coming up (`hours` before); the number of people told."""
    from app.appointments.models import Appointment, AppointmentStatus
    from app.appointments.notices import ROLES, notice_key, still_true

    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not still_true(appointment, template, when, utcnow()):
        return 0
    studio = db.session.get(Studio, appointment.studio_id)
    told = 0
    for role in ROLES:
        for_coach = role == "coach"
        person = appointment.coach if for_coach else appointment.customer
        url = (external_url("calendars.calendar") if for_coach else
               external_url("appointments.detail", studio=studio.slug,
                            appointment_id=appointment.id))
        told += send_email(
            person, template, dedup_key=notice_key(template, appointment, role, hours),
            fallback_locale=studio.default_language, studio=studio, appointment=appointment,
            for_coach=for_coach, url=url,
            late=appointment.status == AppointmentStatus.LATE_CANCELLED)
    return told


@job
def send_money_notice(template: str, row_id: int, dedup_key: str,
                      amount_minor: int | None = None) -> bool:
    """A membership renewing soon (`row_id`: its pass), a renewal the card did not pay, or
    money owed at the desk (`row_id`: the order); once per dedup key."""
    from app.billing.models import Order, OrderStatus
    from app.memberships.models import Pass, PassStatus

    if template == "membership_renewing":
        pass_ = db.session.get(Pass, row_id)
        if pass_ is None or pass_.status != PassStatus.ACTIVE or pass_.cancel_at_period_end:
            return False
        customer_id, context = pass_.customer_id, {"pass_": pass_, "plan": pass_.plan}
    elif template in ("renewal_failed", "money_owed"):
        order = db.session.get(Order, row_id)
        if order is None or (template == "money_owed"
                             and order.status != OrderStatus.AWAITING_PAYMENT):
            return False
        customer_id, context = order.customer_id, {"order": order, "plan": order.plan}
        if template == "renewal_failed":
            context.update(amount_minor=amount_minor or order.gross_minor,
                           currency=order.currency)
    else:
        return False
    studio = db.session.get(Studio, (context.get("pass_") or context.get("order")).studio_id)
    return send_email(db.session.get(User, customer_id), template, dedup_key=dedup_key,
                      fallback_locale=studio.default_language, studio=studio,
                      url=external_url("billing.wallet"), **context)
