"""PDFs: the WeasyPrint wrapper (safe fetcher, deterministic bytes, embedded Noto fonts) and the
invoice / credit note template in English and Arabic, read back with poppler's pdftotext.

The rendered PDFs and 80 dpi PNGs of them land in test-artifacts/pdf/ for a human to look at.
"""

import re
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from app.core import pdf
from app.core.pdf import FetchRefused, render_pdf, render_template_pdf, safe_fetcher

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "pdf"
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ARABIC = re.compile("[\u0600-\u06ff]")


def sample(kind: str = "invoice", locale: str = "en") -> dict:
    """A document in the shape the invoicing code produces (see templates/pdf/invoice.html)."""
    ar = locale == "ar"
    credit = kind == "credit_note"
    sign = -1 if credit else 1
    vat_name = "ضريبة القيمة المضافة" if ar else "VAT"

    def vat(amount):
        return [{"code": "VAT", "name": vat_name, "rate": "15", "amount_minor": sign * amount}]

    return {
        "kind": kind,
        "number": "RIY-2026-000043" if credit else "RIY-2026-000042",
        "issued_at": datetime(2026, 3, 5, 21, 30, tzinfo=UTC),  # 6 March in Riyadh
        "timezone": "Asia/Riyadh",
        "currency": "SAR",
        "locale": locale,
        "reference": "RIY-2026-000042" if credit else None,
        "studio": {
            "name": "استوديو نبض الرياض" if ar else "Nabd Fitness Riyadh",
            "address": ("طريق الملك فهد 1234، حي العليا\nالرياض 12211" if ar
                        else "1234 King Fahd Road, Al Olaya\nRiyadh 12211"),
            "tax_numbers": [{"label": "VAT", "value": "300000000000003"}],
        },
        "customer": {"name": "سارة العتيبي" if ar else "Sara Al-Otaibi",
                     "email": "sara@example.com"},
        "lines": [
            {"description": "عضوية شهرية" if ar else "Monthly membership", "quantity": 1,
             "unit_minor": sign * 8000, "net_minor": sign * 8000, "taxes": vat(1200)},
            {"description": "حصة يوغا" if ar else "Yoga drop-in class", "quantity": 2,
             "unit_minor": sign * 1000, "net_minor": sign * 2000, "taxes": vat(300)},
        ],
        "totals": {"net_minor": sign * 10000, "taxes": vat(1500), "gross_minor": sign * 11500},
        "prices_include_tax": credit,
        "payment": None if credit else {
            "method": "Card", "paid_at": datetime(2026, 3, 5, 21, 31, tzinfo=UTC)},
        "note": ("رُدّ المبلغ إلى البطاقة نفسها." if ar else "Refunded to the same card.")
        if credit else None,
    }


def pdftotext(data: bytes, tmp_path: Path) -> str:
    """The text of a PDF (layout mode), without the bidi marks pdftotext adds around runs."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(source), "-"],
                         capture_output=True, check=True, timeout=30).stdout.decode()
    return BIDI_CONTROLS.sub("", out)


def pdffonts(data: bytes, tmp_path: Path) -> list[str]:
    source = tmp_path / "fonts.pdf"
    source.write_bytes(data)
    out = subprocess.run(["pdffonts", str(source)], capture_output=True, check=True,
                         timeout=30).stdout.decode()
    return out.splitlines()[2:]  # below the header and its underline


def keep_artifacts(name: str, data: bytes) -> None:
    """Save the PDF and an 80 dpi PNG of each page for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.pdf"
    target.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(target), str(ARTIFACTS / name)],
                   check=True, timeout=60)


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize("kind", ["invoice", "credit_note"])
def test_invoice_and_credit_note_render_in_the_recipients_language(app, ctx, tmp_path,
                                                                   kind, locale):
    doc = sample(kind, locale)
    data = render_template_pdf("pdf/invoice.html", locale=locale, doc=doc)
    keep_artifacts(f"{kind}-{locale}", data)
    assert data.startswith(b"%PDF-1.7")
    text = pdftotext(data, tmp_path)

    with force_locale(locale):
        title = _("Credit note") if kind == "credit_note" else _("Tax invoice")
    assert title in text
    assert doc["number"] in text
    assert doc["customer"]["name"] in text
    assert doc["customer"]["email"] in text
    assert doc["studio"]["name"] in text
    assert "300000000000003" in text
    for amount in ("80.00", "10.00", "20.00", "100.00", "15.00", "115.00"):
        assert amount in text  # lines, net total, VAT, total
    assert "٠" not in text and "١" not in text  # Latin digits
    if kind == "credit_note":
        assert "RIY-2026-000042" in text  # the invoice it corrects
    if locale == "en":
        assert re.search(r"VAT \(15%\)\s+-?SAR\s?15\.00", text)  # the tax line of the totals
        assert "March 6, 2026" in text  # issued 21:30 UTC on the 5th: the 6th in Riyadh
        assert "Page 1 of 1" in text
        if kind == "invoice":
            assert "Card" in text
        else:
            assert "Prices include tax." in text
    else:
        assert ARABIC.search(text)
        assert "ضريبة القيمة المضافة" in text and "15" in text  # the tax line
        assert "2026" in text and "مارس" in text  # the date in Arabic, Latin digits
        assert "Tax invoice" not in text and "Credit note" not in text
    assert str(get_locale()) == "en"  # the forced locale did not leak out


