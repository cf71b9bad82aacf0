"""Stripe: the gateway (the only module that calls Stripe), the webhook endpoint, the inbox
that stores each event once, and the handlers that apply events."""
