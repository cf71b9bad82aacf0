"""Static files under versioned URLs (`?v=<content hash>`), cached by browsers for a year.

A changed file gets a new URL, so a repeat visit needs no request at all for CSS, JS and icons.
"""

import hashlib
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    digests: dict[str, str] = {}

    def version(filename: str) -> str | None:
        if filename not in digests:
            path = Path(app.static_folder) / filename
            digests[filename] = (hashlib.sha256(path.read_bytes()).hexdigest()[:10]
                                 if path.is_file() else "")
        return digests[filename] or None

    @app.url_defaults
    def versioned_static(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            values["v"] = version(values["filename"])

    plain_max_age = app.get_send_file_max_age

    def max_age(filename):
        return YEAR if request.args.get("v") else plain_max_age(filename)

    app.get_send_file_max_age = max_age
