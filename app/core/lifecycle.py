"""One request lifecycle for every mutating view: run the use case, commit, answer.

A view parses its input, loads through a scoped loader and checks its policy; then it hands the
service call to `perform`, which commits on success and answers the result, or, on a domain
error, rolls back and answers the translated message: for htmx as the page's alert (out of
band, leaving the target as it was) with the error's status, otherwise as a flash and a 303
back. A 503 (busy, try again) carries `Retry-After`.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import flash, make_response, redirect, render_template, request
from flask.typing import ResponseReturnValue

from app.core.db import commit_keeping_loaded
from app.core.errors import DomainError
from app.core.htmx import wants_fragment
from app.extensions import db

T = TypeVar("T")
RETRY_AFTER = "2"


def perform(action: Callable[[], T], then: Callable[[T], ResponseReturnValue], *,
            failed: Callable[[DomainError], ResponseReturnValue] | None = None,
            back: str | None = None, keep_loaded: bool = False):
    """Run `action` (one service call), commit and answer `then(result)`.

    On a DomainError the transaction is rolled back and `failed(error)` answers, by default
    `answer_error(error, back)`. `keep_loaded` commits without expiring what the request
    loaded, for an answer rendered at once from those rows (see `commit_keeping_loaded`).
    """
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        response = make_response(failed(exc) if failed else answer_error(exc, back))
        if exc.status == 503:
            response.headers["Retry-After"] = RETRY_AFTER
        return response
    if keep_loaded:
        commit_keeping_loaded()
    else:
        db.session.commit()
    return then(result)


def answer_error(exc: DomainError, back: str | None = None):
    """The message of a refused action: the page's alert for htmx (status of the error, the
    target left alone), or a flash and a 303 to `back` (default: the page the form was on)."""
    if wants_fragment():
        response = make_response(render_template("errors/_alert.html", message=str(exc)),
                                 exc.status)
        response.headers["HX-Reswap"] = "none"
        response.vary.add("HX-Request")
        return response
    flash(str(exc), "error")
    return redirect(back or _same_site_referrer() or request.path, 303)


def done(message: str, to: str, category: str = "success"):
    """A plain POST's success answer: flash `message`, 303 to `to`."""
    flash(message, category)
    return redirect(to, 303)


def _same_site_referrer() -> str | None:
    referrer = request.referrer or ""
    host = request.host_url
    return referrer if referrer.startswith(host) else None
