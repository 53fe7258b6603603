"""What the server does for a browser without JavaScript: the browser's crypto, in memory.

The form arrives in plaintext; the same envelope a browser would make is
built here the moment it arrives (a server-made receipt, a fresh report key,
wraps to the intake key and the reporter), the files are encrypted from
their sealed spools into pending uploads (reporting.intake.attachment_files),
and from there the report takes the same path as one sealed in a browser, marked
`server_saw_plaintext`. Returning with the receipt, the server derives the
reporter's key in memory to show the case and seal the answers.

Nothing here writes plaintext anywhere: not to disk (only ciphertext goes to
the uploads and the database), not to logs (nothing here logs), and the
receipt is returned to be shown once, never stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crypto import (
    AttachmentInfo,
    CryptoError,
    PublicKey,
    Receipt,
    RecordKind,
    ReportKey,
    open_attachment,
    open_record,
    seal_record,
    seal_report,
    unwrap_report_key,
)
from reporting.core.blobstore import BlobStore
from reporting.core.errors import CaseNotFound
from reporting.core.models import IntakeType, Message, PartKind, Report, ReportPart
from reporting.intake.attachment_files import PlainFile, encrypted_files
from reporting.intake.followup import (
    CaseAttachment,
    CaseMessage,
    CasePart,
    CaseView,
    add_message,
    add_part,
    reporter_wrap,
)
from reporting.intake.submissions import NewReport, create_report
from reporting.intake.uploads import PendingUploads


def submit_report(
    session: Session,
    uploads: PendingUploads,
    *,
    intake_key: PublicKey,
    intake_type: IntakeType,
    body: Mapping[str, Any],
    files: Sequence[PlainFile],
) -> tuple[Receipt, Report]:
    """Seal and store a report sent without JavaScript; the receipt is for the reporter only."""
    receipt = Receipt.generate()
    key, envelope = seal_report(body, intake_key, receipt.reporter_private_key().public_key)
    with encrypted_files(uploads, key, files) as upload_ids:
        new = NewReport(
            intake_type=intake_type,
            envelope=envelope,
            lookup_token=receipt.lookup_token(),
            upload_ids=upload_ids,
            server_saw_plaintext=True,
        )
        return receipt, create_report(session, uploads, new)


def send_message(
    session: Session,
    uploads: PendingUploads,
    report: Report,
    key: ReportKey,
    *,
    payload: Mapping[str, Any],
    files: Sequence[PlainFile],
) -> Message:
    """A reporter's message sealed here (a MESSAGE record under the case's key)."""
    record = seal_record(key, RecordKind.MESSAGE, dict(payload))
    with encrypted_files(uploads, key, files) as upload_ids:
        return add_message(session, uploads, report, record, upload_ids)


def file_part(
    session: Session,
    uploads: PendingUploads,
    report: Report,
    key: ReportKey,
    *,
    kind: PartKind,
    body: Mapping[str, Any],
    files: Sequence[PlainFile],
) -> ReportPart:
    """A disclosure's later stage sealed here (a BODY record under the case's key)."""
    record = seal_record(key, RecordKind.BODY, dict(body))
    with encrypted_files(uploads, key, files) as upload_ids:
        return add_part(
            session,
            uploads,
            report,
            kind=kind,
            body=record,
            upload_ids=upload_ids,
            server_saw_plaintext=True,
        )


def report_key(report: Report, receipt: Receipt) -> ReportKey:
    """The case's key, from its reporter wrap and the key the receipt yields."""
    try:
        return unwrap_report_key(reporter_wrap(report), receipt.reporter_private_key())
    except CryptoError:
        # Only a damaged wrap gets here (the case was found by this receipt's
        # token); the reporter can do nothing about it but sees the same answer.
        raise CaseNotFound() from None


@dataclass(frozen=True)
class OpenedCase:
    """A case decrypted for its reporter. A record or file that does not open is None."""

    view: CaseView
    body: dict[str, Any] | None
    parts: list[tuple[CasePart, dict[str, Any] | None]]
    messages: list[tuple[CaseMessage, dict[str, Any] | None]]
    attachments: list[tuple[CaseAttachment, AttachmentInfo | None]]


def _open(key: ReportKey, kind: RecordKind, record: bytes) -> dict[str, Any] | None:
    try:
        value = open_record(key, kind, record)
    except CryptoError:
        return None
    return value if isinstance(value, dict) else None


def _attachment_info(key: ReportKey, blob_store: BlobStore, blob_key: str) -> AttachmentInfo | None:
    with blob_store.open_reader(blob_key) as source:
        try:
            return open_attachment(key, source).info
        except CryptoError:
            return None


def open_case(view: CaseView, key: ReportKey, blob_store: BlobStore) -> OpenedCase:
    blob_keys = {attachment.id: attachment.blob_key for attachment in view.report.attachments}
    return OpenedCase(
        view=view,
        body=_open(key, RecordKind.BODY, view.report.body),
        parts=[(part, _open(key, RecordKind.BODY, part.body)) for part in view.parts],
        messages=[
            (message, _open(key, RecordKind.MESSAGE, message.record)) for message in view.messages
        ],
        attachments=[
            (attachment, _attachment_info(key, blob_store, blob_keys[attachment.id]))
            for attachment in view.attachments
        ],
    )
