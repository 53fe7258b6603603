"""Claiming reports for triage, and retrying the ones that fail.

A report waiting for triage is taken by one worker at a time: the worker
**claims** it in a short transaction of its own, committed at once, so that
other workers see the claim: `triage_state` becomes `claimed` with
`claimed_by` (the worker's name) and `claimed_at`. A claim older than
`stale_after` (CLAIM_TIMEOUT by default) belongs to a worker that died, and
another worker may take the report over. Every later write of the worker
requires the claim to be exactly its own (`claim_is`).

Claiming, per backend:

- **PostgreSQL**: `UPDATE reports SET <claim> WHERE id = (SELECT id ... ORDER
  BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id`. Each worker locks a
  different row instead of queueing behind the first; a row another worker
  has just claimed (and committed) fails the re-check of the WHERE clause
  after the lock and is passed over.
- **SQLite**: the same single UPDATE statement (SQLite has no row locks and
  SQLAlchemy leaves FOR UPDATE out). It is the transaction's first statement,
  so SQLite takes the database's write lock before it reads the candidate
  row: the select and the update see one state, and a second worker waits
  (busy timeout) and then selects the next row.

A report that fails (a damaged intake wrap, nobody who may receive it) keeps
its claim and is tried again, by any worker, with a growing wait: the first
retry after CLAIM_TIMEOUT, each later one after twice the last wait, at most
RETRY_MAX apart (`retry_delay`). The attempts are counted on the report
(`triage_attempts`, `triage_retry_at`, `triage_error`, migration 0007); a
failure is audited (`report.triage_failed`) the first time and whenever its
kind (the error's class) changes, not at every retry (`record_failure`), and
admins see the failing reports counted on their dashboard (`triage_health`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningUpdate
from sqlalchemy.sql.elements import ColumnElement

from reporting.audit.log import append_audit
from reporting.core import clock
from reporting.core.models import Report, TriageState, round_to_hour

# A report takes milliseconds to triage; a claim this old belongs to a worker
# that died (or hangs), and another worker may take the report over.
CLAIM_TIMEOUT = timedelta(minutes=5)
# The longest wait between two attempts at a report that keeps failing: long
# enough that a permanent failure costs a few attempts an hour, short enough
# that one an operator fixed (a queue given a member) goes through soon.
RETRY_MAX = timedelta(hours=1)
MAX_WORKER_NAME = 200  # reports.claimed_by


@dataclass(frozen=True)
class Claim:
    report_id: int
    worker: str
    claimed_at: datetime


def retry_delay(attempts: int, first: timedelta = CLAIM_TIMEOUT) -> timedelta:
    """The wait after a report's `attempts`-th failed attempt: doubling, at most RETRY_MAX."""
    doublings = max(0, min(attempts - 1, 20))
    delay: timedelta = first * (1 << doublings)
    return min(delay, max(RETRY_MAX, first))


def _claimable(now: datetime, stale_after: timedelta, *, hold: bool) -> ColumnElement[bool]:
    waiting = Report.triage_state == TriageState.PENDING
    if hold:
        # Only once the hour it arrived in is over: the claim time and the
        # audit entry's time then date the report no closer than
        # received_hour does (a claim seconds after a submission would date
        # it to the second, and the audit log keeps its times for ever).
        waiting = and_(waiting, Report.received_hour < round_to_hour(now))
    return or_(
        waiting,
        and_(
            Report.triage_state == TriageState.CLAIMED,
            Report.claimed_at < now - stale_after,
            # A report that failed waits for its retry (`retry_delay`).
            or_(Report.triage_retry_at.is_(None), Report.triage_retry_at <= now),
        ),
    )


