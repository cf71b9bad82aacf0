"""Accounts: people, sign-up and sign-in, email verification, password reset, profile."""
