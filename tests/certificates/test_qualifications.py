"""A class type may require a qualification: a coach without a valid one (recorded with its
expiry, or a FitFlow course's certificate) is refused for a one-off class, a series, a
series' new coach or a substitute, with a message saying why; the console records
qualifications with a scan and lists those expiring in 60 days with the classes they affect."""

import io
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from app.certificates.models import StaffQualification
from app.certificates.services import issuing
from app.certificates.services.qualifications import (
    expiring,
    record_staff_qualification,
    save_qualification,
    withdraw_staff_qualification,
)
from app.core.db import utcnow
from app.extensions import db
from app.schedule.errors import CoachNotQualified
from app.schedule.services import create_class, create_series, reschedule_class, update_series
from app.studios.models import Role
from tests.certificates.helpers import course_world
from tests.conftest import login
from tests.factories import ClassFactory, ClassTypeFactory, StudioFactory, staff
from tests.pages import Page


@pytest.fixture
def pool(app):
    """A studio whose lifeguarding classes require the lifeguard qualification."""
    studio = StudioFactory()
    manager = staff(studio, Role.OWNER)
    swim = ClassTypeFactory(studio=studio, name={"en": "Lifeguarding", "ar": "الإنقاذ"})
    yoga = ClassTypeFactory(studio=studio, name={"en": "Yoga", "ar": "يوغا"})
    kind = save_qualification(studio, actor=manager, name={"en": "Lifeguard", "ar": "منقذ"},
                              class_type_ids=[swim.id], course_ids=[])
    coach = staff(studio, Role.TRAINER, name="Sami")
    return dict(studio=studio, manager=manager, swim=swim, yoga=yoga, kind=kind, coach=coach)


def today(studio):
    return issuing.local_day(studio, utcnow())


def place(p, class_type, days_ahead=3, coach=None):
    return create_class(p["studio"], class_type=class_type, location=p["studio"].default_location,
                        coach=coach or p["coach"], capacity=5,
                        starts_at=utcnow().replace(second=0, microsecond=0)
                        + timedelta(days=days_ahead))


def test_a_coach_without_the_qualification_is_refused_with_the_reason(pool):
    with pytest.raises(CoachNotQualified) as refused:
        place(pool, pool["swim"])
    message = str(refused.value)
    assert "Sami can't teach Lifeguarding" in message and "Lifeguard qualification" in message
    assert place(pool, pool["yoga"]).coach_id == pool["coach"].id  # nothing required there


def test_a_recorded_qualification_counts_until_it_expires(pool):
    studio = pool["studio"]
    record_staff_qualification(studio, pool["kind"], pool["coach"], actor=pool["manager"],
                               expires_on=today(studio) + timedelta(days=10))
    assert place(pool, pool["swim"], days_ahead=5).coach_id == pool["coach"].id
    with pytest.raises(CoachNotQualified):
        place(pool, pool["swim"], days_ahead=20)


def test_a_withdrawn_qualification_no_longer_counts(pool):
    held = record_staff_qualification(pool["studio"], pool["kind"], pool["coach"],
                                      actor=pool["manager"], expires_on=None)
    withdraw_staff_qualification(pool["studio"], held, actor=pool["manager"])
    with pytest.raises(CoachNotQualified):
        place(pool, pool["swim"])


def test_a_courses_certificate_grants_it_until_revoked(pool):
    studio, manager = pool["studio"], pool["manager"]
    _, _, course, _ = course_world(studio=studio, auto_issue=False, validity_months=24)
    save_qualification(studio, pool["kind"], actor=manager, name=pool["kind"].name,
                       class_type_ids=[pool["swim"].id], course_ids=[course.id])
    certificate = issuing.issue_certificate(studio, course, pool["coach"], actor=manager,
                                            check_rule=False)
    first = place(pool, pool["swim"], days_ahead=2)
    issuing.revoke(studio, certificate, actor=manager, reason="lapsed")
    with pytest.raises(CoachNotQualified):
        place(pool, pool["swim"], days_ahead=4)
    assert first.coach_id == pool["coach"].id


