"""WSGI entry point: `flask --app wsgi run`, `gunicorn wsgi:app`."""

import gc

from app import create_app

app = create_app()

# What the app has built by now (modules, models, SQLAlchemy's and Jinja's machinery: ~170k
# objects) lives as long as the process. Frozen, the collector's full passes skip it, so a
# request that triggers one does not wait while it walks objects that never die
# (figures: docs/benchmarks.md).
gc.freeze()
