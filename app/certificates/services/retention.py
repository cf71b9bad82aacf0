"""Retention: a certificate is kept 3 years after it expires, then deleted with its PDF (the
holder's name, the file and the public code go with it: /c/<code> answers 404 from then on).
Certificates without an expiry are kept."""

from datetime import date

from sqlalchemy import delete, select, update

from app.certificates.models import Certificate
from app.extensions import db

KEEP_YEARS = 3


def kept_until(expires_on: date) -> date:
    """The last day a certificate that expired on `expires_on` is kept (29 February: 28th)."""
    try:
        return expires_on.replace(year=expires_on.year + KEEP_YEARS)
    except ValueError:
        return expires_on.replace(year=expires_on.year + KEEP_YEARS, day=28)


def erase_expired_certificates(today: date) -> int:
    """Delete the certificates whose 3 years after expiry are over by `today`; how many."""
    rows = db.session.execute(select(Certificate.id, Certificate.replaces_id,
                                     Certificate.expires_on)
                              .where(Certificate.expires_on.is_not(None),
                                     Certificate.expires_on < date(today.year - KEEP_YEARS,
                                                                   12, 31))).all()
    gone = {row.id for row in rows if kept_until(row.expires_on) < today}
    # A certificate goes together with those before it in its chain (the renewed, the
    # reissued): one whose predecessor is still kept waits, so a chain always has its first.
    while waiting := {row.id for row in rows if row.id in gone and row.replaces_id is not None
                      and row.replaces_id not in gone}:
        gone -= waiting
    if not gone:
        return 0
    # The renewal of a deleted certificate becomes the first of its chain: the foreign key
    # sets its replaces_id to NULL (ON DELETE SET NULL); the UPDATE does it where foreign keys
    # are not enforced (SQLite in the quick start).
    db.session.execute(delete(Certificate).where(Certificate.id.in_(gone))
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Certificate).where(Certificate.replaces_id.in_(gone))
                       .values(replaces_id=None).execution_options(synchronize_session=False))
    return len(gone)
