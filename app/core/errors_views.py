"""Error pages: translated, in the page layout, with the right status — never a bare 500."""

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.core.errors import DomainError
from app.extensions import db

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
    return render_template("errors/error.html", code=code,
                           message=message or MESSAGES.get(code, MESSAGES[500])()), code


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
