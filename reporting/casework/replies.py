"""What an investigator writes on a case: replies to the reporter and internal notes.

A reply is a MESSAGE record the reporter's receipt opens, with optional
files encrypted under the report key as they are read from their sealed
spools, as a reporter's are; a note is a NOTE record, never shown on the
public site. Both are sealed before they reach the session, need the
author's own wrap of the case (reporting.cases.access `case_key`) and are
audited (`case.reply`, `case.note`). A reply to a new case acknowledges it:
the reporter has heard from a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack

from sqlalchemy.orm import Session

from crypto import PrivateKey, RecordKind, seal_record
from reporting.audit.log import append_audit
from reporting.cases.access import case_key
from reporting.casework.actions import acknowledge_by_reply
from reporting.casework.opening import case_target, find_report
from reporting.core.models import Author, Message, MessageKind, User, current_hour
from reporting.core.transactions import committing
from reporting.intake.attachment_files import PlainFile, encrypted_files
from reporting.intake.submissions import add_attachments
from reporting.intake.uploads import AdoptedUpload, PendingUploads

RECORD_FORMAT = 1


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
            # from their sealed spools, exactly as a reporter's are
            # (reporting.intake.attachment_files).
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
        if kind is MessageKind.MESSAGE:
            acknowledge_by_reply(session, report, user, hour)
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
