"""The staff page: invite by e-mail to a role (the link accepted by the invitee), resend,
cancel, change a role, remove; the last owner stays; trainer admins manage trainers only;
every change audited; bad input is a 422 that writes nothing."""

import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core.mail import read_mailbox
from app.extensions import db
from app.studios.models import Invitation, Role, StaffRole
from tests.conftest import login
from tests.factories import StudioFactory, staff
from tests.pages import Page


@pytest.fixture
def studio(app):
    return StudioFactory(default_language="ar")


def role_of(user, studio):
    db.session.expire_all()
    return db.session.scalar(select(StaffRole.role).where(StaffRole.studio_id == studio.id,
                                                          StaffRole.user_id == user.id))


def member(user, studio) -> StaffRole:
    return db.session.scalar(select(StaffRole).where(StaffRole.studio_id == studio.id,
                                                     StaffRole.user_id == user.id))


def audited(studio) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action)
                                   .where(AuditEvent.studio_id == studio.id)
                                   .order_by(AuditEvent.id)))


def invitations(studio) -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation)
                             .where(Invitation.studio_id == studio.id))


def link_in(mail) -> str:
    body = mail.get_body(("plain",)).get_content()
    return re.search(r"(/invitations/\S+)", body).group(1)


def test_an_owner_invites_a_coach_who_signs_up_and_accepts(client, studio, run_jobs):
    owner = staff(studio, Role.OWNER)
    login(client, owner)
    page = Page(client.get(f"/manage/{studio.slug}/staff?lang=en"))
    assert owner.name in page.text(".staff-table")
    response = client.post(f"/manage/{studio.slug}/staff/invitations",
                           data={"email": "Coach@Example.com", "role": "trainer"})
    assert response.status_code == 303, Page(response).text("main")
    page = Page(client.get(f"/manage/{studio.slug}/staff?lang=en"))
    assert "coach@example.com" in page.text(".invitation-list")
    run_jobs("send_invitation")
    mail = [m for m in read_mailbox() if m["To"] == "coach@example.com"][-1]
    assert "مدعو" in mail.get_body(("plain",)).get_content()  # the studio's language: no account
    path = link_in(mail)

    client.post("/logout")
    client.post(f"/signup?next={path}", data={"name": "Noura", "email": "coach@example.com",
                                               "password": "coach-password-1"})
    client.post(f"/login?next={path}", data={"email": "coach@example.com",
                                              "password": "coach-password-1"})
    assert client.post(path).status_code == 303
    coach = db.session.scalar(select(StaffRole).where(StaffRole.studio_id == studio.id,
                                                      StaffRole.role == Role.TRAINER))
    assert coach.user.email == "coach@example.com"
    assert audited(studio)[-3:] == ["staff.invited", "role_changed", "staff.joined"]


def test_resend_gives_a_fresh_link_and_cancel_kills_it(client, studio, run_jobs):
    owner = staff(studio, Role.OWNER)
    login(client, owner)
    client.post(f"/manage/{studio.slug}/staff/invitations",
                data={"email": "desk@example.com", "role": "front_desk"})
    invitation = db.session.scalar(select(Invitation).where(Invitation.studio_id == studio.id))
    first_expiry = invitation.expires_at
    run_jobs("send_invitation")
    assert client.post(f"/manage/{studio.slug}/staff/invitations/{invitation.id}/resend"
                       ).status_code == 303
    run_jobs("send_invitation")
    mails = [m for m in read_mailbox() if m["To"] == "desk@example.com"]
    assert len(mails) == 2
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).expires_at >= first_expiry

    assert client.post(f"/manage/{studio.slug}/staff/invitations/{invitation.id}/cancel"
                       ).status_code == 303
    client.post("/logout")
    assert client.get(link_in(mails[-1])).status_code == 410
    assert audited(studio)[-3:] == ["staff.invited", "staff.invitation_resent",
                                    "staff.invitation_cancelled"]
    # A second invitation for the same address, once the first is gone, is fine; twice is not.
    login(client, owner)
    data = {"email": "desk@example.com", "role": "front_desk"}
    assert client.post(f"/manage/{studio.slug}/staff/invitations", data=data).status_code == 303
    again = client.post(f"/manage/{studio.slug}/staff/invitations?lang=en", data=data)
    assert again.status_code == 409
    assert "already has an open invitation" in Page(again).text("main")
    assert invitations(studio) == 2


