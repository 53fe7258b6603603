"""A case opened for a console user: decrypted in memory with the user's own wrap.

Access is having a wrap (docs/crypto.md), and reporting.cases.access decides
it (`case_key`): a user of another queue, a user whose access was revoked and
a role that does not work cases all get the same CaseAccessDenied, before
anything is decrypted. Every decryption (opening the page, downloading a
file) is audited; the audit details carry counts and ids, never report
content. Replies and notes are reporting.casework.replies; how the fields and
the evidence are laid out for the page, reporting.casework.evidence.

Nothing here writes plaintext anywhere: attachments are decrypted chunk by
chunk into the response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crypto import (
    AttachmentInfo,
    CryptoError,
    PrivateKey,
    RecordKind,
    ReportKey,
    open_attachment,
    open_record,
)
from reporting.audit.log import append_audit
from reporting.cases.access import case_key
from reporting.casework.evidence import (
    ShownField,
    ShownIndicator,
    evidence_spans,
    field_texts,
    shown_fields,
    shown_indicators,
)
from reporting.core.blobstore import BlobStore
from reporting.core.db import upsert
from reporting.core.errors import NotFound, UnknownCaseReference
from reporting.core.models import (
    Attachment,
    Author,
    CaseRead,
    Message,
    MessageKind,
    PartKind,
    Report,
    User,
)
from reporting.core.transactions import committing
from reporting.intake.attachment_files import decrypted_download
from reporting.pipeline.rescreen import StaleScreener, is_due, rescreen_case
from triage.screening import Screener

# ---------------------------------------------------------------- shapes


@dataclass(frozen=True)
class OpenedPart:
    id: int
    kind: PartKind
    submitted_hour: datetime
    fields: tuple[ShownField, ...] | None  # None: the record does not open


@dataclass(frozen=True)
class ThreadEntry:
    id: int
    kind: MessageKind
    author: Author
    author_name: str | None  # the investigator's display name; None for the reporter
    created_hour: datetime
    text: str | None  # None: the record does not open
    reliable: bool  # False: the author inside the record disagrees with the row


@dataclass(frozen=True)
class CaseFile:
    """An attachment, described by its encrypted metadata (only the header is read)."""

    id: int
    author: Author
    message_id: int | None
    part_id: int | None
    ciphertext_size: int
    info: AttachmentInfo | None  # None: the header does not open


@dataclass(frozen=True)
class OpenedCase:
    report: Report
    body: Mapping[str, Any] | None
    fields: tuple[ShownField, ...] | None
    parts: tuple[OpenedPart, ...]
    findings: Mapping[str, Any] | None
    indicators: tuple[ShownIndicator, ...]
    thread: tuple[ThreadEntry, ...]
    attachments: tuple[CaseFile, ...]
    # For the actions on the same page, which need it too; never shown.
    key: ReportKey = field(repr=False)

    def files_of(
        self, *, message_id: int | None = None, part_id: int | None = None
    ) -> list[CaseFile]:
        """The files that came with a message, a part, or (neither) the first submission."""
        return [
            file
            for file in self.attachments
            if file.message_id == message_id and file.part_id == part_id
        ]


# ---------------------------------------------------------------- finding a case


def find_report(session: Session, reference: str) -> Report:
    report = session.scalar(select(Report).where(Report.public_reference == reference))
    if report is None:
        raise UnknownCaseReference()
    return report


def case_target(report: Report) -> str:
    """How the audit log names a case."""
    return f"report:{report.id}"


# ---------------------------------------------------------------- opening


def open_case(
    session: Session,
    report_reference: str,
    user: User,
    private_key: PrivateKey,
    *,
    blob_store: BlobStore,
    screener: Callable[[], Screener],
) -> OpenedCase:
    """Decrypt a case for `user` in memory, audited as `case.open`.

    A case screened against older lists than the current ones is screened
    again first (reporting.pipeline.rescreen): after triage only its holders can read
    it, so opening it is when that can happen. `screener` gives the current
    lists' screener; it is only called for such a case.
    """
    report = find_report(session, report_reference)
    key = case_key(session, report, user, private_key)
    if is_due(session, report):
        _rescreen(session, report, key, screener, user)
    body = _open_object(key, RecordKind.BODY, report.body)
    findings = _open_object(key, RecordKind.FINDINGS, report.findings) if report.findings else None
    part_bodies = [(part, _open_object(key, RecordKind.BODY, part.body)) for part in report.parts]

    # The texts triage read, by its paths, so that evidence can be found again.
    texts = field_texts(body or {}, "")
    for index, (_part, part_body) in enumerate(part_bodies):
        texts.update(field_texts(part_body or {}, f"parts[{index}]"))
    spans = evidence_spans(findings)

    opened = OpenedCase(
        report=report,
        body=body,
        fields=shown_fields(body, "", spans) if body is not None else None,
        parts=tuple(
            OpenedPart(
                part.id,
                part.kind,
                part.submitted_hour,
                shown_fields(part_body, f"parts[{index}]", spans)
                if part_body is not None
                else None,
            )
            for index, (part, part_body) in enumerate(part_bodies)
        ),
        findings=findings,
        indicators=shown_indicators(findings, texts),
        thread=_thread(session, report, key),
        attachments=tuple(_case_file(key, blob_store, a) for a in report.attachments),
        key=key,
    )
    unread = [
        message.id
        for message in report.messages
        if message.author_kind is Author.REPORTER and not message.read_by_investigators
    ]
    with committing(session):
        if unread:
            session.execute(
                update(Message).where(Message.id.in_(unread)).values(read_by_investigators=True)
            )
        # What this user has now seen: the case is no longer unread for them.
        upsert(
            session,
            CaseRead,
            {"user_id": user.id, "report_id": report.id, "seen_activity": report.reporter_activity},
            key=("user_id", "report_id"),
            replace=("seen_activity",),
        )
        append_audit(
            session,
            actor_user_id=user.id,
            action="case.open",
            target=case_target(report),
            details={
                "parts": len(opened.parts),
                "messages": len(opened.thread),
                "attachments": len(opened.attachments),
            },
        )
    return opened


def _rescreen(
    session: Session,
    report: Report,
    key: ReportKey,
    screener: Callable[[], Screener],
    user: User,
) -> None:
    try:
        with committing(session):
            rescreen_case(session, report, key, screener=screener(), actor_user_id=user.id)
    except StaleScreener:
        # A list was imported while the screener loaded: the case stays due
        # and is screened again the next time it is opened.
        return


def _open_object(key: ReportKey, kind: RecordKind, record: bytes) -> dict[str, Any] | None:
    try:
        value = open_record(key, kind, record)
    except CryptoError:
        return None
    return value if isinstance(value, dict) else None


def _case_file(key: ReportKey, blob_store: BlobStore, attachment: Attachment) -> CaseFile:
    info: AttachmentInfo | None
    with blob_store.open_reader(attachment.blob_key) as source:
        try:
            # Reads and checks the header and the metadata only, not the chunks.
            info = open_attachment(key, source).info
        except CryptoError:
            info = None
    return CaseFile(
        attachment.id,
        attachment.author_side,
        attachment.message_id,
        attachment.part_id,
        attachment.ciphertext_size,
        info,
    )


def _thread(session: Session, report: Report, key: ReportKey) -> tuple[ThreadEntry, ...]:
    author_ids = {m.author_user_id for m in report.messages if m.author_user_id is not None}
    names: dict[int, str] = {
        user_id: name
        for user_id, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(author_ids))
        )
    }
    entries = []
    for message in report.messages:
        kind = RecordKind.NOTE if message.kind is MessageKind.NOTE else RecordKind.MESSAGE
        content = _open_object(key, kind, message.ciphertext)
        text = content.get("text") if content is not None else None
        # Records written before `author` was required may lack it; only a
        # contradiction makes a message unreliable.
        recorded_author = content.get("author") if content is not None else None
        entries.append(
            ThreadEntry(
                id=message.id,
                kind=message.kind,
                author=message.author_kind,
                author_name=names.get(message.author_user_id)
                if message.author_user_id is not None
                else None,
                created_hour=message.created_hour,
                text=text if isinstance(text, str) else None,
                reliable=recorded_author in (None, message.author_kind.value),
            )
        )
    return tuple(entries)


# ---------------------------------------------------------------- downloads


@dataclass(frozen=True)
class Download:
    info: AttachmentInfo
    chunks: Iterator[bytes]  # the plaintext, decrypted as it is read


def stream_attachment(
    session: Session,
    reference: str,
    attachment_id: int,
    user: User,
    private_key: PrivateKey,
    *,
    blob_store: BlobStore,
) -> Download:
    """An attachment decrypted chunk by chunk (constant memory). Audited as `case.download`.

    The audit entry is committed before the first byte is decrypted: a
    download that is started is a download that is recorded.
    """
    report = find_report(session, reference)
    key = case_key(session, report, user, private_key)
    attachment = session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.report_id == report.id)
    )
    if attachment is None:
        raise NotFound()
    with committing(session):
        append_audit(
            session,
            actor_user_id=user.id,
            action="case.download",
            target=case_target(report),
            details={"attachment": attachment.id},
        )
    source = blob_store.open_reader(attachment.blob_key)
    try:
        info, chunks = decrypted_download(key, source)
    except CryptoError:
        raise NotFound() from None
    return Download(info, chunks)
