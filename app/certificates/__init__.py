"""Courses that end in a certificate, the certificates themselves (numbered per studio, checked
by anyone at /c/<code>), and their PDFs. Reads attendance from bookings, so it sits above it."""
