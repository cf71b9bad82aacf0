"""Billing use cases, one module per use case: orders, payments, checkout, renewals, taxes,
invoices and credit notes, fees, money settings. Services flush; the request or job commits."""
