"""1:1 sessions: session types, coach availability and time off, slots and appointments."""
