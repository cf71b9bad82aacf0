"""A studio's staff, run from its console: inviting someone by e-mail to a role (the signed,
expiring link of app/studios/services/operating.py), resending and cancelling an invitation,
changing a member's role and removing them. A studio always keeps an owner (LastOwner). Who
may give which role is the policies' call (app/studios/policies.py: can_assign); every change
is audited."""

from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.services import record
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.core.origin import Origin
from app.extensions import db
from app.studios.errors import AlreadyInvited, AlreadyStaff, InvitationInvalid
from app.studios.models import Invitation, Role, StaffRole, Studio
from app.studios.services import grant_role, keep_an_owner
from app.studios.services.operating import INVITATION_DAYS, invite


def invite_staff(studio: Studio, email: str, role: Role, *, actor, now=None) -> Invitation:
    """Invite `email` to `role`: refused when they already work here (AlreadyStaff) or hold an
    open invitation (AlreadyInvited); the e-mail goes out after commit."""
    email, now = email.strip().lower(), now or utcnow()
    if db.session.scalar(select(StaffRole.id).join(User, User.id == StaffRole.user_id)
                         .where(StaffRole.studio_id == studio.id,
                                func.lower(User.email) == email)):
        raise AlreadyStaff(email=email)
    if db.session.scalar(select(Invitation.id).where(
            Invitation.studio_id == studio.id, Invitation.email == email,
            Invitation.accepted_at.is_(None), Invitation.cancelled_at.is_(None),
            Invitation.expires_at > now)):
        raise AlreadyInvited(email=email)
    return invite(studio, email, role, actor=actor, now=now)


def _open(invitation: Invitation) -> Invitation:
    if invitation.accepted_at or invitation.cancelled_at:
        raise InvitationInvalid()
    return invitation


def resend_invitation(invitation: Invitation, *, actor, now=None) -> Invitation:
    """Send the invitation again with a fresh link, good for another 7 days (audited)."""
    _open(invitation).expires_at = (now or utcnow()) + timedelta(days=INVITATION_DAYS)
    db.session.flush()
    record("staff.invitation_resent", actor=actor, studio_id=invitation.studio_id,
           subject=f"invitation:{invitation.id}", email=invitation.email)
    enqueue_after_commit("workers.jobs.notifications.send_invitation", invitation.id,
                         queue="notifications")
    return invitation


def cancel_invitation(invitation: Invitation, *, actor, now=None) -> Invitation:
    """Take an invitation back: its link stops working (audited)."""
    _open(invitation).cancelled_at = now or utcnow()
    db.session.flush()
    record("staff.invitation_cancelled", actor=actor, studio_id=invitation.studio_id,
           subject=f"invitation:{invitation.id}", email=invitation.email)
    return invitation


def change_role(studio: Studio, member: StaffRole, role: Role, *, actor,
                origin: Origin | None = None) -> StaffRole:
    """Give a member another role; the last owner keeps theirs (LastOwner). Audited by
    grant_role with who made the change and from where."""
    return grant_role(studio, member.user, role, actor=actor, origin=origin)


def remove_staff(studio: Studio, member: StaffRole, *, actor,
                 origin: Origin | None = None) -> StaffRole:
    """Take a member off the staff (their account stays, with their bookings); the last owner
    stays (LastOwner). Audited."""
    if member.role == Role.OWNER:
        keep_an_owner(studio, leaving=member.user_id)
    db.session.delete(member)
    db.session.flush()
    record("staff.removed", actor=actor, studio_id=studio.id, subject=f"user:{member.user_id}",
           role=str(member.role), **(origin or Origin()).as_audit())
    return member
