"""Starting a studio: a person (or the operator, for someone they invite) creates a studio with
its first location; the country sets its taxes, currency and first day of the week."""

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.extensions import db
from app.studios.errors import SlugTaken
from app.studios.models import COUNTRIES, Role, Studio, jurisdiction_of
from app.studios.services import create_studio, grant_role
from app.studios.services.operating import invite

# Paths a studio's address would shadow or confuse with the platform's own pages.
RESERVED_SLUGS = frozenset({"start", "manage", "operator", "coach", "me", "admin", "api",
                            "static", "login", "logout", "signup", "new", "www", "help"})


def slug_taken(slug: str) -> bool:
    return slug in RESERVED_SLUGS or db.session.scalar(
        select(exists().where(Studio.slug == slug)))


def start_studio(*, actor, owner=None, owner_email: str | None = None, name: dict, slug: str,
                 country: str, province: str | None, location_name: dict, address: str,
                 timezone: str, default_language: str) -> Studio:
    """Create a studio with its first location, in `country`'s currency and tax rules, its
    week starting on the country's first day; owned by `owner`, or by whoever accepts the
    invitation e-mailed to `owner_email` (the operator starting it for them). SlugTaken if
    the address is someone else's, also when another start took it a moment ago."""
    if slug_taken(slug):
        raise SlugTaken()
    rules = COUNTRIES[country]
    location = dict(name=location_name, address=address, timezone=timezone,
                    currency=rules.currency, tax_jurisdiction=jurisdiction_of(country, province))
    try:
        with db.session.begin_nested():  # two starts racing for one address: one gets it
            studio = create_studio(slug=slug, name=name, default_language=default_language,
                                   first_weekday=rules.first_weekday, location=location)
    except IntegrityError:
        raise SlugTaken() from None
    record("studio.started", actor=actor, studio_id=studio.id, subject=f"studio:{studio.id}",
           slug=slug, owner_id=owner.id if owner else None, country=country)
    if owner is not None:
        grant_role(studio, owner, Role.OWNER)
    if owner_email:
        invite(studio, owner_email, Role.OWNER, actor=actor)
    return studio
