"""The ZATCA (FATOORA phase 1) QR code that Saudi simplified tax invoices must carry.

The payload is five TLV fields, base64-encoded: 1 seller name, 2 VAT registration number,
3 invoice timestamp (ISO 8601), 4 invoice total with VAT, 5 VAT amount. Each field is one byte
tag, one byte length of the UTF-8 value, then the value.
"""

import base64
from datetime import UTC, datetime
from decimal import Decimal

import segno

from app.core.money import precision

JURISDICTION = "SA"
VAT_CODE = "VAT"


def _field(tag: int, value: str) -> bytes:
    data = value.encode()
    if len(data) > 255:  # one length byte: a longer seller name is cut at a character boundary
        data = data[:255].decode(errors="ignore").encode()
    return bytes((tag, len(data))) + data


def _amount(minor: int, currency: str) -> str:
    digits = precision(currency)
    return f"{Decimal(abs(minor)).scaleb(-digits):.{digits}f}"


def vat_number(tax_numbers: list[dict]) -> str:
    """The VAT registration number among a studio's tax numbers: the one labelled VAT (in
    either language), else the first."""
    for number in tax_numbers:
        label = number.get("label", "")
        if "vat" in label.lower() or "ضريب" in label:
            return number["value"]
    return tax_numbers[0]["value"] if tax_numbers else ""


def qr_payload(*, seller: str, vat_number: str, issued_at: datetime, total_minor: int,
               vat_minor: int, currency: str) -> str:
    """The base64 TLV text the QR code holds. Amounts are positive decimals (a credit note's
    too); the timestamp is UTC to the second."""
    timestamp = issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    tlv = b"".join((_field(1, seller), _field(2, vat_number), _field(3, timestamp),
                    _field(4, _amount(total_minor, currency)),
                    _field(5, _amount(vat_minor, currency))))
    return base64.b64encode(tlv).decode("ascii")


def qr_image(payload: str) -> str:
    """The QR code of `payload` as an SVG data: URI (the PDF fetcher serves data: images)."""
    return segno.make(payload, error="m").svg_data_uri(scale=4, border=4, dark="#000000")
