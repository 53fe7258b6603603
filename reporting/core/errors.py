"""Domain errors: what Vigil refuses, with the status and words the user is given.

Each error carries its HTTP status and a message in words a reporter
understands; reporting/web/errors.py is the one place they become responses.
Messages never hold request content, so a failure cannot leak report text into
a page, a log or an exception report.

Every message is translatable, and translated where it is shown: the domain
has no request and no locale, so it only marks its sentences with
`translatable` (an extraction keyword, docs/translation.md) and keeps them in
English, with the values to put in them; reporting/web/errors.py translates
them into the request's language when it renders the error.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import ClassVar, TypeAlias


@dataclass(frozen=True)
class Translatable:
    """A sentence for the user, in English, to be translated when it is shown.

    `msgid` is the catalogue's key; `values` fill its `%(name)s` placeholders
    after translation. `str()` gives the English sentence, filled in.
    """

    msgid: str
    values: tuple[tuple[str, int | str], ...] = ()

    def __str__(self) -> str:
        return self.msgid % dict(self.values) if self.values else self.msgid


def translatable(msgid: str, /, **values: int | str) -> Translatable:
    """Mark `msgid` for translation (an extraction keyword); it is translated where it is shown."""
    return Translatable(msgid, tuple(sorted(values.items())))


# A message: a marked sentence, translated when shown, or plain text shown as it is.
Text: TypeAlias = Translatable | str


class VigilError(Exception):
    """A request Vigil refuses; `status`, `code` and `message` (translated) go to the user.

    `details` are extra members of the JSON error (integers only, such as how
    many bytes of an upload arrived), never request content.
    """

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[Text] = translatable("Request refused")
    default_message: ClassVar[Text] = translatable("The request could not be accepted.")

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
    default_message = translatable(
        "The report is not in the expected format. Reload the page and send it again."
    )


class InvalidUpload(VigilError):
    code = "invalid_upload"
    default_message = translatable(
        "An attachment is incomplete or damaged. Finish uploading it, or upload it again."
    )


class ProofOfWorkFailed(VigilError):
    code = "proof_of_work"
    default_message = translatable(
        "The anti-abuse check did not pass or has expired. Send the report again."
    )


class Forbidden(VigilError):
    status = 403
    code = "forbidden"
    title = translatable("Not allowed")


class NotFound(VigilError):
    status = 404
    code = "not_found"
    title = translatable("Not Found")
    default_message = translatable("There is nothing here.")


class CaseAccessDenied(Forbidden):
    """A console user holds no key to the case: one answer whatever the reason."""

    default_message = translatable("You do not have access to this case.")


class UnknownCaseReference(NotFound):
    default_message = translatable("No case has this reference.")


class CaseNotFound(NotFound):
    """The same answer for an unknown receipt and a wrong one, by design."""

    title = translatable("No case found")
    default_message = translatable(
        "No case matches this receipt. Check that you typed it exactly as it was shown."
    )


class UploadNotFound(NotFound):
    default_message = translatable(
        "This upload does not exist or has expired. Upload the file again."
    )


class UploadEvicted(UploadNotFound):
    """The upload was the oldest pending when room was needed (reporting/intake/uploads.py)."""

    default_message = translatable(
        "This upload was removed to make room for others. Upload the file again."
    )


class Conflict(VigilError):
    status = 409
    code = "conflict"
    title = translatable("Already done")
    default_message = translatable("This was already received.")


class UploadOffsetMismatch(Conflict):
    """Carries `received`, the bytes the server has, so the client can resume."""

    code = "offset_mismatch"
    default_message = translatable("The upload must continue where it stopped.")


class UploadBusy(Conflict):
    code = "upload_busy"
    default_message = translatable("This file is still being uploaded. Try again in a moment.")


class UploadComplete(Conflict):
    code = "upload_complete"
    default_message = translatable("This file was already uploaded in full.")


class LengthRequired(VigilError):
    status = 411
    code = "length_required"
    default_message = translatable("The upload must say how long it is.")


class PayloadTooLarge(VigilError):
    status = 413
    code = "too_large"
    title = translatable("Too large")
    default_message = translatable("What you sent is larger than this site accepts.")


class UnsupportedMediaType(VigilError):
    status = 415
    code = "unsupported_media_type"
    default_message = translatable("The request was sent in a format this site does not accept.")


class RateLimited(VigilError):
    """A shared budget decided inside a view is used up (docs/limits.md)."""

    status = 429
    code = "rate_limited"
    title = translatable("Too many attempts")
    default_message = translatable(
        "This was tried too often in a short time. Wait a minute, then try again."
    )


class TooManyFailedLookups(RateLimited):
    """Too many lookups with unknown receipts, from everybody together; a right one still opens."""


class UploadsFull(VigilError):
    """No room for another upload: every older one is being received or attached right now."""

    status = 503
    code = "uploads_full"
    title = translatable("Busy")
    default_message = translatable(
        "The site is receiving many files at the moment. Try again in a few minutes."
    )


class NotAcceptingReports(VigilError):
    status = 503
    code = "not_accepting"
    title = translatable("Not accepting reports yet")
    default_message = translatable(
        "This site is not set up to receive reports yet. Please try again later."
    )
