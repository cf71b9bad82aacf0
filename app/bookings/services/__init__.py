"""Booking use cases: book, cancel, claim an offer, promote the waitlist, cancel a class.

One module per use case (book, cancel, waitlist); the studio's rules they apply (booking
window, cancel cutoff, waitlist mode and hold) are named functions in `rules`, and the locks
they take, with the one order every path follows, are in `locks`. Services flush; the caller
commits.
"""

from app.bookings.services.book import Booked, book_class, make_booking
from app.bookings.services.cancel import Cancellation, cancel_booking, cancel_class
from app.bookings.services.locks import active_booking, lock_class, spots_taken
from app.bookings.services.rules import (
    CancelConsequence,
    booking_window,
    cancel_consequence,
    check_bookable,
    is_late_cancel,
)
from app.bookings.services.waitlist import (
    claim_offer,
    expire_offer,
    fill_spots,
    waitlist_position,
)

__all__ = [
    "Booked", "CancelConsequence", "Cancellation", "active_booking", "book_class",
    "booking_window", "make_booking",
    "cancel_booking", "cancel_class", "cancel_consequence", "check_bookable", "claim_offer",
    "expire_offer", "fill_spots", "is_late_cancel", "lock_class", "spots_taken",
    "waitlist_position",
]
