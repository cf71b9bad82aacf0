"""Audit log: who did what to whom, for money and policy exceptions."""
