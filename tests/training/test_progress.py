"""Progress queries: weeks and days in the studio's zone, best estimated 1RM per day, the
personal-record list, plans, tenancy, and a statement count that does not grow with history."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.studios.models import Role
from app.training.models import RecordKind
from app.training.queries.progress import (
    active_plans,
    client_timeline,
    personal_records,
    training_overview,
    training_studios,
)
from app.training.queries.series import e1rm_series, weekly_attendance, weekly_volume
from tests.factories import ClassFactory, StudioFactory, UserFactory, staff
from tests.sql import Statements
from tests.training.progress_helpers import customer_of, exercise, plan, workout_session

TODAY = date(2026, 11, 25)  # a Wednesday; its ISO week starts on Monday 23 November
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def at(day: date, hour: int, minute: int, tz: str) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)


@pytest.fixture
def t(app):
    toronto = StudioFactory(location__timezone="America/Toronto")
    riyadh = StudioFactory(location__timezone="Asia/Riyadh")
    coach = staff(toronto, Role.TRAINER)
    nora, omar = UserFactory(name="Nora"), UserFactory(name="Omar")
    for studio in (toronto, riyadh):
        customer_of(studio, nora)
    customer_of(toronto, omar)
    squat = exercise("Back squat", "القرفصاء الخلفية")
    pullup = exercise("Pull-up", "تمرين العقلة")
    return dict(toronto=toronto, riyadh=riyadh, coach=coach, nora=nora, omar=omar, squat=squat,
                pullup=pullup)


@pytest.mark.parametrize("tz, studio_key",
                         [("America/Toronto", "toronto"), ("Asia/Riyadh", "riyadh")])
def test_weekly_volume_counts_a_session_in_the_week_of_its_local_day(t, tz, studio_key):
    studio, nora, squat = t[studio_key], t["nora"], t["squat"]
    sunday, monday = date(2026, 11, 22), date(2026, 11, 23)
    # Late on Sunday and just after midnight on Monday, local time: the same UTC date in Toronto
    # (both Monday), the same UTC date in Riyadh (both Sunday). Only the studio's zone splits them.
    workout_session(studio, nora, at(sunday, 23, 30, tz), [(squat, 5, 100, [])])
    workout_session(studio, nora, at(monday, 0, 30, tz), [(squat, 10, 50, []), (squat, 10, 50, [])])
    assert at(sunday, 23, 30, tz).date() == at(monday, 0, 30, tz).date()

    weekly = weekly_volume(studio, nora, TODAY)
    assert len(weekly.weeks) == 12 and weekly.weeks[-1] == monday
    assert weekly.weeks[-2] == date(2026, 11, 16)
    assert weekly.values["volume"][-2:] == [Decimal(500), Decimal(1000)]
    assert weekly.peak("volume") == (monday, Decimal(1000))

    attendance = weekly_attendance(studio, nora, TODAY)
    assert attendance.values["sessions"][-2:] == [1, 1]


def test_weeks_outside_the_last_twelve_and_other_peoples_sets_are_left_out(t):
    studio, nora, omar, squat = t["toronto"], t["nora"], t["omar"], t["squat"]
    tz = "America/Toronto"
    # Sunday 6 September closes the 13th week back; Monday the 7th opens the 12th.
    workout_session(studio, nora, at(date(2026, 9, 6), 23, 0, tz), [(squat, 5, 100, [])])
    workout_session(studio, nora, at(date(2026, 9, 7), 1, 0, tz), [(squat, 5, 60, [])])
    workout_session(studio, omar, at(date(2026, 11, 24), 10, 0, tz), [(squat, 5, 200, [])])
    workout_session(t["riyadh"], nora, at(date(2026, 11, 24), 10, 0, tz), [(squat, 5, 300, [])])

    weekly = weekly_volume(studio, nora, TODAY)
    assert weekly.weeks[0] == date(2026, 9, 7)
    assert weekly.values["volume"] == [Decimal(300)] + [Decimal(0)] * 11


def test_attendance_counts_attended_classes_and_sessions_per_local_week(t):
    studio, nora = t["toronto"], t["nora"]
    tz = "America/Toronto"
    for status, when in ((BookingStatus.ATTENDED, at(date(2026, 11, 22), 23, 0, tz)),
                         (BookingStatus.ATTENDED, at(date(2026, 11, 24), 7, 0, tz)),
                         (BookingStatus.NO_SHOW, at(date(2026, 11, 24), 18, 0, tz)),
                         (BookingStatus.CONFIRMED, at(date(2026, 11, 26), 7, 0, tz))):
        cls = ClassFactory(studio=studio, starts_at=when, ends_at=when + timedelta(hours=1))
        db.session.add(Booking(studio_id=studio.id, class_id=cls.id, customer_id=nora.id,
                               status=status))
    other = ClassFactory(studio=studio, starts_at=at(date(2026, 11, 24), 7, 0, tz),
                         ends_at=at(date(2026, 11, 24), 8, 0, tz))
    db.session.add(Booking(studio_id=studio.id, class_id=other.id, customer_id=t["omar"].id,
                           status=BookingStatus.ATTENDED))
    workout_session(studio, nora, at(date(2026, 11, 24), 9, 0, tz), [(t["squat"], 5, 100, [])])
    db.session.flush()

    weekly = weekly_attendance(studio, nora, TODAY)
    assert weekly.values["classes"][-2:] == [1, 1]
    assert weekly.values["sessions"][-2:] == [0, 1]
    assert weekly.total("classes") == 2


def test_e1rm_keeps_the_best_set_of_each_local_day(t):
    studio, nora, squat, pullup = t["toronto"], t["nora"], t["squat"], t["pullup"]
    tz = "America/Toronto"
    day1, day2 = date(2026, 11, 2), date(2026, 11, 9)
    # Morning and evening of the same day, the evening crossing midnight UTC: one point.
    workout_session(studio, nora, at(day1, 7, 0, tz), [(squat, 5, 100, []), (squat, 1, 110, [])])
    workout_session(studio, nora, at(day1, 21, 0, tz), [(squat, 8, 100, [])])
    workout_session(studio, nora, at(day2, 7, 0, tz), [(squat, 3, 105, [])])
    workout_session(studio, nora, at(day2, 8, 0, tz), [(pullup, 12, 0, [])])  # no load: no e1RM

    (series,) = e1rm_series(studio, nora, TODAY)
    assert series.exercise == squat
    # 100 × (1 + 8/30) = 126.67 beats 100 × 5 (116.67) and the single at 110.
    assert series.points == [(day1, Decimal("126.67")), (day2, Decimal("115.50"))]


def test_e1rm_draws_the_four_exercises_trained_on_most_days(t):
    studio, nora = t["toronto"], t["nora"]
    lifts = [exercise(f"Lift {i}", f"تمرين {i}") for i in range(6)]
    for i, lift in enumerate(lifts):
        for d in range(i + 1):
            when = at(date(2026, 11, 1) + timedelta(days=d), 9, i, "America/Toronto")
            workout_session(studio, nora, when, [(lift, 5, 50 + d, [])])
    assert [s.exercise for s in e1rm_series(studio, nora, TODAY)] == lifts[:1:-1][:4]


def test_personal_records_are_the_current_best_of_each_kind(t):
    studio, nora, squat, pullup = t["toronto"], t["nora"], t["squat"], t["pullup"]
    tz = "America/Toronto"
    first = workout_session(studio, nora, at(date(2026, 10, 1), 9, 0, tz),
                            [(squat, 5, 100, ["load", "e1rm", "volume"]),
                             (pullup, 12, 0, ["reps"])])
    second = workout_session(studio, nora, at(date(2026, 10, 8), 9, 0, tz),
                             [(squat, 10, 90, ["e1rm", "volume"]), (squat, 5, 100, []),
                              (pullup, 15, 0, ["reps"])])
    workout_session(studio, t["omar"], at(date(2026, 10, 9), 9, 0, tz), [(squat, 5, 200, ["load"])])
    workout_session(t["riyadh"], nora, at(date(2026, 10, 9), 9, 0, tz), [(squat, 5, 180, ["load"])])

    sq, pull = personal_records(studio, nora)  # by name: "Back squat", "Pull-up"
    assert (sq.exercise, pull.exercise) == (squat, pullup)
    assert set(sq.records) == {RecordKind.LOAD, RecordKind.E1RM, RecordKind.VOLUME}
    assert sq.records[RecordKind.LOAD].session_id == first.id  # the tie at 100 × 5 came later
    assert (sq.records[RecordKind.E1RM].reps, sq.records[RecordKind.E1RM].load) == (10, 90)
    assert sq.records[RecordKind.VOLUME].volume == Decimal(900)
    assert RecordKind.REPS not in sq.records
    assert set(pull.records) == {RecordKind.REPS}
    most_reps = pull.records[RecordKind.REPS]
    assert most_reps.reps == 15 and most_reps.session_id == second.id


def test_the_timeline_is_newest_first_with_sets_grouped_by_exercise(t):
    studio, nora, squat, pullup, coach = (t[k] for k in ("toronto", "nora", "squat", "pullup",
                                                          "coach"))
    old = workout_session(studio, nora, at(date(2026, 11, 2), 9, 0, "UTC"), [(squat, 5, 80, [])])
    new = workout_session(studio, nora, at(date(2026, 11, 9), 9, 0, "UTC"), [
        (squat, 5, 100, ["load"]), (pullup, 10, 0, ["reps"]), (squat, 5, 102.5, ["load", "e1rm"])],
        coach=coach)
    workout_session(studio, t["omar"], at(date(2026, 11, 10), 9, 0, "UTC"), [(squat, 5, 200, [])])

    timeline = client_timeline(studio, nora)
    assert [e.session for e in timeline.entries] == [new, old] and not timeline.has_older
    first = timeline.entries[0]
    assert first.coach == coach and first.set_count == 3 and first.record_count == 3
    assert [(g.exercise, [s.load for s in g.sets]) for g in first.exercises] == [
        (squat, [Decimal(100), Decimal("102.50")]), (pullup, [Decimal(0)])]


def test_the_timeline_pages_through_long_histories(t):
    studio, nora = t["toronto"], t["nora"]
    start = at(date(2026, 1, 5), 9, 0, "UTC")
    sessions = [workout_session(studio, nora, start + timedelta(days=i), [(t["squat"], 5, 50, [])])
                for i in range(23)]
    pages = [client_timeline(studio, nora, page) for page in (1, 2, 3)]
    assert [len(p.entries) for p in pages] == [10, 10, 3]
    assert [p.has_older for p in pages] == [True, True, False]
    assert pages[2].entries[-1].session == sessions[0]
    assert client_timeline(studio, nora, -5).page == 1
    assert client_timeline(studio, nora, 10**20).entries == []


def test_active_plans_are_laid_out_as_weeks_by_days_with_the_days_done(t):
    studio, nora, squat, pullup, coach = (t[k] for k in ("toronto", "nora", "squat", "pullup",
                                                          "coach"))
    mine = plan(studio, nora, coach, "Strength block", {
        (1, 1): [(squat, [(5, 100), (5, 100), (5, 100)]), (pullup, [(8, None)])],
        (1, 2): [(pullup, [(10, None)])],
        (2, 1): [(squat, [(3, 110)])]})
    plan(studio, t["omar"], coach, "Not Nora's", {(1, 1): [(squat, [(5, 50)])]})
    archived = plan(studio, nora, coach, "Old block", {(1, 1): [(squat, [(5, 60)])]})
    archived.status = "archived"
    day_one = next(w for w in mine.workouts if (w.week, w.day) == (1, 1))
    workout_session(studio, nora, at(date(2026, 11, 2), 9, 0, "UTC"), [(squat, 5, 100, [])],
                    workout=day_one)
    db.session.flush()

    (view,) = active_plans(studio, nora)
    assert view.plan == mine
    assert [[(w.week, w.day) if w else None for w in week] for week in view.grid] == [
        [(1, 1), (1, 2)], [(2, 1), None]]
    assert view.done == {day_one.id}
    assert (view.next_workout.week, view.next_workout.day) == (1, 2) and view.current_week == 1
    items = view.grid[0][0].items
    assert [i.exercise for i in items] == [squat, pullup] and len(items[0].sets) == 3
    assert active_plans(t["riyadh"], nora) == []


def test_training_studios_are_those_with_sessions_or_an_active_plan_latest_first(t):
    nora, squat = t["nora"], t["squat"]
    third = StudioFactory()
    workout_session(t["toronto"], nora, at(date(2026, 11, 2), 9, 0, "UTC"), [(squat, 5, 50, [])])
    workout_session(t["riyadh"], nora, at(date(2026, 11, 9), 9, 0, "UTC"), [(squat, 5, 50, [])])
    plan(third, nora, None, "Starter", {})
    plan(t["toronto"], t["omar"], None, "Omar's", {})
    assert training_studios(nora) == [t["riyadh"], t["toronto"], third]
    assert training_studios(t["coach"]) == []


def history(studio, client, coach, squat, pullup, sessions: int) -> None:
    """`sessions` sessions over the last weeks, with sets of two exercises, records and a plan."""
    day_one = plan(studio, client, coach, "Block", {(1, 1): [(squat, [(5, 100)])]}).workouts[0]
    for i in range(sessions):
        when = NOW - timedelta(days=2 * i + 1)
        workout_session(studio, client, when, [(squat, 5, 100 + i, ["load"]), (squat, 5, 90, []),
                                               (pullup, 8 + i % 3, 0, ["reps"])],
                        coach=coach, workout=day_one if i == 0 else None)


@pytest.mark.parametrize("coach_logged", [True, False])
def test_the_overview_runs_the_same_statements_for_3_or_30_sessions(t, coach_logged):
    counts = []
    for n in (3, 30):
        client = UserFactory()
        coach = t["coach"] if coach_logged else None
        history(t["toronto"], client, coach, t["squat"], t["pullup"], n)
        db.session.expire_all()
        with Statements().counting() as sql:
            overview = training_overview(t["toronto"], client, NOW)
            assert overview.timeline.entries and overview.records and overview.plans
        counts.append(sql.count)
    # 16 of its own, plus reloading the expired studio, its location and the client.
    assert counts[0] == counts[1] <= 19, counts
