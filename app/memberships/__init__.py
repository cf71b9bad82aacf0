"""Memberships: plans studios sell, the passes customers hold, and the credit ledger."""
