"""Retention: closed cases are deleted, with everything they hold, once the period is over.

The period is VIGIL_RETENTION_DAYS; `vigil retention purge` (run daily) and
the console's retention page run the same purge.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reporting.audit.log import append_audit
from reporting.core.blobstore import BlobStore, BlobStoreError
from reporting.core.models import (
    Attachment,
    Message,
    Queue,
    Report,
    ReportPart,
    ReportStatus,
    Wrap,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeCandidate:
    report_id: int
    reference: str
    closed_hour: datetime
    queue: str | None


@dataclass
class PurgeSummary:
    purged: list[str] = field(default_factory=list)  # public references
    wraps: int = 0
    messages: int = 0
    parts: int = 0
    attachments: int = 0
    blobs_deleted: int = 0
    # Blob keys whose deletion failed; they stay pending for the next run.
    blobs_pending: list[str] = field(default_factory=list)


def retention_cutoff(now: datetime, older_than: timedelta) -> datetime:
    """Cases closed in an hour that ended at or before this moment are due.

    `closed_hour` is the hour the case was closed in; the whole hour must lie
    more than `older_than` in the past, so no case is purged early.
    """
    return now - older_than - timedelta(hours=1)


def closed_cases_due(
    session: Session, *, older_than: timedelta, now: datetime
) -> list[PurgeCandidate]:
    """The closed cases a purge at `now` would delete, oldest first."""
    rows = session.execute(
        select(Report.id, Report.public_reference, Report.closed_hour, Queue.slug)
        .outerjoin(Queue, Queue.id == Report.queue_id)
        .where(
            Report.status == ReportStatus.CLOSED,
            Report.closed_hour.is_not(None),
            Report.closed_hour <= retention_cutoff(now, older_than),
        )
        .order_by(Report.closed_hour, Report.id)
    ).tuples()
    return [
        PurgeCandidate(report_id, reference, closed_hour, slug)
        for report_id, reference, closed_hour, slug in rows
        if closed_hour is not None
    ]


def _delete_blobs(
    session: Session, blob_store: BlobStore, keys: Sequence[str]
) -> tuple[int, list[str]]:
    """Delete the blobs no attachment row names; (deleted, still pending)."""
    deleted, pending = 0, []
    for key in keys:
        # A key still named by a row belongs to a purge whose commit failed:
        # the row stays, so its blob must stay too.
        if session.scalar(select(Attachment.id).where(Attachment.blob_key == key)) is not None:
            continue
        try:
            blob_store.delete(key)
        except (OSError, BlobStoreError) as error:
            log.warning(
                "retention: blob %s not deleted (%s); retried next run", key, type(error).__name__
            )
            pending.append(key)
        else:
            deleted += 1
    return deleted, pending


def _count(session: Session, model: type[Any], report_id: int) -> int:
    column = model.__table__.c.report_id
    return session.scalar(select(func.count()).where(column == report_id)) or 0


def purge_closed_cases(
    session: Session,
    blob_store: BlobStore,
    *,
    older_than: timedelta,
    now: datetime,
    actor_user_id: int | None,
) -> PurgeSummary:
    """Delete the cases closed longer ago than `older_than`, with everything they hold.

    Each case goes in its own transaction: its attachment, message, part and
    wrap rows and the report row (ciphertext) are deleted and one
    `report.purge` audit entry records the reference and the counts (no
    content). The attachment blobs are deleted after the commit, so a failed
    commit never leaves a row pointing at a deleted blob; their keys are first
    recorded in the store's pending deletions (held by one purge at a time),
    and a blob that cannot be deleted stays listed there and is retried by
    the next run.
    """
    summary = PurgeSummary()
    with blob_store.pending_deletions() as pending_deletions:
        pending = pending_deletions.keys()
        for candidate in closed_cases_due(session, older_than=older_than, now=now):
            keys = list(
                session.scalars(
                    select(Attachment.blob_key).where(Attachment.report_id == candidate.report_id)
                )
            )
            if keys:
                pending = list(dict.fromkeys([*pending, *keys]))
                pending_deletions.replace(pending)
            counts = {
                "wraps": _count(session, Wrap, candidate.report_id),
                "messages": _count(session, Message, candidate.report_id),
                "parts": _count(session, ReportPart, candidate.report_id),
                "attachments": len(keys),
            }
            # Children first: the database would cascade, but saying so here
            # does not depend on SQLite's foreign-key pragma being on.
            for model in (Attachment, Message, ReportPart, Wrap):
                session.execute(delete(model).where(model.report_id == candidate.report_id))
            removed = session.execute(
                delete(Report).where(
                    Report.id == candidate.report_id, Report.status == ReportStatus.CLOSED
                )
            )
            if removed.rowcount != 1:  # type: ignore[attr-defined]
                # Reopened, or purged by someone else, since it was listed.
                session.rollback()
                continue
            append_audit(
                session,
                actor_user_id=actor_user_id,
                action="report.purge",
                target=f"report:{candidate.report_id}",
                details={
                    "reference": candidate.reference,
                    "closed_hour": candidate.closed_hour.isoformat(),
                    "retention_days": older_than.days,
                    **counts,
                },
            )
            session.commit()
            summary.purged.append(candidate.reference)
            summary.wraps += counts["wraps"]
            summary.messages += counts["messages"]
            summary.parts += counts["parts"]
            summary.attachments += counts["attachments"]
        summary.blobs_deleted, summary.blobs_pending = _delete_blobs(session, blob_store, pending)
        pending_deletions.replace(summary.blobs_pending)
    return summary
