"""Billing: orders, payments, taxes, invoices, credit notes, refunds."""
