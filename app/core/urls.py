"""Absolute URLs outside a request (emails, jobs), from the configured BASE_URL."""

from flask import current_app, url_for


def base_url_context():
    """A request context on BASE_URL, so url_for works in workers and builds absolute links."""
    return current_app.test_request_context(base_url=current_app.config["BASE_URL"])


def external_url(endpoint: str, **values) -> str:
    with base_url_context():
        return url_for(endpoint, _external=True, **values)
