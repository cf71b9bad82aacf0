"""Bookings: book, cancel, waitlist and offers, with capacity held by a lock and a constraint."""
