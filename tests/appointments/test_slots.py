"""Slot computation: weekly hours in the location's zone (across both DST changes in
America/Toronto), minus time off, classes and appointments with the buffer, inside the
booking window."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.appointments.models import Appointment, TimeOff
from app.appointments.slots import WeeklyWindow, compute_slots, free_slots, local_windows
from app.extensions import db
from tests.appointments.helpers import coach_with_hours, session_type
from tests.factories import ClassFactory, StudioFactory, UserFactory

TORONTO = ZoneInfo("America/Toronto")
EVERY_DAY = [WeeklyWindow(d, time(7), time(9), "America/Toronto") for d in range(1, 8)]
FAR = dict(earliest=datetime(2000, 1, 1, tzinfo=UTC), latest=datetime(2100, 1, 1, tzinfo=UTC))
HOUR = timedelta(hours=1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_starts(starts) -> dict[date, list[str]]:
    out: dict[date, list[str]] = {}
    for s in starts:
        wall = s.astimezone(TORONTO)
        out.setdefault(wall.date(), []).append(wall.strftime("%H:%M"))
    return out


def test_fall_back_keeps_seven_oclock_local():
    """2026-11-01 02:00 EDT → 01:00 EST: 07:00 local is 11:00 UTC before and 12:00 UTC after."""
    windows = local_windows(EVERY_DAY, date(2026, 10, 31), date(2026, 11, 2))
    assert [w[0] for w in windows] == [utc(2026, 10, 31, 11), utc(2026, 11, 1, 12),
                                       utc(2026, 11, 2, 12)]
    assert all(end - start == 2 * HOUR for start, end in windows)
    starts = compute_slots(windows, [], [], duration=HOUR, buffer=timedelta(0), **FAR)
    assert local_starts(starts) == {d: ["07:00", "07:15", "07:30", "07:45", "08:00"]
                                    for d in (date(2026, 10, 31), date(2026, 11, 1),
                                              date(2026, 11, 2))}


def test_spring_forward_keeps_seven_oclock_local():
    """2026-03-08 02:00 EST → 03:00 EDT: 07:00 local is 12:00 UTC before and 11:00 UTC after."""
    windows = local_windows(EVERY_DAY, date(2026, 3, 7), date(2026, 3, 9))
    assert [w[0] for w in windows] == [utc(2026, 3, 7, 12), utc(2026, 3, 8, 11),
                                       utc(2026, 3, 9, 11)]
    starts = compute_slots(windows, [], [], duration=HOUR, buffer=timedelta(0), **FAR)
    assert {d: s[0] for d, s in local_starts(starts).items()} == {
        date(2026, 3, 7): "07:00", date(2026, 3, 8): "07:00", date(2026, 3, 9): "07:00"}


def test_a_window_across_the_change_is_its_real_length():
    """01:00–04:00 on the spring-forward night is two real hours, not three."""
    night = [WeeklyWindow(7, time(1), time(4), "America/Toronto")]  # 2026-03-08 is a Sunday
    (start, end), = local_windows(night, date(2026, 3, 8), date(2026, 3, 8))
    assert end - start == 2 * HOUR


def test_only_the_pattern_weekdays_get_windows():
    mondays = [WeeklyWindow(1, time(7), time(9), "America/Toronto")]
    windows = local_windows(mondays, date(2026, 11, 23), date(2026, 11, 29))
    assert [w[0].astimezone(TORONTO).date() for w in windows] == [date(2026, 11, 23)]


def test_buffer_keeps_sessions_apart_from_busy_time():
    window = [(utc(2026, 11, 23, 12), utc(2026, 11, 23, 16))]  # 07:00–11:00 Toronto
    busy = [(utc(2026, 11, 23, 14), utc(2026, 11, 23, 15))]    # a class 09:00–10:00
    plain = compute_slots(window, [], busy, duration=HOUR, buffer=timedelta(0), **FAR)
    padded = compute_slots(window, [], busy, duration=HOUR, buffer=timedelta(minutes=15), **FAR)
    assert [s.hour * 60 + s.minute for s in plain] == [720, 735, 750, 765, 780, 900]
    # 15 minutes each side: the last start before the class is 07:45, the first after 10:15 —
    # which does not fit a full hour before 11:00.
    assert [s.hour * 60 + s.minute for s in padded] == [720, 735, 750, 765]


def test_time_off_blocks_without_buffer_and_the_window_limits_apply():
    window = [(utc(2026, 11, 23, 12), utc(2026, 11, 23, 14))]
    off = [(utc(2026, 11, 23, 12), utc(2026, 11, 23, 13))]
    starts = compute_slots(window, off, [], duration=HOUR, buffer=timedelta(minutes=30), **FAR)
    assert starts == [utc(2026, 11, 23, 13)]
    later = compute_slots(window, [], [], duration=HOUR, buffer=timedelta(0),
                          earliest=utc(2026, 11, 23, 12, 20), latest=utc(2026, 11, 23, 12, 45))
    assert later == [utc(2026, 11, 23, 12, 30), utc(2026, 11, 23, 12, 45)]


def test_free_slots_remove_classes_time_off_and_appointments():
    studio = StudioFactory(booking_opens_days=14, booking_closes_minutes=0)
    coach = coach_with_hours(studio, starts=time(7), ends=time(10))
    st = session_type(studio, buffer=15)
    now = utc(2026, 11, 20, 12)
    day = date(2026, 11, 25)  # a Wednesday, EST: 07:00 local = 12:00 UTC

    def wall():
        return local_starts(s.starts_at for s in free_slots(studio, coach, st, day, day, now))[day]

    assert wall() == ["07:00", "07:15", "07:30", "07:45", "08:00", "08:15", "08:30", "08:45",
                      "09:00"]
    ClassFactory(studio=studio, coach_id=coach.id, starts_at=utc(2026, 11, 25, 12),
                 ends_at=utc(2026, 11, 25, 12, 30))  # 07:00–07:30 local
    db.session.add(TimeOff(studio_id=studio.id, coach_id=coach.id,
                           starts_at=utc(2026, 11, 25, 14, 30),
                           ends_at=utc(2026, 11, 25, 15)))  # 09:30–10:00 local
    db.session.flush()
    assert wall() == ["07:45", "08:00", "08:15", "08:30"]
    customer = UserFactory()
    db.session.add(Appointment(studio_id=studio.id, coach_id=coach.id, customer_id=customer.id,
                               session_type_id=st.id, location_id=studio.default_location_id,
                               starts_at=utc(2026, 11, 25, 12, 45),
                               ends_at=utc(2026, 11, 25, 13, 45)))
    db.session.flush()
    assert local_starts(s.starts_at for s in free_slots(studio, coach, st, day, day, now)) == {}


def test_free_slots_only_in_the_future_and_inside_the_booking_window():
    studio = StudioFactory(booking_opens_days=2, booking_closes_minutes=60)
    coach = coach_with_hours(studio)
    st = session_type(studio)
    now = utc(2026, 11, 23, 11, 30)  # 06:30 Toronto on Monday
    slots = free_slots(studio, coach, st, date(2026, 11, 22), date(2026, 11, 30), now)
    days = local_starts(s.starts_at for s in slots)
    # Today: nothing before 07:30 (closes an hour before); nothing after two days from now.
    assert days[date(2026, 11, 23)] == ["07:30", "07:45", "08:00"]
    assert sorted(days) == [date(2026, 11, 23), date(2026, 11, 24)]


def test_another_studios_hours_do_not_count():
    studio, other = StudioFactory(), StudioFactory()
    coach = coach_with_hours(other)
    st = session_type(studio)
    assert free_slots(studio, coach, st, date(2026, 11, 23), date(2026, 11, 24),
                      utc(2026, 11, 20)) == []


def test_extra_hours_apply_on_their_day_only():
    """Saturday 2026-11-07 is not in the weekly pattern; extra hours that day add its slots,
    not every Saturday's."""
    weekdays = [WeeklyWindow(d, time(7), time(9), "America/Toronto") for d in range(1, 6)]
    extra = WeeklyWindow(6, time(10), time(11), "America/Toronto", on_date=date(2026, 11, 7))
    windows = local_windows(weekdays + [extra], date(2026, 11, 7), date(2026, 11, 14))
    saturdays = [w for w in windows if w[0].astimezone(TORONTO).isoweekday() == 6]
    assert [w[0].astimezone(TORONTO).strftime("%Y-%m-%d %H:%M") for w in saturdays] == [
        "2026-11-07 10:00"]
