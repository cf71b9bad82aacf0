"""Studio console: the staff page (/manage/<studio>/staff): who works here and in which role,
invitations by e-mail (sent, resent, cancelled), changing a role, removing someone; and the
read-only matrix of what each role may do. Owners and studio admins manage anyone but owners
(owners: anyone), trainer admins their trainers (app/studios/policies.py: can_assign); a
member or invitation one may not manage is a 404, like another studio's."""

from flask import abort, g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.policies import fresh_auth_required
from app.core.db import get_in_studio_or_404
from app.core.lifecycle import done, perform
from app.core.origin import request_origin
from app.studios.console import console_blueprint
from app.studios.forms import InviteForm, RoleForm
from app.studios.models import Invitation, Role, StaffRole, role_name
from app.studios.permissions import matrix
from app.studios.policies import assignable_roles, can_assign, can_manage_staff
from app.studios.queries import list_open_invitations, list_staff
from app.studios.services import staff

bp = console_blueprint("studios_staff", __name__, require=can_manage_staff)


def _roles():
    return assignable_roles(current_user, g.studio)


def _staff_page(status: int = 200, *, form=None, error=None, edited=None):
    """The page; `edited` is a member's role form that came back refused, `error` a refusal
    of the service shown above the list."""
    members = [(m, edited if edited is not None and edited.member_id == m.id
                else RoleForm(formdata=None, prefix=f"member-{m.id}", roles=_roles(),
                              role=m.role.value) if can_assign(current_user, g.studio, m.role)
                else None) for m in list_staff(g.studio)]
    return render_template("studios/manage/staff.html", studio=g.studio, members=members,
                           invitations=list_open_invitations(g.studio), error=error,
                           may_manage=lambda role: can_assign(current_user, g.studio, role),
                           form=form or InviteForm(formdata=None, roles=_roles())), status


def _refused(exc):
    return _staff_page(exc.status, error=str(exc))


@bp.get("/staff")
def staff_page():
    return _staff_page()


@bp.post("/staff/invitations")
@fresh_auth_required(why="roles")
def invite():
    form = InviteForm(roles=_roles())
    if not form.validate_on_submit():
        return _staff_page(422, form=form)
    return perform(lambda: staff.invite_staff(g.studio, form.email.data, form.chosen_role,
                                              actor=current_user),
                   lambda inv: done(_("Invitation sent to %(email)s.", email=inv.email),
                                    url_for(".staff_page")),
                   failed=lambda exc: _staff_page(exc.status, form=form, error=str(exc)))


def _invitation_or_404(invitation_id: int) -> Invitation:
    invitation = get_in_studio_or_404(Invitation, g.studio, invitation_id)
    if not can_assign(current_user, g.studio, invitation.role):
        abort(404)
    return invitation


@bp.post("/staff/invitations/<int:invitation_id>/resend")
def resend(invitation_id: int):
    invitation = _invitation_or_404(invitation_id)
    return perform(lambda: staff.resend_invitation(invitation, actor=current_user),
                   lambda inv: done(_("Invitation sent again to %(email)s.", email=inv.email),
                                    url_for(".staff_page")), failed=_refused)


@bp.post("/staff/invitations/<int:invitation_id>/cancel")
def cancel(invitation_id: int):
    invitation = _invitation_or_404(invitation_id)
    return perform(lambda: staff.cancel_invitation(invitation, actor=current_user),
                   lambda inv: done(_("Invitation to %(email)s cancelled.", email=inv.email),
                                    url_for(".staff_page")), failed=_refused)


def _member_or_404(member_id: int) -> StaffRole:
    member = get_in_studio_or_404(StaffRole, g.studio, member_id)
    if not can_assign(current_user, g.studio, member.role):
        abort(404)
    return member


@bp.post("/staff/<int:member_id>/role")
@fresh_auth_required(why="roles")
def change_role(member_id: int):
    member = _member_or_404(member_id)
    form = RoleForm(prefix=f"member-{member.id}", roles=_roles())
    form.member_id = member.id
    if not form.validate_on_submit():
        return _staff_page(422, edited=form)
    role, name = form.chosen_role, member.user.name
    return perform(lambda: staff.change_role(g.studio, member, role, actor=current_user,
                                             origin=request_origin()),
                   lambda _m: done(_("%(name)s is now %(role)s.", name=name,
                                     role=role_name(role)), url_for(".staff_page")),
                   failed=_refused)


@bp.post("/staff/<int:member_id>/remove")
@fresh_auth_required(why="roles")
def remove(member_id: int):
    member = _member_or_404(member_id)
    name = member.user.name
    return perform(lambda: staff.remove_staff(g.studio, member, actor=current_user,
                                              origin=request_origin()),
                   lambda _m: done(_("%(name)s is no longer on the staff.", name=name),
                                   url_for(".staff_page")), failed=_refused)


@bp.get("/staff/permissions")
def permissions():
    return render_template("studios/manage/permissions.html", studio=g.studio,
                           roles=list(Role), rows=matrix(g.studio))
