"""The data-quality checks: each takes a studio and returns its findings. CHECKS lists them in
the order the page shows them; a check that needs a service we cannot reach raises
CheckUnavailable and is reported as not run."""

from app.quality.checks.base import CheckUnavailable, Finding
from app.quality.checks.records import (
    active_in_cancelled_classes,
    duplicate_customers,
    expiring_certificates,
    invoice_number_gaps,
    negative_balances,
)
from app.quality.checks.stripe import unreconciled_card_payments

CHECKS = {
    "duplicate_customer": duplicate_customers,
    "booking_in_cancelled_class": active_in_cancelled_classes,
    "negative_balance": negative_balances,
    "card_payment": unreconciled_card_payments,
    "invoice_gap": invoice_number_gaps,
    "certificate_expiring": expiring_certificates,
}

__all__ = ["CHECKS", "CheckUnavailable", "Finding"]
