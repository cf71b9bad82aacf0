"""URLs: absolute links outside a request (emails, jobs) from BASE_URL; the id converter."""

from collections.abc import Callable

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter, UnicodeConverter


def base_url_context():
    """A request context on BASE_URL, so url_for works in workers and builds absolute links."""
    return current_app.test_request_context(base_url=current_app.config["BASE_URL"])


def external_url(endpoint: str, **values) -> str:
    with base_url_context():
        return url_for(endpoint, _external=True, **values)


def url_for_ids(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """url_for(endpoint, **values, key=id) for many ids at the cost of one build: the URL is
    built around a placeholder id (an int converter writes ids as plain digits) that each call
    replaces. If the placeholder is not found exactly once, every call builds with url_for."""
    placeholder = 2**31 - 1  # the largest id the id converter accepts
    url = url_for(endpoint, **values, **{key: placeholder})
    if url.count(str(placeholder)) != 1:
        return lambda row_id: url_for(endpoint, **values, **{key: row_id})
    head, _sep, tail = url.partition(str(placeholder))
    return lambda row_id: f"{head}{int(row_id)}{tail}"


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
    """Install the converters (call before any blueprint adds its rules) and url_for_ids."""
    app.url_map.converters.update(int=IdConverter, default=TextConverter, string=TextConverter)
    app.jinja_env.globals["url_for_ids"] = url_for_ids
