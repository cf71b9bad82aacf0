"""1:1 session messages: booked, moved, cancelled and reminded, each to the customer and to the
coach, in each one's language, with the studio's name, once (through a real SMTP server)."""

from datetime import UTC, datetime, time, timedelta

import pytest

from app.appointments import services
from app.appointments.notices import due_reminders, queue_due_reminders
from app.appointments.slots import free_slots
from app.extensions import db
from app.notifications.services.preferences import preferences_for
from tests.appointments.helpers import coach_with_hours, session_type
from tests.factories import StudioFactory, UserFactory

JOB = "send_session_notice"


@pytest.fixture
def session_world(app, ctx):
    studio = StudioFactory(booking_opens_days=14, cancel_cutoff_minutes=12 * 60,
                           reminder_hours=[24, 2])
    coach = coach_with_hours(studio, starts=time(7), ends=time(10))
    coach.locale = "en"
    customer = UserFactory(locale="ar", timezone="UTC")
    for person in (coach, customer):  # quiet hours have their own tests
        prefs = preferences_for(person)
        prefs.quiet_start = prefs.quiet_end = None
    st = session_type(studio, price=0)
    now = datetime.now(UTC)
    slots = free_slots(studio, coach, st, (now + timedelta(days=3)).date(),
                       (now + timedelta(days=4)).date(), now)
    return studio, coach, customer, st, slots


def mails(inbox, person, since=0):
    return inbox.to(person.email)[since:]


def text_of(mail):
    return mail.get_body(("plain",)).get_content()


def test_a_booked_session_is_told_to_the_customer_and_the_coach_once(
        session_world, run_jobs, jobs, mail_server):
    studio, coach, customer, st, slots = session_world
    appointment = services.book_appointment(studio, coach, customer, st, slots[0].starts_at,
                                            actor=customer)
    db.session.commit()
    queued = [j for j in jobs if JOB in j[0]]
    done = run_jobs(JOB)
    assert [r for _f, _a, r in done] == [2]
    (to_customer,) = mails(mail_server, customer)
    (to_coach,) = mails(mail_server, coach)
    assert to_customer["Subject"] == "تم حجز جلستك الفردية"
    assert to_coach["Subject"] == "New 1:1 session booked with you"
    assert "استوديو " + studio.slug in text_of(to_customer)
    assert f"Studio {studio.slug}" in text_of(to_coach)
    assert customer.name in text_of(to_coach) and coach.name in text_of(to_customer)
    assert f"/sessions/{appointment.id}" in text_of(to_customer)
    # The same job again (a retried worker): nobody hears twice.
    from workers.jobs.messages import send_session_notice

    assert send_session_notice(*queued[0][1]) == 0
    assert len(mails(mail_server, customer)) == len(mails(mail_server, coach)) == 1


def test_a_moved_and_a_late_cancelled_session_are_told_to_both(
        session_world, run_jobs, mail_server):
    studio, coach, customer, st, slots = session_world
    appointment = services.book_appointment(studio, coach, customer, st, slots[0].starts_at,
                                            actor=customer)
    db.session.commit()
    run_jobs(JOB)
    services.move_appointment(studio, appointment, slots[-1].starts_at, actor=coach)
    db.session.commit()
    run_jobs(JOB)
    (moved,) = [m for m in mails(mail_server, coach, 1)]
    assert moved["Subject"] == "Your 1:1 session has a new time"
    assert mails(mail_server, customer, 1)[0]["Subject"] == "تغيّر موعد جلستك الفردية"
    # Cancelled after the cutoff (an hour before): a late cancel, said to the customer only.
    services.cancel_appointment(studio, appointment, actor=customer,
                                now=appointment.starts_at - timedelta(hours=1))
    db.session.commit()
    run_jobs(JOB)
    (cancelled,) = mails(mail_server, customer, 2)
    assert cancelled["Subject"] == "أُلغيت جلستك الفردية"
    assert "إلغاءً متأخرًا" in text_of(cancelled)
    (coach_copy,) = mails(mail_server, coach, 2)
    assert coach_copy["Subject"] == "Your 1:1 session is cancelled"
    assert "late cancellation" not in text_of(coach_copy)


def test_a_moved_session_s_old_booked_message_is_not_sent(session_world, run_jobs, mail_server):
    studio, coach, customer, st, slots = session_world
    appointment = services.book_appointment(studio, coach, customer, st, slots[0].starts_at,
                                            actor=customer)
    services.cancel_appointment(studio, appointment, actor=customer)
    db.session.commit()
    run_jobs(JOB)  # "booked" first (now untrue), then "cancelled"
    assert [m["Subject"] for m in mails(mail_server, coach)] == ["Your 1:1 session is cancelled"]


def test_session_reminders_go_once_each_at_the_studio_s_hours(session_world, jobs, run_jobs,
                                                              mail_server):
    studio, coach, customer, st, slots = session_world
    appointment = services.book_appointment(
        studio, coach, customer, st, slots[0].starts_at, actor=customer,
        now=slots[0].starts_at - timedelta(days=3))
    appointment.created_at = slots[0].starts_at - timedelta(days=3)
    db.session.commit()
    run_jobs(JOB)
    start = appointment.starts_at
    mine = [(appointment.id, f"{start:%Y%m%d%H%M}", 24)]
    assert [d for d in due_reminders(start - timedelta(hours=30))
            if d[0] == appointment.id] == []
    assert [d for d in due_reminders(start - timedelta(hours=23)) if d[0] == appointment.id] \
        == mine
    for _ in range(2):  # two sweeps before the job ran: two jobs, one message each
        queue_due_reminders(start - timedelta(hours=23))
        db.session.commit()
    jobs[:] = [j for j in jobs if j[1][0] == appointment.id]
    run_jobs(JOB)
    reminders = [m for m in mails(mail_server, customer) if "تذكير" in m["Subject"]]
    assert len(reminders) == 1
    assert [m["Subject"] for m in mails(mail_server, coach)][-1].startswith("Reminder: ")
    assert [d for d in due_reminders(start - timedelta(hours=22))
            if d[0] == appointment.id] == []
    assert [d for d in due_reminders(start - timedelta(hours=2)) if d[0] == appointment.id] \
        == [(appointment.id, f"{start:%Y%m%d%H%M}", 2)]
