"""Notifications: emails rendered in the recipient's language, each sent once per dedup key."""
