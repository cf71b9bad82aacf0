"""The app as wsgi.py serves it, plus the harness's control routes: `gunicorn bench.wsgi:app`."""

from bench.control import install
from wsgi import app

install(app)
