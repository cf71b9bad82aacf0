"""The private feed's secret: made when the person asks for a link, replaced on demand."""

import secrets

from app.audit.services import record
from app.calendars.models import CalendarFeed
from app.calendars.queries import feed_of, secret_hash
from app.extensions import db


def new_feed_secret(user, *, actor) -> CalendarFeed:
    """The person's feed with a fresh secret: made the first time, replaced after that, when
    the old link answers 404 from then on (how a leaked link is killed)."""
    feed = feed_of(user)
    replaced = feed is not None
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    secret = secrets.token_urlsafe(32)
    feed.token, feed.token_hash = secret, secret_hash(secret)
    db.session.flush()
    if replaced:
        record("calendar.feed_replaced", actor=actor, studio_id=None, subject=f"user:{user.id}")
    return feed
