"""Reports an owner runs the studio on: attendance, utilisation, revenue and taxes for a period.

Reads only: it queries other domains' tables and nothing imports it. Days are each location's
local days; money is grouped by currency and never added across currencies."""
