from app.billing.stripe.inbox import apply_received
from workers.jobs import job


@job
def apply_stripe_event(event_row_id: int) -> str | None:
    """Apply a stored Stripe event with all its effects (once: the row is locked and marked)."""
    return apply_received(event_row_id)
