"""Coach profiles: a photo, a bio in Arabic and English and the class types a coach teaches,
edited by the coach (/coach/<studio>/profile) and by managers, shown in the coach directory;
bad input is a 422 that writes nothing; another studio's coaches and class types are 404/422."""

import io

import pytest
from sqlalchemy import func, select

from app.appointments.models import CoachProfile
from app.audit.models import AuditEvent
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import ClassTypeFactory, StudioFactory, staff
from tests.pages import Page

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


@pytest.fixture
def studio(app):
    return StudioFactory()


def form(**extra):
    data = {"bio_ar": "مدربة قوة منذ عشر سنوات", "bio_en": "Strength coach for ten years"}
    return data | extra


def profiles(studio) -> int:
    return db.session.scalar(select(func.count()).select_from(CoachProfile)
                             .where(CoachProfile.studio_id == studio.id))


def test_a_coach_fills_in_their_profile_and_customers_see_it(client, studio):
    coach = staff(studio, Role.TRAINER, name="Noura")
    yoga = ClassTypeFactory(studio=studio, name={"en": "Yoga Flow", "ar": "يوغا فلو"})
    ClassTypeFactory(studio=studio, name={"en": "HIIT", "ar": "تمارين متقطعة"})
    login(client, coach)
    assert client.get(f"/coach/{studio.slug}/profile").status_code == 200
    response = client.post(f"/coach/{studio.slug}/profile", content_type="multipart/form-data",
                           data=form(teaches=[str(yoga.id)],
                                     photo=(io.BytesIO(PNG), "me.png")))
    assert response.status_code == 303

    client.post("/logout")
    page = Page(client.get(f"/s/{studio.slug}/coaches?lang=ar"))
    assert "مدربة قوة" in page.text(".coach-card .coach-bio")
    assert page.text(".coach-card .coach-teaches .badge") == "يوغا فلو"
    english = Page(client.get(f"/s/{studio.slug}/coaches?lang=en"))
    assert english.text(".coach-card .coach-bio") == "Strength coach for ten years"
    assert english.text(".coach-teaches .badge") == "Yoga Flow"
    src = english.one(".coach-card img.coach-photo").get("src")
    photo = client.get(src)
    assert photo.status_code == 200 and photo.data == PNG
    assert photo.mimetype == "image/png" and "sandbox" in photo.headers["Content-Security-Policy"]
    assert client.get(src[:-4] + "0000").status_code == 404  # another version: none
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.studio_id == studio.id).order_by(AuditEvent.id.desc())) == \
        "coach.profile_changed"


@pytest.mark.parametrize("bad", ["gif", "big", "foreign_type", "long_bio"])
def test_bad_profiles_are_a_422_and_write_nothing(client, studio, bad):
    coach = staff(studio, Role.TRAINER)
    foreign = ClassTypeFactory(studio=StudioFactory())
    data = {
        "gif": form(photo=(io.BytesIO(b"GIF89a" + bytes(100)), "me.gif")),
        "big": form(photo=(io.BytesIO(PNG + bytes(600 * 1024)), "me.png")),
        "foreign_type": form(teaches=[str(foreign.id)]),
        "long_bio": form(bio_en="x" * 1501),
    }[bad]
    login(client, coach)
    response = client.post(f"/coach/{studio.slug}/profile?lang=ar", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422 and Page(response).all(".field-error")
    assert profiles(studio) == 0


def test_a_manager_edits_a_coachs_profile_and_removes_the_photo(client, studio):
    coach = staff(studio, Role.TRAINER)
    manager = staff(studio, Role.STUDIO_ADMIN)
    login(client, manager)
    path = f"/manage/{studio.slug}/sessions/coaches/{coach.id}/profile"
    assert client.get(path).status_code == 200
    assert client.post(path, data=form(photo=(io.BytesIO(PNG), "c.png")),
                       content_type="multipart/form-data").status_code == 303
    profile = db.session.scalar(select(CoachProfile).where(CoachProfile.coach_id == coach.id))
    assert profile.photo_version
    assert client.post(path, data=form(remove_photo="y"),
                       content_type="multipart/form-data").status_code == 303
    db.session.expire_all()
    assert profile.photo is None and profile.photo_version == ""
    assert profile.bio == {"ar": "مدربة قوة منذ عشر سنوات", "en": "Strength coach for ten years"}


def test_a_trainer_edits_only_their_own_and_foreign_coaches_are_404(client, studio):
    coach, other = staff(studio, Role.TRAINER), staff(studio, Role.TRAINER)
    login(client, coach)
    assert client.get(f"/manage/{studio.slug}/sessions/coaches/{other.id}/profile"
                      ).status_code == 404
    assert client.post(f"/manage/{studio.slug}/sessions/coaches/{other.id}/profile",
                       data=form()).status_code == 404
    elsewhere = StudioFactory()
    their_coach = staff(elsewhere, Role.TRAINER)
    login(client, staff(studio, Role.OWNER))
    assert client.post(f"/manage/{studio.slug}/sessions/coaches/{their_coach.id}/profile",
                       data=form()).status_code == 404
    assert profiles(studio) == 0 and profiles(elsewhere) == 0
