"""What a certificate's PDF shows, and storing it once."""

import base64

import segno
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.certificates.models import Certificate
from app.core.jobs import enqueue_after_commit
from app.core.pdf import store_once
from app.core.urls import external_url
from app.extensions import db
from app.studios.models import Studio

# Logo types the PDF may embed as data: images (the upload check allows no others).
LOGO_TYPES = {"image/png", "image/jpeg", "image/svg+xml"}


def verify_url(certificate: Certificate) -> str:
    return external_url("certificates.verify", code=certificate.code)


def display_code(code: str) -> str:
    """ABCD-EFGH: easier to read out and type."""
    return f"{code[:4]}-{code[4:]}"


def _logo(studio_id: int) -> str | None:
    """The studio's logo as a data: URI: a PDF loads nothing from outside (app/core/pdf.py)."""
    studio = db.session.scalar(select(Studio).where(Studio.id == studio_id)
                               .options(undefer(Studio.logo)))
    if not studio.logo or studio.logo_type not in LOGO_TYPES:
        return None
    return f"data:{studio.logo_type};base64,{base64.b64encode(studio.logo).decode()}"


def certificate_context(certificate: Certificate) -> dict:
    """The frozen wording with the holder, dates, QR and logo (templates/pdf/certificate.html)."""
    url = verify_url(certificate)
    return dict(certificate.snapshot, number=certificate.number,
                holder_name=certificate.holder_name, issued_on=certificate.issued_on,
                expires_on=certificate.expires_on, languages=certificate.languages,
                locale=certificate.languages[0], code=display_code(certificate.code),
                url=url, logo=_logo(certificate.studio_id),
                qr=segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000000"))


def store_pdf(certificate: Certificate, pdf: bytes) -> bool:
    """Store the rendered PDF once and queue its e-mail; False if one was stored already
    (app/core/pdf.py: store_once)."""
    stored = store_once(certificate, pdf)
    if stored:
        enqueue_after_commit("workers.jobs.certificates.send_certificate_email", certificate.id,
                             queue="notifications")
    return stored
