"""Conditional GET for pages: a page that has not changed is answered 304 Not Modified.

A page's ETag is a hash of its HTML, so a 304 is only ever sent for the very bytes the browser
already holds (same user, same language, same spots and bookings, same CSRF token: pages vary
on Cookie). Pages are stored by the browser only (private) and revalidated on every visit
(no-cache); Flask-Compress suffixes the tag with the encoding and answers the conditional
request for compressed pages, this hook for uncompressed ones.
"""

from flask import Flask, request

PAGE = "private, no-cache"


def init_app(app: Flask) -> None:
    """Register after Flask-Compress: hooks run in reverse order, so this sees the page first."""

    @app.after_request
    def tag_pages(response):
        if (request.method in ("GET", "HEAD") and response.status_code == 200
                and response.mimetype == "text/html" and not response.is_streamed
                and "ETag" not in response.headers
                and "Cache-Control" not in response.headers):
            response.add_etag()
            response.headers["Cache-Control"] = PAGE
            response.make_conditional(request)
        return response
