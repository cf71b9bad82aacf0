"""The certificate PDF: A4 landscape, in the holder's language or both, Arabic shaped, with a
QR code that decodes to the public check URL and the short code printed under it."""

import subprocess

from sqlalchemy.orm import undefer

from app.certificates.models import Certificate, CertificateLanguage
from app.certificates.services import issuing
from app.extensions import db
from tests.certificates.helpers import course_world, customer


def rendered(certificate) -> bytes:
    from workers.jobs.certificates import render_certificate_pdf

    assert render_certificate_pdf(certificate.id) is True
    db.session.expire_all()
    return db.session.get(Certificate, certificate.id, options=[undefer(Certificate.pdf)]).pdf


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def page_info(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "i.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout


def qr_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "q.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(path),
                    str(tmp_path / "q")], check=True)
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "q.png")],
                         capture_output=True, text=True, check=True).stdout
    return out.strip()


def test_an_english_certificate_is_landscape_with_a_working_qr(app, ctx, tmp_path):
    studio, manager, course, _ = course_world(auto_issue=False)
    person = customer(name="Layla Haddad", locale="en")
    certificate = issuing.issue_certificate(studio, course, person, actor=manager,
                                            check_rule=False)
    pdf = rendered(certificate)
    info = page_info(pdf, tmp_path)
    assert "Pages:           1" in info
    assert "841.89 x 595.276 pts (A4)" in info  # landscape
    text = pdf_text(pdf, tmp_path)
    for expected in ("Certificate of completion", "Layla Haddad", "This certifies that",
                     "First aid course", certificate.number, "Huda Saleh", "Head coach",
                     f"{certificate.code[:4]}-{certificate.code[4:]}"):
        assert expected in text, expected
    assert "الإسعافات" not in text  # the holder's language only
    url = qr_of(pdf, tmp_path)
    assert url == f"{app.config['BASE_URL'].rstrip('/')}/c/{certificate.code}"


def test_an_arabic_holder_gets_arabic_shaped_text(app, ctx, tmp_path):
    studio, manager, course, _ = course_world(auto_issue=False)
    person = customer(name="ليلى حداد", locale="ar")
    certificate = issuing.issue_certificate(studio, course, person, actor=manager,
                                            check_rule=False)
    text = pdf_text(rendered(certificate), tmp_path)
    # pdftotext gives back logical Arabic only when the glyphs were shaped and mapped.
    for expected in ("شهادة إتمام", "ليلى حداد", "دورة الإسعافات الأولية", certificate.number):
        assert expected in text, expected
    assert "Certificate of completion" not in text


def test_a_bilingual_certificate_holds_both_languages_on_one_page(app, ctx, tmp_path):
    studio, manager, course, _ = course_world(auto_issue=False,
                                              language=CertificateLanguage.BILINGUAL)
    certificate = issuing.issue_certificate(studio, course, customer(name="Omar", locale="en"),
                                            actor=manager, check_rule=False)
    pdf = rendered(certificate)
    assert "Pages:           1" in page_info(pdf, tmp_path)
    text = pdf_text(pdf, tmp_path)
    assert "Certificate of completion" in text and "شهادة إتمام" in text


def test_a_logo_or_name_that_points_elsewhere_fetches_nothing(app, ctx, tmp_path, monkeypatch):
    from app.core import pdf as core_pdf

    fetched = []
    original = core_pdf.safe_fetcher
    monkeypatch.setattr(core_pdf, "safe_fetcher",
                        lambda url, base=None: fetched.append(url) or original(url, base))
    studio, manager, course, _ = course_world(auto_issue=False)
    course.signatory_name = '<img src="file:///etc/passwd">'
    person = customer(name='<img src="http://127.0.0.1:1/x">')
    certificate = issuing.issue_certificate(studio, course, person, actor=manager,
                                            check_rule=False)
    text = pdf_text(rendered(certificate), tmp_path)
    assert '<img src="http://127.0.0.1:1/x">' in text  # shown as text, never loaded
    assert not [u for u in fetched if "passwd" in u or "127.0.0.1:1" in u]
