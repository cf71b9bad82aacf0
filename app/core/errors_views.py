"""Error pages: translated, in the page layout, with the right status — never a bare 500."""

import logging

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.core.errors import DomainError
from app.core.htmx import wants_fragment
from app.extensions import db

log = logging.getLogger(__name__)
# A service the request needs is away or dropped its connection: Redis down or hanging (the
# login rate limiter), a PostgreSQL connection killed mid-request, a lock or pool wait that
# ran out. Foreseeable, so a 503 that says "try again", never a 500.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OperationalError, InterfaceError,
               PoolTimeout)
RETRY_AFTER = "5"

MESSAGES = {
    400: lambda: _("The request could not be understood."),
    403: lambda: _("You are not allowed to do that."),
    404: lambda: _("We could not find that page."),
    405: lambda: _("That action is not available here."),
    413: lambda: _("That upload is too large."),
    422: lambda: _("Please check the form."),
    429: lambda: _("Too many attempts. Please wait a minute and try again."),
    500: lambda: _("Something went wrong on our side. Please try again."),
    503: lambda: _("The service is busy. Please try again in a moment."),
}


def error_page(code: int, message: str | None = None):
    db.session.rollback()
    message = message or MESSAGES.get(code, MESSAGES[500])()
    if request.accept_mimetypes.best == "application/json":  # a script's fetch (passkeys)
        return jsonify(error=message), code
    return render_template("errors/error.html", code=code, message=message), code


def init_app(app):
    for code in MESSAGES:
        app.register_error_handler(code, lambda exc, code=code: error_page(code))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_page(400, _("Your session expired or the form was sent twice. "
                                 "Please reload the page and try again."))

    @app.errorhandler(DomainError)
    def domain_error(exc):
        return error_page(exc.status, str(exc))

    for exc_class in UNAVAILABLE:
        app.register_error_handler(exc_class, unavailable)


def unavailable(exc):
    """503 + Retry-After: the error page, or for htmx the message above the page (kept as is)."""
    log.warning("503 for %s %s: %s: %s", request.method, request.path, type(exc).__name__,
                str(exc).splitlines()[0] if str(exc) else "")
    db.session.rollback()  # first: the language and the signed-in user are read from the database
    message = MESSAGES[503]()
    try:
        if wants_fragment():
            response = make_response(render_template("errors/_alert.html", message=message), 503)
            response.headers["HX-Reswap"] = "none"
        else:
            response = make_response(error_page(503, message))
    except Exception:  # the page itself needs the database that just failed: plain text then
        log.exception("error page failed")
        response = make_response(message, 503, {"Content-Type": "text/plain; charset=utf-8"})
    response.headers["Retry-After"] = RETRY_AFTER
    return response
