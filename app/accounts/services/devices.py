"""Sign-ins from a new device or place (ASVS 2.2.3): each sign-in is compared with the devices
its person signed in from in the last 90 days, and an unknown one is audited and e-mailed.

"Known" is deliberately simple: the same device label (browser and system, from the user
agent) and the same network (the /24 or /48 of the address, app/core/origin.py) as a sign-in of
the last 90 days. A new browser, a new phone or a network never used before is new; a new
address on the home network is not. The very first sign-in of an account tells nobody.
"""

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from app.accounts.models import AuthSession, KnownDevice, User
from app.audit.services import record
from app.core.jobs import enqueue_after_commit
from app.core.origin import Origin
from app.extensions import db

KNOWN_FOR = timedelta(days=90)


def note_sign_in(user: User, session: AuthSession, origin: Origin, *, notice: bool = True) -> bool:
    """Remember `session`'s device and place for `user`; when neither this pair was seen in
    the last 90 days nor is this their first sign-in, audit it and e-mail them after commit
    (unless `notice` is off: a reset link's sign-in is told by the password e-mail). True when
    the sign-in was new."""
    now = session.created_at
    seen = db.session.scalar(
        select(KnownDevice.last_signed_in_at).where(
            KnownDevice.user_id == user.id, KnownDevice.device == session.device,
            KnownDevice.place == session.place))
    first = seen is None and db.session.scalar(
        select(KnownDevice.id).where(KnownDevice.user_id == user.id).limit(1)) is None
    # Two sign-ins at once from the same device: one row, the later time.
    db.session.execute(
        insert(KnownDevice).values(user_id=user.id, device=session.device, place=session.place,
                                   last_signed_in_at=now, created_at=now)
        .on_conflict_do_update(index_elements=["user_id", "device", "place"],
                               set_={"last_signed_in_at": now}))
    # What is older than the window proves nothing any more; the row just written stays, so
    # an account that signed in once always has a history.
    db.session.execute(delete(KnownDevice).where(KnownDevice.user_id == user.id,
                                                 KnownDevice.last_signed_in_at < now - KNOWN_FOR))
    if first or (seen is not None and now - seen < KNOWN_FOR):
        return False
    record("sign_in_new_device", actor=user, studio_id=None, subject=f"user:{user.id}",
           session=session.id, place=session.place, **origin.as_audit())
    if notice:
        enqueue_after_commit("workers.jobs.accounts.send_new_sign_in", user.id, session.id,
                             session.device, session.place, now.isoformat(),
                             queue="notifications")
    return True