def claim_statement(
    worker: str, now: datetime, stale_after: timedelta, *, hold: bool = True
) -> ReturningUpdate[Any]:
    """The one statement that claims a report (see the module docstring)."""
    claimable = _claimable(now, stale_after, hold=hold)
    candidate = (
        select(Report.id)
        .where(claimable)
        .order_by(Report.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        update(Report)
        .where(Report.id == candidate, claimable)
        .values(triage_state=TriageState.CLAIMED, claimed_at=now, claimed_by=worker)
        .returning(Report.id)
    )


def claim_next(
    engine: Engine,
    *,
    worker: str,
    stale_after: timedelta = CLAIM_TIMEOUT,
    now: datetime | None = None,
    hold: bool = True,
) -> Claim | None:
    """Claim the oldest report waiting for triage (or claimed longer than `stale_after`).

    With `hold` (the default) a report waits until the hour it was received
    in has passed (see `_claimable`); without it, reports are taken at once.

    Commits the claim at once; None when there is nothing to claim. See the
    module docstring for why this is safe with several workers on each backend.
    """
    if not 0 < len(worker) <= MAX_WORKER_NAME:
        raise ValueError(f"a worker name has 1 to {MAX_WORKER_NAME} characters")
    now = now or clock.now()
    with engine.begin() as connection:
        report_id = connection.execute(
            claim_statement(worker, now, stale_after, hold=hold)
        ).scalar_one_or_none()
    return None if report_id is None else Claim(report_id, worker, now)


def claim_is(claim: Claim) -> ColumnElement[bool]:
    """The report row is claimed, and by exactly this claim (same worker, same time)."""
    return and_(
        Report.id == claim.report_id,
        Report.triage_state == TriageState.CLAIMED,
        Report.claimed_by == claim.worker,
        Report.claimed_at == claim.claimed_at,
    )


# ---------------------------------------------------------------- failures


@dataclass(frozen=True)
class Failure:
    attempts: int  # failed attempts so far, this one included
    retry_at: datetime
    audited: bool  # False: the same kind of failure as last time, already audited


def record_failure(
    engine: Engine,
    claim: Claim,
    error: BaseException,
    *,
    first_delay: timedelta = CLAIM_TIMEOUT,
    now: datetime | None = None,
) -> Failure | None:
    """Count a failed attempt, set the next one back (`retry_delay`) and audit a new kind.

    Only the error's class name is kept and audited (a message may quote the
    report). An attempt of the same class as the last one is not audited
    again: a report that cannot be opened makes one audit entry, not one per
    retry. None when the claim is no longer ours (nothing written).
    """
    now = now or clock.now()
    kind = type(error).__name__[:100]
    with Session(engine) as session:
        try:
            previous = session.execute(
                select(Report.triage_attempts, Report.triage_error).where(claim_is(claim))
            ).one_or_none()
            if previous is None:
                return None
            attempts = previous.triage_attempts + 1
            failure = Failure(
                attempts, now + retry_delay(attempts, first_delay), kind != previous.triage_error
            )
            session.execute(
                update(Report)
                .where(claim_is(claim))
                .values(
                    triage_attempts=attempts, triage_retry_at=failure.retry_at, triage_error=kind
                )
                .execution_options(synchronize_session=False)
            )
            if failure.audited:
                append_audit(
                    session,
                    actor_user_id=None,
                    action="report.triage_failed",
                    target=f"report:{claim.report_id}",
                    details={"worker": claim.worker, "error": kind, "attempts": attempts},
                )
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return failure


@dataclass(frozen=True)
class TriageHealth:
    """What the dashboard tells admins about triage: counts only."""

    waiting: int  # not triaged yet, never failed
    failing: int  # not triaged, and at least one attempt failed
    attempts: int  # failed attempts over the failing reports


def triage_health(session: Session) -> TriageHealth:
    pending = Report.triage_state != TriageState.DONE
    waiting = session.scalar(
        select(func.count()).select_from(Report).where(pending, Report.triage_attempts == 0)
    )
    failing, attempts = session.execute(
        select(func.count(), func.coalesce(func.sum(Report.triage_attempts), 0)).where(
            pending, Report.triage_attempts > 0
        )
    ).one()
    return TriageHealth(waiting or 0, int(failing), int(attempts))