def test_rerendering_gives_identical_bytes(app, ctx, tmp_path):
    doc = sample("invoice", "ar")
    first = render_template_pdf("pdf/invoice.html", locale="ar", doc=doc)
    second = render_template_pdf("pdf/invoice.html", locale="ar", doc=doc)
    assert first == second
    other = render_template_pdf("pdf/invoice.html", locale="ar", doc=sample("credit_note", "ar"))
    assert other != first
    assert b"/ID [" in first  # a file identifier, derived from the HTML rather than random
    source = tmp_path / "info.pdf"
    source.write_bytes(first)
    info = subprocess.run(["pdfinfo", "-isodates", str(source)], capture_output=True,
                          check=True, timeout=30).stdout.decode()
    assert re.search(r"CreationDate:\s+2026-03-05T21:30:00", info), info  # issued, not "now"
    assert "ModDate" not in info


def test_pdfs_embed_the_bundled_noto_fonts(app, ctx, tmp_path):
    fonts = pdffonts(render_template_pdf("pdf/invoice.html", locale="ar",
                                         doc=sample("invoice", "ar")), tmp_path)
    embedded = [line for line in fonts if " yes " in line]
    assert any("Noto-Sans" in line for line in embedded), fonts
    assert any("Noto-Naskh-Arabic" in line for line in embedded), fonts  # Arabic, not DejaVu
    assert not any("DejaVu" in line for line in fonts), fonts


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "http://example.com/x.png",
    "https://example.com/static/css/pdf.css",  # the right path on someone else's host
    "http://169.254.169.254/latest/meta-data/",
    "http://fitflow.test.evil.example/static/css/pdf.css",
    "http://fitflow.test/app/config.py",  # ours, but not a static file
    "http://fitflow.test/static/../app/config.py",
    "http://fitflow.test/static/%2e%2e/app/config.py",
    "http://fitflow.test/static/..%2fapp/config.py",
    "http://fitflow.test/static/css%2f..%2f..%2fapp/config.py",
    "http://fitflow.test/static/%2Fetc/passwd",
    "http://fitflow.test/static/css/missing.css",
    "http://fitflow.test/static/css/",
    "/static/../../etc/passwd",
    "ftp://fitflow.test/static/css/pdf.css",
    "data:text/html,<h1>hi</h1>",
    "data:text/css,body{color:red}",
    "data:font/ttf;base64,AAEAAA==",
    "javascript:alert(1)",
])
def test_the_fetcher_refuses_everything_but_our_static_files(app, ctx, url):
    with pytest.raises(FetchRefused):
        safe_fetcher(url, "http://fitflow.test")


def test_the_fetcher_serves_static_files_and_data_images(app, ctx):
    css = safe_fetcher("http://fitflow.test/static/css/pdf.css?v=1", "http://fitflow.test")
    assert b"@font-face" in css.read() and css.content_type == "text/css"
    font = safe_fetcher("/static/fonts/NotoNaskhArabic-Regular.ttf", "http://fitflow.test")
    assert font.read(4) == b"\x00\x01\x00\x00"
    png = safe_fetcher("data:image/png;base64,iVBORw0KGgo=", "http://fitflow.test")
    assert png.read() == b"\x89PNG\r\n\x1a\n" and png.content_type == "image/png"
    mounted = safe_fetcher("https://fitflow.example/app/static/css/pdf.css",
                           "https://fitflow.example/app")  # BASE_URL with a path prefix
    assert b"@font-face" in mounted.read()


def test_renders_in_a_worker_without_a_request(app, tmp_path):
    """Jobs have an app context only: the wrapper builds the request context from BASE_URL."""
    data = render_template_pdf("pdf/invoice.html", locale="ar", doc=sample("invoice", "ar"))
    assert "سارة العتيبي" in pdftotext(data, tmp_path)


def test_hostile_html_renders_without_fetching_anything_outside(app, ctx, monkeypatch,
                                                                 tmp_path):
    hostile = """<!doctype html><html><head>
      <link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">
      <link rel="stylesheet" href="file:///etc/passwd">
      <style>
        @import url("https://example.com/evil.css");
        @font-face { font-family: X; src: url("file:///usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"); }
        body { background: url("http://example.com/x.png"); font-family: X, sans-serif; }
      </style></head><body>
      <h1>Hostile</h1>
      <img src="file:///etc/passwd" alt="">
      <img src="http://example.com/x.png" alt="">
      <img src="/static/../app/config.py" alt="">
      <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3Cimage href='file:///etc/passwd'/%3E%3C/svg%3E" alt="">
      <iframe src="file:///etc/passwd"></iframe><object data="file:///etc/shadow"></object>
    </body></html>"""  # noqa: E501 (the hostile URLs are kept whole)
    calls = []

    def spy(url, base_url=None):
        try:
            response = safe_fetcher(url, base_url)
        except Exception as exc:
            calls.append((url, type(exc).__name__))
            raise
        calls.append((url, "served"))
        return response

    def no_network(*args, **kwargs):
        raise AssertionError(f"the PDF renderer opened a connection: {args!r}")

    monkeypatch.setattr(pdf, "safe_fetcher", spy)
    with monkeypatch.context() as guard:
        guard.setattr(socket, "create_connection", no_network)
        guard.setattr(socket.socket, "connect", no_network)
        data = render_pdf(hostile, base_url="http://fitflow.test/")

    assert data.startswith(b"%PDF-")
    assert "Hostile" in pdftotext(data, tmp_path)
    outcomes = dict(calls)
    for url in ("http://169.254.169.254/latest/meta-data/", "file:///etc/passwd",
                "https://example.com/evil.css", "http://example.com/x.png",
                "file:///usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"):
        assert outcomes.get(url) == "FetchRefused", (url, calls)
    assert all(outcome == "FetchRefused" for url, outcome in calls
               if not url.startswith("data:image/")), calls
    assert b"root:" not in data


def test_importing_the_wrapper_does_not_import_weasyprint():
    code = "import sys, app.core.pdf; assert 'weasyprint' not in sys.modules, 'eager import'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
