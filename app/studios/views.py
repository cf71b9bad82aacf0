"""The public side of studios: the home page listing them, a studio's own page about itself,
starting a studio (/start), accepting an invitation to a studio's staff, and a studio's logo."""

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.accounts.forms import zone_choices
from app.core.i18n import current_language
from app.core.lifecycle import done, perform
from app.extensions import db
from app.studios.errors import InvitationInvalid
from app.studios.forms import StartStudioForm
from app.studios.models import Studio
from app.studios.policies import console_studios, landing_url
from app.studios.queries import get_studio_or_404, list_open_locations, list_studios
from app.studios.services.operating import accept_invitation, read_invitation
from app.studios.services.starting import start_studio

bp = Blueprint("studios", __name__)

# A cleaned SVG still gets a policy of its own: opened directly, it may neither run a script nor
# load anything; inline styles only, which the cleaner already removed.
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@bp.get("/")
def index():
    return render_template("studios/home.html", studios=list_studios(),
                           managed=console_studios(current_user))


@bp.get("/s/<studio>/about")
def about(studio: str):
    """What the studio says about itself, how to reach it, where it is, and its terms."""
    studio = get_studio_or_404(studio)
    return render_template("studios/about.html", studio=studio,
                           locations=list_open_locations(studio))


def _start_page(form=None, status: int = 200):
    return render_template("studios/start.html", form=form or StartStudioForm(
        formdata=None, country="SA", default_language=current_language()),
        zones=zone_choices(current_language())), status


def _visitor_signs_up():
    """A visitor starts by creating an account, then comes back here."""
    return redirect(url_for("accounts.signup_form", next=url_for("studios.start_form")), 303)


@bp.get("/start")
def start_form():
    if not current_user.is_authenticated:
        return _visitor_signs_up()
    return _start_page()


def _slug_refused(form):
    def answer(exc):
        form.slug.errors.append(str(exc))
        return _start_page(form, 422)
    return answer


@bp.post("/start")
def start():
    if not current_user.is_authenticated:
        return _visitor_signs_up()
    form = StartStudioForm()
    if not form.validate_on_submit():
        return _start_page(form, 422)
    return perform(
        lambda: start_studio(
            actor=current_user, owner=current_user,
            name={k: v for k, v in (("ar", form.name_ar.data), ("en", form.name_en.data)) if v},
            slug=form.slug.data, country=form.country.data, province=form.province.data,
            location_name=form.location_name(), address=form.address.data or "",
            timezone=form.zone(), default_language=form.default_language.data),
        lambda studio: done(_("Your studio is ready. A few steps to open it to customers:"),
                            url_for("bookings_manage.dashboard", studio=studio.slug)),
        failed=_slug_refused(form))


def _invitation_page(token: str, status: int = 200, message: str | None = None):
    try:
        invitation = read_invitation(token)
    except InvitationInvalid as exc:
        return render_template("accounts/message.html", message=str(exc)), exc.status
    return render_template("studios/invitation.html", invitation=invitation,
                           studio=invitation.studio, token=token, message=message), status


@bp.get("/invitations/<invitation_token>")
def invitation(invitation_token: str):
    return _invitation_page(invitation_token)


@bp.post("/invitations/<invitation_token>")
def accept(invitation_token: str):
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login_form", next=request.path), 303)
    token = invitation_token
    return perform(lambda: accept_invitation(read_invitation(token), current_user),
                   lambda studio: done(_("Welcome to the team."), landing_url(current_user)),
                   failed=lambda exc: _invitation_page(token, exc.status, str(exc)))


@bp.get("/s/<studio>/logo/<version>")
def logo(studio: str, version: str):
    """The studio's logo from our own origin, under a URL that changes with it (cached for a
    year); its type is the one sniffed on upload, never the uploader's word."""
    row = db.session.scalar(select(Studio).where(Studio.slug == studio)
                            .options(undefer(Studio.logo)))
    if row is None or not row.logo or row.logo_version != version:
        abort(404)
    response = Response(row.logo, mimetype=row.logo_type)
    response.headers["Content-Security-Policy"] = LOGO_CSP
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