@pytest.mark.parametrize("data", [
    {"email": "not-an-address", "role": "trainer"},
    {"email": "x@example.com", "role": "emperor"},
    {"email": "x@example.com", "role": ""},
    {"email": ("x" * 250) + "@example.com", "role": "trainer"},
])
def test_bad_invitations_are_a_422_and_write_nothing(client, studio, data):
    login(client, staff(studio, Role.OWNER))
    before = audited(studio)
    response = client.post(f"/manage/{studio.slug}/staff/invitations?lang=ar", data=data)
    assert response.status_code == 422
    assert Page(response).all(".field-error")
    assert invitations(studio) == 0 and audited(studio) == before


def test_inviting_someone_already_on_the_staff_is_refused(client, studio):
    owner = staff(studio, Role.OWNER)
    coach = staff(studio, Role.TRAINER)
    login(client, owner)
    response = client.post(f"/manage/{studio.slug}/staff/invitations?lang=en",
                           data={"email": coach.email.upper(), "role": "studio_admin"})
    assert response.status_code == 409
    assert "already on this studio's staff" in Page(response).text("main")
    assert invitations(studio) == 0


def test_change_a_role_and_remove_someone_audited(client, studio):
    owner, coach = staff(studio, Role.OWNER), staff(studio, Role.TRAINER)
    login(client, owner)
    row = member(coach, studio)
    response = client.post(f"/manage/{studio.slug}/staff/{row.id}/role",
                           data={f"member-{row.id}-role": "front_desk"})
    assert response.status_code == 303 and role_of(coach, studio) == Role.FRONT_DESK
    bad = client.post(f"/manage/{studio.slug}/staff/{row.id}/role",
                      data={f"member-{row.id}-role": "operator"})
    assert bad.status_code == 422 and role_of(coach, studio) == Role.FRONT_DESK
    assert client.post(f"/manage/{studio.slug}/staff/{row.id}/remove").status_code == 303
    assert role_of(coach, studio) is None
    assert db.session.get(type(coach), coach.id) is not None  # the account stays
    assert audited(studio)[-2:] == ["role_changed", "staff.removed"]


def test_the_last_owner_can_be_neither_removed_nor_demoted(client, studio):
    owner = staff(studio, Role.OWNER)
    login(client, owner)
    row = member(owner, studio)
    demote = client.post(f"/manage/{studio.slug}/staff/{row.id}/role?lang=en",
                         data={f"member-{row.id}-role": "studio_admin"})
    assert demote.status_code == 409 and "needs an owner" in Page(demote).text(".alert")
    remove = client.post(f"/manage/{studio.slug}/staff/{row.id}/remove?lang=ar")
    assert remove.status_code == 409 and "مالك" in Page(remove).text(".alert")
    assert role_of(owner, studio) == Role.OWNER

    # With a second owner, the first may step down.
    second = staff(studio, Role.OWNER)
    assert client.post(f"/manage/{studio.slug}/staff/{row.id}/role",
                       data={f"member-{row.id}-role": "studio_admin"}).status_code == 303
    assert role_of(owner, studio) == Role.STUDIO_ADMIN and role_of(second, studio) == Role.OWNER


def test_a_studio_admin_manages_everyone_but_owners(client, studio):
    owner, admin = staff(studio, Role.OWNER), staff(studio, Role.STUDIO_ADMIN)
    coach = staff(studio, Role.TRAINER)
    login(client, admin)
    owner_row, coach_row = member(owner, studio), member(coach, studio)
    assert client.post(f"/manage/{studio.slug}/staff/{owner_row.id}/remove").status_code == 404
    promote = client.post(f"/manage/{studio.slug}/staff/{coach_row.id}/role",
                          data={f"member-{coach_row.id}-role": "owner"})
    assert promote.status_code == 422 and role_of(coach, studio) == Role.TRAINER
    invite = client.post(f"/manage/{studio.slug}/staff/invitations",
                         data={"email": "boss@example.com", "role": "owner"})
    assert invite.status_code == 422 and invitations(studio) == 0
    assert role_of(owner, studio) == Role.OWNER