def test_a_series_is_checked_through_its_last_class(pool):
    studio = pool["studio"]
    record_staff_qualification(studio, pool["kind"], pool["coach"], actor=pool["manager"],
                               expires_on=today(studio) + timedelta(days=20))
    start = today(studio) + timedelta(days=1)
    with pytest.raises(CoachNotQualified):
        create_series(studio, class_type=pool["swim"], location=studio.default_location,
                      coach=pool["coach"], weekdays=[1, 3, 5], start_time=time(9),
                      capacity=5, starts_on=start, ends_on=start + timedelta(days=60))
    series = create_series(studio, class_type=pool["swim"], location=studio.default_location,
                           coach=pool["coach"], weekdays=[1, 3, 5], start_time=time(9),
                           capacity=5, starts_on=start, ends_on=start + timedelta(days=14))
    assert series.coach_id == pool["coach"].id


def test_a_series_new_coach_and_a_substitute_are_checked(pool):
    studio = pool["studio"]
    qualified = staff(studio, Role.TRAINER, name="Qualified")
    record_staff_qualification(studio, pool["kind"], qualified, actor=pool["manager"],
                               expires_on=None)
    start = today(studio) + timedelta(days=1)
    series = create_series(studio, class_type=pool["swim"], location=studio.default_location,
                           coach=qualified, weekdays=[2], start_time=time(9), capacity=5,
                           starts_on=start, ends_on=start + timedelta(days=21))
    with pytest.raises(CoachNotQualified):
        update_series(studio, series, coach_id=pool["coach"].id)
    cls = place(pool, pool["swim"], coach=qualified, days_ahead=2)
    with pytest.raises(CoachNotQualified):
        reschedule_class(studio, cls, now=utcnow(), coach_id=pool["coach"].id)


