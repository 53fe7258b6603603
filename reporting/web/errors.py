"""The one mapping of errors to HTTP responses: domain errors, Werkzeug's and the extensions'.

Error pages say what went wrong in words a reporter understands and never echo
request content back. Requests to the JSON API (`/api/…`) get the same errors
as `{"error": "<code>", "message": "<sentence>"}` (docs/submission.md);
everything else gets a page.

The domain's sentences (`reporting.core.errors.translatable`) arrive in
English; `translated` puts them into the request's language, here and in the
templates (the `translated` filter), wherever a domain error is shown.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from reporting.core.errors import (
    NotFound,
    PayloadTooLarge,
    Text,
    Translatable,
    UnsupportedMediaType,
    VigilError,
)
from reporting.web.cookies import is_console_path

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


def translated(text: Text) -> str:
    """`text` in the request's language: a domain sentence translated, anything else as it is.

    Flask's own lazy strings (`lazy_gettext`) translate themselves when made a
    string; plain text (a sentence built from data) has no translation.
    """
    if isinstance(text, Translatable):
        sentence: str = gettext(text.msgid, **dict(text.values))
        return sentence
    return str(text)


# Our own words for the HTTP errors Werkzeug and the extensions raise; the
# status's standard name is the fallback.
_HTTP_MESSAGES: dict[int, tuple[str, Text, Text]] = {
    400: ("bad_request", lazy_gettext("Request refused"), VigilError.default_message),
    404: ("not_found", NotFound.title, NotFound.default_message),
    405: (
        "method_not_allowed",
        lazy_gettext("Not allowed"),
        lazy_gettext("This address does not accept this kind of request."),
    ),
    413: ("too_large", PayloadTooLarge.title, PayloadTooLarge.default_message),
    415: ("unsupported_media_type", VigilError.title, UnsupportedMediaType.default_message),
    429: (
        "rate_limited",
        lazy_gettext("Too many attempts"),
        lazy_gettext("This was tried too often in a short time. Wait a minute, then try again."),
    ),
}


def _respond(
    status: int, code: str, title: Text, message: Text, details: dict[str, int] | None = None
) -> tuple[Response | str, int]:
    if request.path.startswith(API_PREFIX):
        return jsonify({"error": code, "message": translated(message), **(details or {})}), status
    # The console's own page keeps its navigation and a way back (only where it is served).
    in_console = is_console_path(request.path) and "console" in current_app.blueprints
    page = render_template(
        "console/error.html" if in_console else "errors/error.html",
        status=status,
        title=translated(title),
        message=translated(message),
    )
    return page, status


def register_error_handlers(app: Flask) -> None:
    # For a view that shows a domain error on its own page (a form shown again).
    app.add_template_filter(translated, "translated")

    @app.errorhandler(VigilError)
    def handle_domain_error(error: VigilError) -> tuple[Response | str, int]:
        return _respond(error.status, error.code, error.title, error.message, error.details)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError) -> tuple[Response | str, int]:
        return _respond(
            400,
            "csrf",
            lazy_gettext("This form has expired"),
            lazy_gettext(
                "For your protection each form can be sent only within a limited time. "
                "Go back, reload the page and send it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> tuple[Response | str, int]:
        status = error.code or 500
        code, title, message = _HTTP_MESSAGES.get(
            status, (f"http_{status}", error.name, error.description or "")
        )
        return _respond(status, code, title, message)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> tuple[Response | str, int]:
        # Only the exception type is logged: messages and tracebacks can carry
        # values from the request, and no report content may reach a log.
        log.error("unhandled %s", type(error).__name__)
        # The failure may have left the request's transaction unusable
        # (PostgreSQL refuses every statement after an error): undo it, so that
        # nothing half done is committed later and the error page can be drawn.
        session = g.get("db_session")
        if session is not None:
            session.rollback()
        return _respond(
            500,
            "internal",
            lazy_gettext("Something went wrong"),
            lazy_gettext("The request could not be completed."),
        )
