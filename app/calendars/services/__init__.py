"""Calendar use cases: the private feed's secret (`feeds`), a coach's CalDAV connection and
its sync (`connections`, `sync`). They flush; the caller commits."""