def test_the_substitute_form_shows_the_refusal(client, pool):
    studio = pool["studio"]
    qualified = staff(studio, Role.TRAINER, name="Qualified")
    record_staff_qualification(studio, pool["kind"], qualified, actor=pool["manager"],
                               expires_on=None)
    cls = place(pool, pool["swim"], coach=qualified, days_ahead=2)
    db.session.commit()
    login(client, pool["manager"])
    from app.core.i18n import local

    start = local(cls.starts_at, cls.timezone)
    response = client.post(f"/manage/{studio.slug}/classes/{cls.id}/edit", data={
        "coach_id": str(pool["coach"].id), "day": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"), "duration_minutes": "60", "capacity": "5"})
    assert response.status_code == 409
    assert "Sami can't teach Lifeguarding" in Page(response).text("main")
    db.session.refresh(cls)
    assert cls.coach_id == qualified.id


def test_the_console_lists_what_expires_within_60_days_and_the_classes_it_hits(client, pool):
    studio = pool["studio"]
    day = today(studio)
    record_staff_qualification(studio, pool["kind"], pool["coach"], actor=pool["manager"],
                               expires_on=day + timedelta(days=40))
    before = place(pool, pool["swim"], days_ahead=10)
    later = ClassFactory(studio=studio, class_type_id=pool["swim"].id,
                         coach_id=pool["coach"].id, hours_ahead=24 * 50)
    far = staff(studio, Role.TRAINER, name="Far")
    record_staff_qualification(studio, pool["kind"], far, actor=pool["manager"],
                               expires_on=day + timedelta(days=200))
    (row,) = expiring(studio, day, 60)
    assert (row.person.id, row.expires_on) == (pool["coach"].id, day + timedelta(days=40))
    assert [c.id for c in row.classes] == [later.id]
    db.session.commit()
    login(client, pool["manager"])
    page = Page(client.get(f"/manage/{studio.slug}/qualifications"))
    text = page.text("#expiring")
    assert "Sami" in text and "Lifeguarding" in text and "Far" not in text
    assert f"/classes/{before.id}" not in page.html


def test_recording_with_a_scan_and_bad_input(client, pool):
    studio = pool["studio"]
    db.session.commit()
    login(client, pool["manager"])
    path = f"/manage/{studio.slug}/qualifications/staff"
    base = {"user_id": str(pool["coach"].id), "qualification_id": str(pool["kind"].id),
            "reference": "RLSS 1234", "expires_on": "2027-06-30"}
    bad = [dict(base, expires_on="1900-01-01"), dict(base, user_id="999999"),
           dict(base, qualification_id="0"),
           dict(base, scan=(io.BytesIO(b"MZ not a document"), "x.exe")),
           dict(base, scan=(io.BytesIO(b"%PDF-" + b"x" * 950_000), "big.pdf"))]
    for data in bad:
        response = client.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == 422, data
    assert db.session.scalar(select(StaffQualification.id)) is None
    response = client.post(path, data=dict(base, scan=(io.BytesIO(b"%PDF-1.4 scan"), "s.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 303
    held = db.session.scalar(select(StaffQualification))
    scan = client.get(f"/manage/{studio.slug}/qualifications/staff/{held.id}/scan")
    assert scan.status_code == 200 and scan.data == b"%PDF-1.4 scan"
    assert scan.headers["Content-Type"] == "application/pdf"


def test_another_studios_qualifications_are_404(client, pool):
    other = StudioFactory()
    other_manager = staff(other, Role.OWNER)
    theirs = save_qualification(other, actor=other_manager, name={"en": "X"},
                                class_type_ids=[], course_ids=[])
    coach = staff(other, Role.TRAINER)
    held = record_staff_qualification(other, theirs, coach, actor=other_manager,
                                      expires_on=None, scan=(b"%PDF-1.4", "application/pdf"))
    db.session.commit()
    login(client, pool["manager"])
    base = f"/manage/{pool['studio'].slug}/qualifications"
    assert client.get(f"{base}/{theirs.id}/edit").status_code == 404
    assert client.get(f"{base}/staff/{held.id}/scan").status_code == 404
    assert client.post(f"{base}/{theirs.id}", data={"name_en": "Y"}).status_code == 404
    assert client.post(f"{base}/staff/{held.id}/withdraw").status_code == 404
    response = client.post(f"{base}/staff", data={
        "user_id": str(coach.id), "qualification_id": str(pool["kind"].id)})
    assert response.status_code == 422  # not one of this studio's staff
    db.session.refresh(held)
    assert held.withdrawn_at is None


def test_a_class_type_requires_one_qualification_at_most(pool):
    other = save_qualification(pool["studio"], actor=pool["manager"], name={"en": "CPR"},
                               class_type_ids=[pool["swim"].id], course_ids=[])
    from app.certificates.queries import requirements

    assert requirements(pool["studio"]) == {other.id: [pool["swim"].id]}


def test_a_manager_adds_and_edits_a_kind(client, pool):
    studio = pool["studio"]
    db.session.commit()
    login(client, pool["manager"])
    base = f"/manage/{studio.slug}/qualifications"
    assert client.post(base, data={"name_en": "", "name_ar": ""}).status_code == 422
    assert client.post(base, data={"name_en": "CPR", "class_type_ids": "999999"}
                       ).status_code == 422
    response = client.post(base, data={"name_en": "CPR", "name_ar": "إنعاش",
                                       "class_type_ids": str(pool["yoga"].id)})
    assert response.status_code == 303
    page = Page(client.get(base))
    assert "CPR" in page.text("main") and "Required for Yoga" in page.text("main")
    from app.certificates.queries import list_qualifications

    cpr = [q for q in list_qualifications(studio) if q.name.get("en") == "CPR"][0]
    form = Page(client.get(f"{base}/{cpr.id}/edit"))
    assert form.one("#name_ar").get("value") == "إنعاش"
    assert client.post(f"{base}/{cpr.id}", data={"name_en": "CPR 2"}).status_code == 303
    db.session.refresh(cpr)
    assert cpr.name == {"en": "CPR 2"}
