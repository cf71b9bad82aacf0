"""Who may do what: every persona against every studio and booking permission."""

from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import NotFound

from app.appointments.policies import can_change_appointment
from app.bookings.models import Booking, BookingStatus
from app.bookings.policies import can_change_booking
from app.extensions import db
from app.studios.models import Role
from app.studios.policies import (
    can_coach,
    can_manage_studio,
    can_see_roster,
    console_studios,
    require_coach,
    require_manager,
)
from tests.factories import ClassFactory, StudioFactory, UserFactory, staff

PERSONAS = ["owner", "studio_admin", "trainer_admin", "trainer", "customer", "anonymous",
            "staff_of_another_studio"]

# manage, coach, roster of own class, roster of another's class, change own booking,
# change someone else's booking in another coach's class, and in one's own class; change a
# 1:1 session of another coach's, of one's own
MATRIX = {
    "owner":                   (True, True, True, True, True, True, True, True, True),
    "studio_admin":            (True, True, True, True, True, True, True, True, True),
    "trainer_admin":           (False, True, True, True, True, True, True, True, True),
    "trainer":                 (False, True, True, False, True, False, True, False, True),
    "customer":                (False, False, False, False, True, False, False, False, False),
    "anonymous":               (False, False, False, False, False, False, False, False, False),
    "staff_of_another_studio": (False, False, False, False, True, False, False, False, False),
}
CHECKS = ["can_manage_studio", "can_coach", "can_see_roster(own class)",
          "can_see_roster(other class)", "can_change_booking(own)",
          "can_change_booking(other, other's class)", "can_change_booking(other, own class)",
          "can_change_appointment(other coach's)", "can_change_appointment(own coach's)"]


def make_persona(name: str, studio, elsewhere):
    if name == "anonymous":
        return AnonymousUserMixin()
    if name == "customer":
        return UserFactory()
    if name == "staff_of_another_studio":
        return staff(elsewhere, Role.OWNER)
    return staff(studio, Role(name))


def booking(studio, cls, customer_id) -> Booking:
    b = Booking(studio_id=studio.id, class_id=cls.id, customer_id=customer_id,
                status=BookingStatus.CONFIRMED, booked_by_id=customer_id)
    if customer_id is not None:
        db.session.add(b)
        db.session.flush()
    return b


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(app, persona):
    studio, elsewhere = StudioFactory(), StudioFactory()
    user = make_persona(persona, studio, elsewhere)
    user_id = getattr(user, "id", None)
    other_coach = staff(studio, Role.TRAINER)
    other_customer = UserFactory()
    # "Own class": one this person coaches (for outsiders too: coaching gives no role here).
    own_class = ClassFactory(studio=studio, coach_id=user_id)
    other_class = ClassFactory(studio=studio, coach_id=other_coach.id)
    own_booking = booking(studio, other_class, user_id)
    other_booking = booking(studio, other_class, other_customer.id)
    in_own_class = booking(studio, own_class, other_customer.id)
    theirs = SimpleNamespace(customer_id=other_customer.id, coach_id=other_coach.id)
    mine = SimpleNamespace(customer_id=other_customer.id, coach_id=user_id)

    actual = (
        can_manage_studio(user, studio),
        can_coach(user, studio),
        can_see_roster(user, studio, own_class),
        can_see_roster(user, studio, other_class),
        can_change_booking(user, studio, own_booking),
        can_change_booking(user, studio, other_booking),
        can_change_booking(user, studio, in_own_class),
        can_change_appointment(user, studio, theirs),
        can_change_appointment(user, studio, mine),
    )

    assert dict(zip(CHECKS, actual, strict=True)) == dict(zip(CHECKS, MATRIX[persona],
                                                              strict=True))


@pytest.mark.parametrize("persona", PERSONAS)
def test_console_guards_answer_404_and_navigation_matches(app, persona):
    studio, elsewhere = StudioFactory(), StudioFactory()
    user = make_persona(persona, studio, elsewhere)
    manages, coaches = MATRIX[persona][0], MATRIX[persona][1]

    for guard, allowed in ((require_manager, manages), (require_coach, coaches)):
        if allowed:
            guard(user, studio)
        else:
            with pytest.raises(NotFound):
                guard(user, studio)

    expected = {studio.slug} if manages else set()
    if persona == "staff_of_another_studio":
        expected = {elsewhere.slug}
    assert {s.slug for s in console_studios(user)} == expected


def test_a_role_in_one_studio_gives_nothing_in_another(app):
    a, b = StudioFactory(), StudioFactory()
    admin = staff(a, Role.STUDIO_ADMIN)
    coach_b = staff(b, Role.TRAINER)
    b_class = ClassFactory(studio=b, coach_id=admin.id)
    b_booking = booking(b, b_class, coach_b.id)
    assert not can_manage_studio(admin, b)
    assert not can_coach(admin, b)
    assert not can_see_roster(admin, b, b_class)
    assert not can_change_booking(admin, b, b_booking)


CLIENTS = {"owner": True, "studio_admin": True, "trainer_admin": True, "trainer": True,
           "customer": False, "anonymous": False, "staff_of_another_studio": False}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_a_studios_clients_and_their_private_notes(app, persona):
    from app.clients.policies import can_see_clients

    studio, elsewhere = StudioFactory(), StudioFactory()
    user = make_persona(persona, studio, elsewhere)
    assert can_see_clients(user, studio) is CLIENTS[persona]


def test_a_trainer_cannot_cancel_in_a_class_whose_roster_they_cannot_open(client):
    from tests.conftest import login

    studio = StudioFactory()
    me, colleague = staff(studio, Role.TRAINER), staff(studio, Role.TRAINER)
    theirs, mine = (ClassFactory(studio=studio, coach_id=colleague.id),
                    ClassFactory(studio=studio, coach_id=me.id))
    in_theirs, in_mine = booking(studio, theirs, UserFactory().id), booking(studio, mine,
                                                                          UserFactory().id)
    db.session.commit()
    login(client, me)
    url = "/s/{}/classes/{}/bookings/{}/cancel"
    assert client.post(url.format(studio.slug, theirs.id, in_theirs.id)).status_code == 404
    assert client.post(url.format(studio.slug, mine.id, in_mine.id)).status_code == 303
    db.session.expire_all()
    assert in_theirs.status == BookingStatus.CONFIRMED
    assert in_mine.status != BookingStatus.CONFIRMED
