"""A case opened for a console user: decrypted in memory with the user's own wrap.

Access is having a wrap (docs/crypto.md): a user of another queue, a user
whose access was revoked and a role that does not work cases all get the same
CaseAccessDenied, before anything is decrypted. Every decryption (opening the
page, downloading a file) and every reply or note is audited; the audit
details carry counts and ids, never report content.

Nothing here writes plaintext anywhere: replies and notes are sealed under
the report key before they reach the session, attachments are decrypted
chunk by chunk into the response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
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
    seal_record,
    unwrap_report_key,
)
from reporting.audit.log import append_audit
from reporting.core.blobstore import BlobStore
from reporting.core.errors import CaseAccessDenied, NotFound, UnknownCaseReference
from reporting.core.models import (
    Attachment,
    Author,
    HolderKind,
    Message,
    MessageKind,
    PartKind,
    Report,
    User,
    Wrap,
    current_hour,
)
from reporting.core.transactions import committing
from reporting.intake.nojs import PlainFile, decrypted_download, encrypted_files
from reporting.intake.submissions import add_attachments
from reporting.intake.uploads import AdoptedUpload, PendingUploads
from reporting.pipeline.rescreen import StaleScreener, is_due, rescreen_case
from reporting.pipeline.worker import may_hold_wraps
from triage.screening import Screener

# Body members that say what the document is rather than what was reported.
_FRAME_KEYS = frozenset({"form", "format", "stage"})
# Characters of context shown either side of an indicator's evidence.
EVIDENCE_CONTEXT = 160
RECORD_FORMAT = 1


# ---------------------------------------------------------------- shapes


@dataclass(frozen=True)
class Segment:
    """A run of a field's text; `marked` runs are evidence a finding points at."""

    text: str
    marked: bool = False


@dataclass(frozen=True)
class ShownValue:
    """One value of a report field, split at the evidence offsets found in it."""

    path: str  # the triage path: "what_happened", "goods[0].code", "parts[1].narrative"
    name: str  # the member of a row ("code"), or "" for a plain value
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class ShownField:
    """A top-level field of a body: one row for a plain value, one per item of a list."""

    name: str
    rows: tuple[tuple[ShownValue, ...], ...]


@dataclass(frozen=True)
class OpenedPart:
    id: int
    kind: PartKind
    submitted_hour: datetime
    fields: tuple[ShownField, ...] | None  # None: the record does not open


@dataclass(frozen=True)
class ShownEvidence:
    path: str
    segments: tuple[Segment, ...]  # the evidence in its context, the evidence marked
    found: bool  # False: the span no longer matches the field (shown as recorded)


@dataclass(frozen=True)
class ShownIndicator:
    id: str
    title: str
    source: str
    category: str
    weight: int
    evidence: tuple[ShownEvidence, ...]


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


# ---------------------------------------------------------------- access


def find_report(session: Session, reference: str) -> Report:
    report = session.scalar(select(Report).where(Report.public_reference == reference))
    if report is None:
        raise UnknownCaseReference()
    return report


