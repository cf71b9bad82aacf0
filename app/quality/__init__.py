"""Data quality: checks that find a studio's records needing a person's attention (likely
duplicate customers, bookings left in cancelled classes, negative pass balances, card payments
Stripe and FitFlow disagree on, invoice number gaps, certificates about to expire), and the
stored findings of each studio's last run. Reads other domains; only the demo imports it (to
run the checks once)."""
