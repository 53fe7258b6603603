"""A reporter's way back to their case, by the lookup token derived from the receipt.

The server never sees the receipt, only the token, and stores only a hash of
it. Whoever holds the token may read the case's ciphertext, add messages and
attachments, and file a disclosure's later stages; reading needs the
reporter's private key as well, which only the receipt yields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crypto import ATTACHMENT_INFO_SIZE, lookup_hash
from reporting.cases.deadlines import Deadline, pending_deadlines, refresh_next_due
from reporting.core import clock
from reporting.core.blobstore import BlobStore
from reporting.core.errors import (
    CaseNotFound,
    Conflict,
    NotFound,
    TooManyFailedLookups,
    translatable,
)
from reporting.core.models import (
    Attachment,
    Author,
    HolderKind,
    IntakeType,
    Message,
    MessageKind,
    PartKind,
    Report,
    ReportPart,
    current_hour,
)
from reporting.core.transactions import committing
from reporting.intake.submissions import add_attachments
from reporting.intake.uploads import PendingUploads


class LookupFailures(Protocol):
    """The budget of failed lookups shared by everybody (reporting/public/limits.py)."""

    def spend(self) -> bool:
        """Count a failed lookup; False once the budget is used up."""
        ...


def find_case(session: Session, token: bytes, *, delay: float, failures: LookupFailures) -> Report:
    """The case of a lookup token, or CaseNotFound after `delay` seconds.

    One answer, one delay, whether the token is unknown or was never issued,
    so guessing learns nothing and, within the budget, is slow. The budget of failed lookups is
    consulted only once the lookup has failed: a flood of wrong tokens can use
    it up, but never stands between a right token and its case. Past the
    budget a failure is refused at once (TooManyFailedLookups), so a flood
    cannot hold the server's workers in the delay either.
    """
    report = session.scalar(select(Report).where(Report.lookup_hash == lookup_hash(token)))
    if report is None:
        if not failures.spend():
            raise TooManyFailedLookups()
        clock.sleep(delay)
        raise CaseNotFound()
    return report


@dataclass(frozen=True)
class CaseMessage:
    id: int
    author: Author
    created_hour: datetime
    record: bytes


@dataclass(frozen=True)
class CasePart:
    id: int
    kind: PartKind
    submitted_hour: datetime
    body: bytes


@dataclass(frozen=True)
class CaseAttachment:
    id: int
    size: int
    author: Author
    message_id: int | None
    part_id: int | None


@dataclass(frozen=True)
class CaseView:
    """What the reporter may see of a case: never investigators' notes or their files."""

    report: Report
    reporter_wrap: bytes
    parts: list[CasePart]
    messages: list[CaseMessage]
    attachments: list[CaseAttachment]
    # Only the deadlines still ahead: an acknowledged case owes no acknowledgement,
    # a closed one nothing (reporting.cases.deadlines).
    deadlines: list[Deadline]


def reporter_wrap(report: Report) -> bytes:
    return next(
        wrap.wrapped_key for wrap in report.wraps if wrap.holder_kind is HolderKind.REPORTER
    )


def case_view(session: Session, report: Report) -> CaseView:
    """The reporter's view of the case; investigators' messages are marked read."""
    messages = _shown_messages(report)
    view = CaseView(
        report=report,
        reporter_wrap=reporter_wrap(report),
        parts=[
            CasePart(part.id, part.kind, part.submitted_hour, part.body) for part in report.parts
        ],
        messages=[
            CaseMessage(message.id, message.author_kind, message.created_hour, message.ciphertext)
            for message in messages
        ],
        attachments=[
            CaseAttachment(a.id, a.ciphertext_size, a.author_side, a.message_id, a.part_id)
            for a in _visible_attachments(report)
        ],
        deadlines=pending_deadlines(
            report, has_narrative=any(part.kind is PartKind.NARRATIVE for part in report.parts)
        ),
    )
    unread = [
        message.id
        for message in messages
        if message.author_kind is Author.INVESTIGATOR and not message.read_by_reporter
    ]
    if unread:
        session.execute(update(Message).where(Message.id.in_(unread)).values(read_by_reporter=True))
        session.commit()
    return view


def add_message(
    session: Session,
    uploads: PendingUploads,
    report: Report,
    record: bytes,
    upload_ids: Sequence[str],
) -> Message:
    """A reporter's message (a MESSAGE record under the case's key) and its attachments."""
    hour = current_hour()
    message = Message(
        report_id=report.id,
        author_kind=Author.REPORTER,
        kind=MessageKind.MESSAGE,
        ciphertext=record,
        created_hour=hour,
    )
    with uploads.adopt(upload_ids) as adopted, committing(session):
        session.add(message)
        session.flush()
        add_attachments(
            session, report.id, adopted, author=Author.REPORTER, hour=hour, message_id=message.id
        )
        report.last_reporter_activity_hour = hour
        # In SQL, so that two arrivals at once both count (investigators' unread markers).
        report.reporter_activity = Report.reporter_activity + 1
    return message


def add_part(
    session: Session,
    uploads: PendingUploads,
    report: Report,
    *,
    kind: PartKind,
    body: bytes,
    upload_ids: Sequence[str],
    server_saw_plaintext: bool,
) -> ReportPart:
    """A later stage of a disclosure: its full narrative (once) or a supplement."""
    if report.intake_type is not IntakeType.DISCLOSURE:
        raise Conflict(translatable("Only a voluntary self-disclosure has later stages."))
    if kind is PartKind.NARRATIVE and any(part.kind is PartKind.NARRATIVE for part in report.parts):
        raise Conflict(
            translatable("The full narrative was already filed. Send a supplement instead.")
        )
    hour = current_hour()
    part = ReportPart(
        report_id=report.id,
        kind=kind,
        body=body,
        server_saw_plaintext=server_saw_plaintext,
        submitted_hour=hour,
    )
    with uploads.adopt(upload_ids) as adopted, committing(session):
        session.add(part)
        session.flush()
        add_attachments(
            session, report.id, adopted, author=Author.REPORTER, hour=hour, part_id=part.id
        )
        report.last_reporter_activity_hour = hour
        # In SQL, so that two arrivals at once both count (investigators' unread markers).
        report.reporter_activity = Report.reporter_activity + 1
        if kind is PartKind.NARRATIVE:
            refresh_next_due(report, has_narrative=True)
    return part


def open_case_attachment(blob_store: BlobStore, report: Report, attachment_id: int) -> BinaryIO:
    """The ciphertext of an attachment the reporter may see, for streaming."""
    for attachment in _visible_attachments(report):
        if attachment.id == attachment_id:
            return blob_store.open_reader(attachment.blob_key)
    raise NotFound()


def attachment_heads(blob_store: BlobStore, view: CaseView) -> dict[int, bytes]:
    """The first bytes of each file the reporter sees: enough to open its name, type and size.

    So that the reporter's browser shows each file as it was sent (its name,
    its size) without downloading it whole.
    """
    blob_keys = {attachment.id: attachment.blob_key for attachment in view.report.attachments}
    heads = {}
    for attachment in view.attachments:
        with blob_store.open_reader(blob_keys[attachment.id]) as source:
            heads[attachment.id] = source.read(ATTACHMENT_INFO_SIZE)
    return heads


def _shown_messages(report: Report) -> list[Message]:
    return [message for message in report.messages if message.kind is MessageKind.MESSAGE]


def _visible_attachments(report: Report) -> list[Attachment]:
    """The first submission's, the parts' and the messages' files, but no note's."""
    shown = {message.id for message in _shown_messages(report)}
    return [a for a in report.attachments if a.message_id is None or a.message_id in shown]