def case_key(session: Session, report: Report, user: User, private_key: PrivateKey) -> ReportKey:
    """The report key from the user's own wrap, or CaseAccessDenied."""
    if not may_hold_wraps(user.role, active=user.is_active):
        raise CaseAccessDenied()
    wrapped = session.scalar(
        select(Wrap.wrapped_key).where(
            Wrap.report_id == report.id,
            Wrap.holder_kind == HolderKind.USER,
            Wrap.user_id == user.id,
        )
    )
    if wrapped is None:
        raise CaseAccessDenied()
    try:
        return unwrap_report_key(wrapped, private_key)
    except CryptoError:
        # A wrap to an older key of the user's: as good as none.
        raise CaseAccessDenied() from None


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
    texts = _field_texts(body or {}, "")
    for index, (_part, part_body) in enumerate(part_bodies):
        texts.update(_field_texts(part_body or {}, f"parts[{index}]"))
    spans = _evidence_spans(findings)

    opened = OpenedCase(
        report=report,
        body=body,
        fields=_shown_fields(body, "", spans) if body is not None else None,
        parts=tuple(
            OpenedPart(
                part.id,
                part.kind,
                part.submitted_hour,
                _shown_fields(part_body, f"parts[{index}]", spans)
                if part_body is not None
                else None,
            )
            for index, (part, part_body) in enumerate(part_bodies)
        ),
        findings=findings,
        indicators=_shown_indicators(findings, texts),
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


# ---------------------------------------------------------------- evidence


def _field_texts(value: object, path: str) -> dict[str, str]:
    """Every string of a body by the path triage gives it (triage.extract.report_fields)."""
    out: dict[str, str] = {}
    if isinstance(value, str):
        out[path] = value
    elif isinstance(value, Mapping):
        for name, member in value.items():
            if isinstance(name, str):
                out.update(_field_texts(member, f"{path}.{name}" if path else name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.update(_field_texts(item, f"{path}[{index}]"))
    return out


def _evidence_list(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _evidence_spans(findings: Mapping[str, Any] | None) -> dict[str, list[tuple[int, int]]]:
    """The fired indicators' evidence spans, by field path."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for indicator in _evidence_list((findings or {}).get("indicators")):
        for evidence in _evidence_list(indicator.get("evidence")):
            path, start, end = evidence.get("field"), evidence.get("start"), evidence.get("end")
            if isinstance(path, str) and isinstance(start, int) and isinstance(end, int):
                spans.setdefault(path, []).append((start, end))
    return spans


def split_at_spans(text: str, spans: Sequence[tuple[int, int]]) -> tuple[Segment, ...]:
    """`text` cut into plain and marked runs; overlapping spans merge, bad spans are ignored."""
    valid = sorted((s, e) for s, e in spans if 0 <= s < e <= len(text))
    merged: list[tuple[int, int]] = []
    for start, end in valid:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    segments: list[Segment] = []
    position = 0
    for start, end in merged:
        if start > position:
            segments.append(Segment(text[position:start]))
        segments.append(Segment(text[start:end], marked=True))
        position = end
    if position < len(text) or not segments:
        segments.append(Segment(text[position:]))
    return tuple(segments)


def _shown_value(
    value: object, path: str, name: str, spans: Mapping[str, list[tuple[int, int]]]
) -> ShownValue | None:
    if isinstance(value, bool):
        return ShownValue(path, name, (Segment("Yes" if value else "No"),))
    if isinstance(value, str):
        if not value.strip():
            return None
        return ShownValue(path, name, split_at_spans(value, spans.get(path, ())))
    if isinstance(value, int | float):
        return ShownValue(path, name, (Segment(str(value)),))
    return None


def _shown_fields(
    body: Mapping[str, Any], prefix: str, spans: Mapping[str, list[tuple[int, int]]]
) -> tuple[ShownField, ...]:
    """A body's fields in their order, empty ones left out, evidence marked."""
    fields: list[ShownField] = []
    for name, value in body.items():
        if name in _FRAME_KEYS:
            continue
        path = f"{prefix}.{name}" if prefix else name
        rows: list[tuple[ShownValue, ...]] = []
        if isinstance(value, list):
            for index, item in enumerate(value):
                item_path = f"{path}[{index}]"
                if isinstance(item, Mapping):
                    row = [
                        shown
                        for member, member_value in item.items()
                        if (
                            shown := _shown_value(
                                member_value, f"{item_path}.{member}", str(member), spans
                            )
                        )
                        is not None
                    ]
                else:
                    single = _shown_value(item, item_path, "", spans)
                    row = [single] if single is not None else []
                if row:
                    rows.append(tuple(row))
        else:
            shown = _shown_value(value, path, "", spans)
            if shown is not None:
                rows.append((shown,))
        if rows:
            fields.append(ShownField(name, tuple(rows)))
    return tuple(fields)


def _shown_indicators(
    findings: Mapping[str, Any] | None, texts: Mapping[str, str]
) -> tuple[ShownIndicator, ...]:
    shown: list[ShownIndicator] = []
    for indicator in _evidence_list((findings or {}).get("indicators")):
        weight = indicator.get("weight")
        shown.append(
            ShownIndicator(
                id=str(indicator.get("id", "")),
                title=str(indicator.get("title", "")),
                source=str(indicator.get("source", "")),
                category=str(indicator.get("category", "")),
                weight=weight if isinstance(weight, int) else 0,
                evidence=tuple(
                    _shown_evidence(evidence, texts)
                    for evidence in _evidence_list(indicator.get("evidence"))
                ),
            )
        )
    return tuple(shown)


def _shown_evidence(evidence: Mapping[str, Any], texts: Mapping[str, str]) -> ShownEvidence:
    path = str(evidence.get("field", ""))
    start, end = evidence.get("start"), evidence.get("end")
    recorded = str(evidence.get("text", ""))
    text = texts.get(path)
    if (
        text is None
        or not isinstance(start, int)
        or not isinstance(end, int)
        or text[start:end] != recorded
        or start >= end
    ):
        return ShownEvidence(path, (Segment(recorded, marked=True),), found=False)
    window_start = max(0, start - EVIDENCE_CONTEXT)
    window_end = min(len(text), end + EVIDENCE_CONTEXT)
    segments = [
        Segment(text[window_start:start]),
        Segment(text[start:end], marked=True),
        Segment(text[end:window_end]),
    ]
    if window_start > 0:
        segments.insert(0, Segment("…"))
    if window_end < len(text):
        segments.append(Segment("…"))
    return ShownEvidence(path, tuple(s for s in segments if s.text), found=True)


# ---------------------------------------------------------------- writing


def _add_message(
    session: Session,
    reference: str,
    user: User,
    private_key: PrivateKey,
    *,
    kind: MessageKind,
    text: str,
    action: str,
    uploads: PendingUploads | None = None,
    files: Sequence[PlainFile] = (),
) -> Message:
    report = find_report(session, reference)
    key = case_key(session, report, user, private_key)
    if files and uploads is None:
        raise ValueError("files need the pending uploads to be encrypted into")
    record_kind = RecordKind.NOTE if kind is MessageKind.NOTE else RecordKind.MESSAGE
    payload = {"format": RECORD_FORMAT, "author": Author.INVESTIGATOR.value, "text": text}
    hour = current_hour()
    message = Message(
        report_id=report.id,
        author_kind=Author.INVESTIGATOR,
        author_user_id=user.id,
        kind=kind,
        ciphertext=seal_record(key, record_kind, payload),
        created_hour=hour,
        read_by_investigators=True,
    )
    with ExitStack() as stack:
        adopted: list[AdoptedUpload] = []
        if uploads is not None and files:
            # The files are encrypted under the report key as they are read
            # from their sealed spools, exactly as a reporter's are (reporting.intake.nojs).
            upload_ids = stack.enter_context(encrypted_files(uploads, key, files))
            adopted = stack.enter_context(uploads.adopt(upload_ids))
        stack.enter_context(committing(session))
        session.add(message)
        session.flush()
        add_attachments(
            session,
            report.id,
            adopted,
            author=Author.INVESTIGATOR,
            hour=hour,
            message_id=message.id,
        )
        report.last_investigator_activity_hour = hour
        append_audit(
            session,
            actor_user_id=user.id,
            action=action,
            target=case_target(report),
            details={"message": message.id, "attachments": len(adopted)},
        )
    return message


def add_reply(
    session: Session,
    reference: str,
    user: User,
    private_key: PrivateKey,
    text: str,
    *,
    uploads: PendingUploads | None = None,
    files: Sequence[PlainFile] = (),
) -> Message:
    """A reply to the reporter: a MESSAGE record their receipt opens. Audited as `case.reply`.

    Its files (optional) are encrypted under the report key, and the
    reporter can download them from the follow-up page.
    """
    return _add_message(
        session,
        reference,
        user,
        private_key,
        kind=MessageKind.MESSAGE,
        text=text,
        action="case.reply",
        uploads=uploads,
        files=files,
    )


def add_note(
    session: Session, reference: str, user: User, private_key: PrivateKey, text: str
) -> Message:
    """An internal note: a NOTE record, never shown on the public site. Audited as `case.note`."""
    return _add_message(
        session,
        reference,
        user,
        private_key,
        kind=MessageKind.NOTE,
        text=text,
        action="case.note",
    )


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
