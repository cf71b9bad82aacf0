"""The public certificate check (/c/<code>) and the holder's own certificates (/me/…)."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from app.certificates.queries import (
    get_by_code_or_404,
    get_own_certificate_or_404,
    list_my_certificates,
)
from app.certificates.services.issuing import local_day
from app.core.db import utcnow
from app.extensions import db, limiter
from app.studios.models import Studio

bp = Blueprint("certificates", __name__)


@bp.get("/c/<code>")
@limiter.limit(lambda: current_app.config["CERTIFICATE_CHECK_LIMIT"])
def verify(code: str):
    """Anyone, signed in or not: valid, expired on …, or revoked, with the holder's name, the
    course, the studio and the dates; nothing else. A code that does not exist is a 404."""
    certificate = get_by_code_or_404(code)
    studio = db.session.get(Studio, certificate.studio_id)
    response = current_app.make_response(render_template(
        "certificates/verify.html", certificate=certificate, studio=studio,
        status=certificate.status(local_day(studio, utcnow()))))
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/me/certificates")
@login_required
def my_certificates():
    certificates = list_my_certificates(current_user)
    studios = {s.id: s for s in db.session.query(Studio).filter(
        Studio.id.in_({c.studio_id for c in certificates}))} if certificates else {}
    today = {sid: local_day(s, utcnow()) for sid, s in studios.items()}
    return render_template("certificates/mine.html", certificates=certificates,
                           studios=studios, today=today)


@bp.get("/me/certificates/<int:certificate_id>.pdf")
@login_required
def my_certificate_pdf(certificate_id: int):
    certificate = get_own_certificate_or_404(current_user, certificate_id)
    if certificate.pdf is None:
        return render_template("certificates/pdf_pending.html", certificate=certificate), 409
    return certificate.pdf, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{certificate.number}.pdf"',
        "Cache-Control": "private, max-age=3600",
    }
