"""The demo shows what certificates do: the demo customer's certificates (one valid, one
expired), a coach whose qualification expires within 60 days with the rides it affects."""

from sqlalchemy import select

from app.accounts.models import User
from app.certificates.models import Certificate
from app.certificates.services.issuing import local_day
from app.certificates.services.qualifications import expiring
from app.core.db import utcnow
from app.demo.loader import load_demo
from app.extensions import db
from app.studios.models import Studio


def test_the_demo_has_certificates_and_an_expiring_qualification(app, ctx):
    load_demo()
    load_demo()  # idempotent: nothing twice
    customer = db.session.scalar(select(User).where(User.email == "customer@example.com"))
    certificates = db.session.scalars(select(Certificate)
                                      .where(Certificate.holder_id == customer.id)).all()
    studios = {s.id: s for s in db.session.scalars(select(Studio))}
    states = {studios[c.studio_id].slug: c.status(local_day(studios[c.studio_id], utcnow()))
              for c in certificates}
    assert states == {"riyadh": "valid", "toronto": "expired"}
    riyadh = next(s for s in studios.values() if s.slug == "riyadh")
    rows = expiring(riyadh, local_day(riyadh, utcnow()), 60)
    assert [r.person.email for r in rows] == ["coach@example.com"]
    assert rows[0].classes  # the indoor-cycling rides after it expires
