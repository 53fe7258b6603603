"""Domain errors and their one mapping to HTTP responses.

Error pages say what went wrong in words a reporter understands and never echo
request content back, so a failure cannot leak report text into a page, a log
or an exception report. Requests to the JSON API (`/api/…`) get the same
errors as `{"error": "<code>", "message": "<sentence>"}` (docs/submission.md);
everything else gets a page. Every message is translatable (Flask-Babel).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from typing import ClassVar, TypeAlias

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import LazyString, lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

API_PREFIX = "/api/"

# A message: plain, or translated when it is rendered.
Text: TypeAlias = str | LazyString


class VigilError(Exception):
    """A request Vigil refuses; `status`, `code` and `message` go to the user as they are.

    `details` are extra members of the JSON error (integers only, such as how
    many bytes of an upload arrived), never request content.
    """

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[Text] = lazy_gettext("Request refused")
    default_message: ClassVar[Text] = lazy_gettext("The request could not be accepted.")

    def __init__(self, message: Text | None = None, **details: int) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.code))
        self.details = details


class BadRequest(VigilError):
    pass


def refuse_unknown_parameters(given: Iterable[str], accepted: Collection[str]) -> None:
    """BadRequest naming every query parameter that is not in `accepted`."""
    unknown = sorted(set(given) - set(accepted))
    if unknown:
        raise BadRequest(f"Unknown query parameter: {', '.join(unknown)}.")


class InvalidSubmission(VigilError):
    code = "invalid_submission"
    default_message = lazy_gettext(
        "The report is not in the expected format. Reload the page and send it again."
    )


class InvalidUpload(VigilError):
    code = "invalid_upload"
    default_message = lazy_gettext(
        "An attachment is incomplete or damaged. Finish uploading it, or upload it again."
    )


class ProofOfWorkFailed(VigilError):
    code = "proof_of_work"
    default_message = lazy_gettext(
        "The anti-abuse check did not pass or has expired. Send the report again."
    )


class Forbidden(VigilError):
    status = 403
    code = "forbidden"
    title = lazy_gettext("Not allowed")


class NotFound(VigilError):
    status = 404
    code = "not_found"
    title = lazy_gettext("Not Found")
    default_message = lazy_gettext("There is nothing here.")


class CaseAccessDenied(Forbidden):
    """A console user holds no key to the case: one answer whatever the reason."""

    default_message = lazy_gettext("You do not have access to this case.")


class UnknownCaseReference(NotFound):
    default_message = lazy_gettext("No case has this reference.")


class CaseNotFound(NotFound):
    """The same answer for an unknown receipt and a wrong one, by design."""

    title = lazy_gettext("No case found")
    default_message = lazy_gettext(
        "No case matches this receipt. Check that you typed it exactly as it was shown."
    )


class UploadNotFound(NotFound):
    default_message = lazy_gettext(
        "This upload does not exist or has expired. Upload the file again."
    )


class UploadEvicted(UploadNotFound):
    """The upload was the oldest pending when room was needed (reporting/uploads.py)."""

    default_message = lazy_gettext(
        "This upload was removed to make room for others. Upload the file again."
    )


class Conflict(VigilError):
    status = 409
    code = "conflict"
    title = lazy_gettext("Already done")
    default_message = lazy_gettext("This was already received.")


class UploadOffsetMismatch(Conflict):
    """Carries `received`, the bytes the server has, so the client can resume."""

    code = "offset_mismatch"
    default_message = lazy_gettext("The upload must continue where it stopped.")


class UploadBusy(Conflict):
    code = "upload_busy"
    default_message = lazy_gettext("This file is still being uploaded. Try again in a moment.")


class UploadComplete(Conflict):
    code = "upload_complete"
    default_message = lazy_gettext("This file was already uploaded in full.")


class LengthRequired(VigilError):
    status = 411
    code = "length_required"
    default_message = lazy_gettext("The upload must say how long it is.")


class PayloadTooLarge(VigilError):
    status = 413
    code = "too_large"
    title = lazy_gettext("Too large")
    default_message = lazy_gettext("What you sent is larger than this site accepts.")


class UnsupportedMediaType(VigilError):
    status = 415
    code = "unsupported_media_type"
    default_message = lazy_gettext("The request was sent in a format this site does not accept.")


class RateLimited(VigilError):
    """A shared budget decided inside a view is used up (docs/limits.md)."""

    status = 429
    code = "rate_limited"
    title = lazy_gettext("Too many attempts")
    default_message = lazy_gettext(
        "This was tried too often in a short time. Wait a minute, then try again."
    )


class TooManyFailedLookups(RateLimited):
    """Too many lookups with unknown receipts, from everybody together; a right one still opens."""


class UploadsFull(VigilError):
    """No room for another upload: every older one is being received or attached right now."""

    status = 503
    code = "uploads_full"
    title = lazy_gettext("Busy")
    default_message = lazy_gettext(
        "The site is receiving many files at the moment. Try again in a few minutes."
    )


class NotAcceptingReports(VigilError):
    status = 503
    code = "not_accepting"
    title = lazy_gettext("Not accepting reports yet")
    default_message = lazy_gettext(
        "This site is not set up to receive reports yet. Please try again later."
    )


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
        return jsonify({"error": code, "message": str(message), **(details or {})}), status
    page = render_template("errors/error.html", status=status, title=title, message=message)
    return page, status


def register_error_handlers(app: Flask) -> None:
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
