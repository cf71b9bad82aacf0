"""URLs: absolute links outside a request (emails, jobs) from BASE_URL; the id converter."""

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter, UnicodeConverter


def base_url_context():
    """A request context on BASE_URL, so url_for works in workers and builds absolute links."""
    return current_app.test_request_context(base_url=current_app.config["BASE_URL"])


def external_url(endpoint: str, **values) -> str:
    with base_url_context():
        return url_for(endpoint, _external=True, **values)


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: ids beyond PostgreSQL's integer match nothing (404, not 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """`<name>` in every route: a segment holding a NUL byte (which PostgreSQL text cannot
    hold) matches nothing (404, not 500)."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def init_app(app):
    """Install the converters; call before any blueprint adds its rules."""
    app.url_map.converters.update(int=IdConverter, default=TextConverter, string=TextConverter)
