"""Storing a new report: one transaction for the case, its wraps and its attachments.

The same function stores a report sealed in the browser (the JSON API) and one
sealed by the server for a browser without JavaScript (reporting.intake.nojs); only
`server_saw_plaintext` differs. A report is acknowledged only after its commit,
so a reporter who holds a receipt holds a case that survives a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from crypto import CryptoError, ReportEnvelope, lookup_hash
from reporting.cases.deadlines import deadlines, refresh_next_due
from reporting.core.errors import InvalidSubmission
from reporting.core.models import (
    Attachment,
    Author,
    HolderKind,
    IntakeType,
    Report,
    Wrap,
    current_hour,
)
from reporting.core.transactions import committing
from reporting.intake import payloads
from reporting.intake.uploads import AdoptedUpload, PendingUploads


@dataclass(frozen=True, repr=False)
class NewReport:
    intake_type: IntakeType
    envelope: ReportEnvelope
    lookup_token: bytes
    upload_ids: tuple[str, ...]
    server_saw_plaintext: bool


def parse_new_report(data: object, *, max_attachments: int) -> tuple[NewReport, object]:
    """A `POST /api/reports` body as a NewReport and its proof of work (unchecked)."""
    fields = payloads.members(
        data, ("intake_type", "envelope", "lookup_token"), ("attachments", "pow")
    )
    try:
        intake_type = IntakeType(str(fields["intake_type"]))
        envelope = ReportEnvelope.from_json(fields["envelope"])
    except (ValueError, CryptoError):
        raise InvalidSubmission() from None
    # from_json checked the structure; the size is ours to bound.
    if len(envelope.body) > payloads.MAX_RECORD_BYTES:
        raise InvalidSubmission()
    new = NewReport(
        intake_type=intake_type,
        envelope=envelope,
        lookup_token=payloads.lookup_token(fields),
        upload_ids=payloads.upload_ids(fields, limit=max_attachments),
        server_saw_plaintext=False,
    )
    return new, fields.get("pow")


def add_attachments(
    session: Session,
    report_id: int,
    adopted: list[AdoptedUpload],
    *,
    author: Author,
    hour: datetime,
    message_id: int | None = None,
    part_id: int | None = None,
) -> None:
    for upload in adopted:
        session.add(
            Attachment(
                report_id=report_id,
                message_id=message_id,
                part_id=part_id,
                blob_key=upload.blob_key,
                ciphertext_size=upload.size,
                author_side=author,
                created_hour=hour,
            )
        )


def create_report(session: Session, uploads: PendingUploads, new: NewReport) -> Report:
    """Store the report, its two wraps and its attachments, and commit; all or nothing.

    The report comes back detached: its columns are loaded, its relationships are not.
    """
    hour = current_hour()
    report = Report(
        intake_type=new.intake_type,
        lookup_hash=lookup_hash(new.lookup_token),
        body=new.envelope.body,
        server_saw_plaintext=new.server_saw_plaintext,
        received_hour=hour,
        last_reporter_activity_hour=hour,
        **deadlines(new.intake_type, hour),
    )
    refresh_next_due(report, has_narrative=False)
    with uploads.adopt(new.upload_ids) as adopted, committing(session):
        session.add(report)
        session.flush()
        # Core, not the unit of work: the two wraps are the hot path of every
        # submission and need no identity map.
        session.execute(
            insert(Wrap),
            [
                {
                    "report_id": report.id,
                    "holder_kind": HolderKind.INTAKE,
                    "wrapped_key": new.envelope.intake_wrap,
                    "created_hour": hour,
                },
                {
                    "report_id": report.id,
                    "holder_kind": HolderKind.REPORTER,
                    "wrapped_key": new.envelope.reporter_wrap,
                    "created_hour": hour,
                },
            ],
        )
        add_attachments(session, report.id, adopted, author=Author.REPORTER, hour=hour)
        # Out of the session before the commit, so that the commit does not
        # expire what the receipt shows (reference, deadlines) and cost a
        # query per submission to load it again.
        session.expunge(report)
    return report
