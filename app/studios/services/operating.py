"""The operator's hold on studios: suspending and resuming one, and e-mailed invitations to
take a staff role (a new studio's owner), accepted once through a signed, expiring link."""

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.audit.services import record
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.studios.errors import InvitationForSomeoneElse, InvitationInvalid
from app.studios.models import Invitation, Role, Studio
from app.studios.services import grant_role

INVITATION_DAYS = 7


def suspend_studio(studio: Studio, *, actor, now=None) -> Studio:
    """Close the studio for now: customers are told, nothing is sold, booked or billed
    (card subscriptions pause at Stripe by a job; audited)."""
    if studio.suspended_at is None:
        studio.suspended_at = now or utcnow()
        db.session.flush()
        record("studio.suspended", actor=actor, studio_id=studio.id,
               subject=f"studio:{studio.id}")
        enqueue_after_commit("workers.jobs.billing.pause_studio_billing", studio.id)
    return studio


def resume_studio(studio: Studio, *, actor) -> Studio:
    """Open a suspended studio again (audited)."""
    if studio.suspended_at is not None:
        studio.suspended_at = None
        db.session.flush()
        record("studio.resumed", actor=actor, studio_id=studio.id,
               subject=f"studio:{studio.id}")
        enqueue_after_commit("workers.jobs.billing.resume_studio_billing", studio.id)
    return studio


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="fitflow-invitation")


def invitation_token(invitation: Invitation) -> str:
    """The signed token of an invitation's link."""
    return _serializer().dumps({"i": invitation.id, "e": invitation.email})


def read_invitation(token: str, *, now=None) -> Invitation:
    """The open invitation a link names; InvitationInvalid when the signature is wrong, the
    link expired, or the invitation was cancelled or accepted."""
    try:
        payload = _serializer().loads(token, max_age=INVITATION_DAYS * 24 * 3600)
    except BadSignature:  # SignatureExpired is one
        raise InvitationInvalid() from None
    invitation = db.session.get(Invitation, payload.get("i"))
    if (invitation is None or invitation.email != payload.get("e")
            or invitation.accepted_at or invitation.cancelled_at
            or invitation.expires_at <= (now or utcnow())):
        raise InvitationInvalid()
    return invitation


def invite(studio: Studio, email: str, role: Role, *, actor, now=None) -> Invitation:
    """Invite `email` to take `role` in `studio`; the e-mail goes out after commit (audited)."""
    now = now or utcnow()
    invitation = Invitation(studio_id=studio.id, email=email.strip().lower(), role=role,
                            invited_by_id=actor.id if actor else None,
                            expires_at=now + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    record("staff.invited", actor=actor, studio_id=studio.id,
           subject=f"invitation:{invitation.id}", email=invitation.email, role=str(role))
    enqueue_after_commit("workers.jobs.notifications.send_invitation", invitation.id,
                         queue="notifications")
    return invitation


def accept_invitation(invitation: Invitation, user, *, now=None) -> Studio:
    """`user` takes the invited role; only the invited address may (InvitationForSomeoneElse).
    The invitation row is locked: a double tap accepts once."""
    locked = db.session.scalar(select(Invitation).where(Invitation.id == invitation.id)
                               .with_for_update().execution_options(populate_existing=True))
    if locked.accepted_at or locked.cancelled_at:
        raise InvitationInvalid()
    if user.email.strip().lower() != locked.email:
        raise InvitationForSomeoneElse(email=locked.email)
    locked.accepted_at, locked.accepted_by_id = now or utcnow(), user.id
    grant_role(locked.studio, user, locked.role)
    record("staff.joined", actor=user, studio_id=locked.studio_id,
           subject=f"invitation:{locked.id}", role=str(locked.role))
    return locked.studio