def test_a_trainer_admin_manages_trainers_only(client, studio):
    lead = staff(studio, Role.TRAINER_ADMIN)
    admin, coach = staff(studio, Role.STUDIO_ADMIN), staff(studio, Role.TRAINER)
    desk = staff(studio, Role.FRONT_DESK)
    login(client, lead)
    page = Page(client.get(f"/manage/{studio.slug}/staff?lang=en"))
    assert [o.get("value") for o in page.all("#invite ~ form select option, form.stack select "
                                             "option")] == ["trainer"]
    assert client.post(f"/manage/{studio.slug}/staff/invitations",
                       data={"email": "new@example.com", "role": "trainer"}).status_code == 303
    assert client.post(f"/manage/{studio.slug}/staff/invitations",
                       data={"email": "x@example.com", "role": "front_desk"}).status_code == 422
    for other in (admin, desk):
        row = member(other, studio)
        assert client.post(f"/manage/{studio.slug}/staff/{row.id}/remove").status_code == 404
        assert client.post(f"/manage/{studio.slug}/staff/{row.id}/role",
                           data={f"member-{row.id}-role": "trainer"}).status_code == 404
    coach_row = member(coach, studio)
    assert client.post(f"/manage/{studio.slug}/staff/{coach_row.id}/remove").status_code == 303
    assert (role_of(admin, studio), role_of(desk, studio), role_of(coach, studio)) == (
        Role.STUDIO_ADMIN, Role.FRONT_DESK, None)
    # Their own trainer becomes nothing more than a trainer.
    trainer = staff(studio, Role.TRAINER)
    row = member(trainer, studio)
    assert client.post(f"/manage/{studio.slug}/staff/{row.id}/role",
                       data={f"member-{row.id}-role": "studio_admin"}).status_code == 422
    assert role_of(trainer, studio) == Role.TRAINER


@pytest.mark.parametrize("role", [Role.TRAINER, Role.FRONT_DESK])
def test_trainers_and_the_desk_have_no_staff_page(client, studio, role):
    login(client, staff(studio, role))
    assert client.get(f"/manage/{studio.slug}/staff").status_code == 404
    assert client.get(f"/manage/{studio.slug}/staff/permissions").status_code == 404
    assert client.post(f"/manage/{studio.slug}/staff/invitations",
                       data={"email": "x@example.com", "role": "trainer"}).status_code == 404


def test_another_studios_staff_and_invitations_are_404(client, studio):
    other = StudioFactory()
    their_coach = staff(other, Role.TRAINER)
    from app.studios.services.operating import invite
    their_invitation = invite(other, "x@example.com", Role.TRAINER, actor=None)
    login(client, staff(studio, Role.OWNER))
    row = member(their_coach, other)
    for path in (f"/staff/{row.id}/remove", f"/staff/{row.id}/role",
                 f"/staff/invitations/{their_invitation.id}/cancel",
                 f"/staff/invitations/{their_invitation.id}/resend"):
        assert client.post(f"/manage/{studio.slug}{path}",
                           data={f"member-{row.id}-role": "front_desk"}).status_code == 404
    assert role_of(their_coach, other) == Role.TRAINER
    db.session.expire_all()
    assert db.session.get(Invitation, their_invitation.id).cancelled_at is None


def test_the_checklist_links_to_the_staff_page(client, studio):
    login(client, staff(studio, Role.OWNER))
    page = Page(client.get(f"/manage/{studio.slug}/"))
    assert f"/manage/{studio.slug}/staff" in [a.get("href") for a in page.all(".checklist a")]


def test_a_trainer_admins_console_shows_only_the_staff_page(client, studio):
    lead = staff(studio, Role.TRAINER_ADMIN)
    login(client, lead)
    page = Page(client.get(f"/manage/{studio.slug}/staff?lang=ar"))
    links = [a.get("href") for a in page.all(".console-nav a")]
    assert links == [f"/manage/{studio.slug}/staff", f"/s/{studio.slug}/schedule"]
    coach_area = Page(client.get(f"/coach/{studio.slug}/profile"))
    assert f"/manage/{studio.slug}/staff" in [a.get("href") for a in coach_area.all(".topnav a")]
