"""The coach's clients: who trains with them, and the staff's private notes about each one."""
