"""Domain errors: what Vigil refuses, with the status and words the user is given.

Each error carries its HTTP status and a message in words a reporter
understands; reporting/web/errors.py is the one place they become responses.
Messages never hold request content, so a failure cannot leak report text into
a page, a log or an exception report. Every message is translatable.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import ClassVar, TypeAlias

from flask_babel import LazyString, lazy_gettext

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
    """The upload was the oldest pending when room was needed (reporting/intake/uploads.py)."""

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
