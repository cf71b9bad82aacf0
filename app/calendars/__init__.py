"""Calendars: each person's private feed (ICS), one booking as an .ics file, and a coach's own
calendar kept in step over CalDAV (docs/calendars.md)."""
