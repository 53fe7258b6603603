"""Domain errors and their one mapping to HTTP responses.

Error pages say what went wrong in words a reporter understands and never echo
request content back, so a failure cannot leak report text into a page, a log
or an exception report.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class VigilError(Exception):
    """A request Vigil refuses; `status` and `message` go to the user as they are."""

    status = 400
    title = "Request refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(VigilError):
    status = 404
    title = "Not found"


class Forbidden(VigilError):
    status = 403
    title = "Not allowed"


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(VigilError)
    def handle_domain_error(error: VigilError) -> tuple[str, int]:
        return _page(error.status, error.title, error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            "This form has expired",
            "For your protection each form can be sent only within a limited time. "
            "Go back, reload the page and send it again.",
        )

    @app.errorhandler(429)
    def handle_rate_limited(error: HTTPException) -> tuple[str, int]:
        return _page(
            429,
            "Too many attempts",
            "This was tried too often in a short time. Wait a minute, then try again.",
        )

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        return _page(status, error.name, error.description or "")

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> tuple[str, int]:
        # Only the exception type is logged: messages and tracebacks can carry
        # values from the request, and no report content may reach a log.
        log.error("unhandled %s", type(error).__name__)
        return _page(500, "Something went wrong", "The request could not be completed.")
