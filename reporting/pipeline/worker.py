"""The triage worker: claim a new report, open it in memory, triage it, grant access.

The worker is the only holder of the intake private key (docs/architecture.md). For
each report it:

1. **claims** it in a short transaction of its own, committed at once, so
   that other workers see the claim: `triage_state` becomes `claimed` with
   `claimed_by` (the worker's name) and `claimed_at`;
2. **reads** the report, opens the intake wrap and the BODY records (the
   first submission and any disclosure parts already there) in memory, and
   runs the triage function on them;
3. **writes** everything in ONE transaction: the plaintext metadata
   (categories, domains, priority, queue, rule and list versions), the
   FINDINGS record under the report key, a wrap for each eligible member of
   the routed queue, the deletion of the intake wrap, `triage_state = done`
   with the claim cleared, and an audit entry. A crash or an error anywhere
   before the commit leaves none of it: the report stays claimed and is
   claimed again once the claim is older than `stale_after`.

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

The write transaction cannot double-triage either: its first statement is
an UPDATE whose WHERE clause requires the claim to be exactly ours (same
worker name and claim time). If a slow worker's claim went stale and another
worker took the report over, the slow worker's UPDATE matches no row and it
rolls back; if both get that far, the intake wrap's DELETE (which must
remove exactly one row) stops the second.

A report that fails (a damaged intake wrap, nobody who may receive it) keeps
its claim and is tried again, by any worker, with a growing wait: the first
retry after CLAIM_TIMEOUT, each later one after twice the last wait, at most
RETRY_MAX apart (`retry_delay`). The attempts are counted on the report
(`triage_attempts`, `triage_retry_at`, `triage_error`, migration 0007); a
failure is audited (`report.triage_failed`) the first time and whenever its
kind (the error's class) changes, not at every retry, and admins see the
failing reports counted on their dashboard (`triage_health`).

Nothing the report says is logged or audited: log lines and audit entries
carry report ids, queue slugs, priorities, user ids and error class names.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningUpdate
from sqlalchemy.sql.elements import ColumnElement

from crypto import (
    PrivateKey,
    PublicKey,
    RecordKind,
    ReportKey,
    open_record,
    seal_record,
    unwrap_report_key,
    wrap_report_key,
)
from reporting.audit.log import append_audit
from reporting.core import clock
from reporting.core.models import (
    CASE_ROLES,
    DeclaredConflict,
    HolderKind,
    IntakeType,
    Priority,
    Queue,
    QueueMembership,
    Report,
    ReportPart,
    Role,
    TriageState,
    User,
    Wrap,
    current_hour,
    round_to_hour,
)
from reporting.pipeline.routing_rules import current_ruleset
from reporting.pipeline.screening_lists import CurrentScreener
from triage.model import Assessment, TriageResult
from triage.pipeline import run_triage
from triage.routing import Ruleset, conflicted

log = logging.getLogger("vigil.triage")

# A report takes milliseconds to triage; a claim this old belongs to a worker
# that died (or hangs), and another worker may take the report over.
CLAIM_TIMEOUT = timedelta(minutes=5)
# The longest wait between two attempts at a report that keeps failing: long
# enough that a permanent failure costs a few attempts an hour, short enough
# that one an operator fixed (a queue given a member) goes through soon.
RETRY_MAX = timedelta(hours=1)
POLL_SECONDS = 5.0
MAX_WORKER_NAME = 200  # reports.claimed_by


class TriageWorkerError(Exception):
    """A report cannot be triaged as stored (no intake wrap, unknown queue...)."""


class NoEligibleHolder(TriageWorkerError):
    """Nobody may be given the report: deleting the intake wrap would lock everyone out."""


class IneligibleHolder(TriageWorkerError):
    """A wrap was about to be made for a user who may not hold one (`may_hold_wraps`)."""


@dataclass(frozen=True)
class Claim:
    report_id: int
    worker: str
    claimed_at: datetime


@dataclass(frozen=True, repr=False)
class OpenedReport:
    """A report opened in memory. No repr of the content: it must not reach a log."""

    report_id: int
    intake_type: IntakeType
    body: Mapping[str, Any]
    parts: tuple[Mapping[str, Any], ...]  # later disclosure stages, oldest first

    def __repr__(self) -> str:
        return f"OpenedReport(report_id={self.report_id})"

    def document(self) -> dict[str, Any]:
        """What the pipeline reads: the body, with the later disclosure stages under `parts`."""
        return {**self.body, "parts": list(self.parts)} if self.parts else dict(self.body)

    def party_names(self) -> list[str]:
        """The parties the forms name: party rows, and the disclosing company."""
        names = [str(row.get("name", "")) for row in _rows(self.body.get("parties"))]
        if self.intake_type is IntakeType.DISCLOSURE:
            names.append(str(self.body.get("company", "")))
        return [name for name in names if name.strip()]

    def conflict_names(self) -> list[str]:
        """The people the reporter asked to keep away from the report."""
        names = self.body.get("conflicts", [])
        return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def _rows(value: object) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


# The triage pipeline as the worker sees it: the worker loads the current
# rule set for each report, so rule edits apply from the next report on.
TriageFunction = Callable[[OpenedReport, Ruleset], TriageResult]


class InstanceTriage:
    """The pipeline over the instance's current screening lists.

    The screener is rebuilt when `vigil lists import` brings a new version
    (reporting.pipeline.screening_lists.CurrentScreener), so a running worker screens
    against the lists a report's `list_versions` will name.
    """

    def __init__(self, engine: Engine) -> None:
        self.screener = CurrentScreener(engine)

    def __call__(self, report: OpenedReport, ruleset: Ruleset) -> TriageResult:
        return run_triage(
            report.document(),
            intake_type=report.intake_type.value,
            screener=self.screener(),
            ruleset=ruleset,
        )


@dataclass
class WorkerStats:
    triaged: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)


# ---------------------------------------------------------------- claiming


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


def _claim_is(claim: Claim) -> ColumnElement[bool]:
    return and_(
        Report.id == claim.report_id,
        Report.triage_state == TriageState.CLAIMED,
        Report.claimed_by == claim.worker,
        Report.claimed_at == claim.claimed_at,
    )


# ---------------------------------------------------------------- triage of one report


def may_hold_wraps(role: Role, *, active: bool) -> bool:
    """Whether a user may be given a wrap, that is access to a report.

    Only an active investigator or supervisor (CASE_ROLES). An administrator
    or an auditor never is, even as a queue member, and a user who becomes
    one loses the wraps they held (reporting.admin.administration.change_role):
    holding a wrap is being able to decrypt, whatever the console would
    show. Every decision on who gets a wrap (`eligible_users`) and the one
    function that makes one (`user_wrap`) apply this.
    """
    return active and role in CASE_ROLES


def may_hold_wraps_clause() -> ColumnElement[bool]:
    """`may_hold_wraps` as a condition on the users table, for queries."""
    return and_(User.is_active.is_(True), User.role.in_(sorted(CASE_ROLES)))


def user_wrap(
    session: Session, report_id: int, key: ReportKey, user_id: int, hour: datetime
) -> Wrap:
    """Access to a report for one user: its key sealed to their current public key.

    Every user wrap is made here (triage, re-screening, re-routing, granting),
    so the rule of `may_hold_wraps` is enforced here whatever the caller
    decided: the user is read in the writing transaction, locked against a
    concurrent role change on PostgreSQL (SQLite's write lock, taken by the
    caller's first write, serialises it there), and refused with
    IneligibleHolder if they may not hold a wrap.
    """
    row = session.execute(
        select(User.role, User.is_active, User.public_key)
        .where(User.id == user_id)
        .with_for_update()
    ).one_or_none()
    if row is None or not may_hold_wraps(row.role, active=row.is_active):
        raise IneligibleHolder(f"user {user_id} may not hold a wrap of report {report_id}")
    return Wrap(
        report_id=report_id,
        holder_kind=HolderKind.USER,
        user_id=user_id,
        wrapped_key=wrap_report_key(key, PublicKey(row.public_key)),
        created_hour=hour,
    )


@dataclass(frozen=True)
class AccessPlan:
    queue_id: int
    queue_slug: str
    grants: tuple[int, ...]  # user ids
    excluded: int


def open_claimed(
    session: Session, claim: Claim, intake_key: PrivateKey
) -> tuple[ReportKey, OpenedReport] | None:
    """The report key and the opened report, or None if the claim is no longer ours."""
    report = session.scalar(select(Report).where(_claim_is(claim)))
    if report is None:
        return None
    wrap = session.scalar(
        select(Wrap.wrapped_key).where(
            Wrap.report_id == report.id, Wrap.holder_kind == HolderKind.INTAKE
        )
    )
    if wrap is None:
        raise TriageWorkerError(f"report {report.id} has no intake wrap")
    key = unwrap_report_key(wrap, intake_key)
    return key, open_report(session, report, key)


def open_report(session: Session, report: Report, key: ReportKey) -> OpenedReport:
    """Open a report's BODY record and its disclosure parts in memory, with its key.

    Shared by the worker (key from the intake wrap) and re-screening (key from
    an investigator's wrap: reporting.pipeline.rescreen).
    """
    body = open_record(key, RecordKind.BODY, report.body)
    parts = [
        open_record(key, RecordKind.BODY, part_body)
        for part_body in session.scalars(
            select(ReportPart.body).where(ReportPart.report_id == report.id).order_by(ReportPart.id)
        )
    ]
    if not isinstance(body, dict) or not all(isinstance(part, dict) for part in parts):
        raise TriageWorkerError(f"report {report.id}: a BODY record is not a JSON object")
    return OpenedReport(report.id, report.intake_type, body, tuple(parts))


def active_queue_members(session: Session, queue_id: int) -> list[User]:
    """The queue's active members, by id: whom a report routed there is sealed to."""
    return list(
        session.scalars(
            select(User)
            .join(QueueMembership, QueueMembership.user_id == User.id)
            .where(QueueMembership.queue_id == queue_id, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def eligible_users(
    session: Session,
    users: Sequence[User],
    *,
    reporter_conflicts: Sequence[str],
    parties: Sequence[str],
) -> tuple[list[User], int]:
    """Those of `users` who may hold the report, and how many were kept away by a conflict.

    Only users who may hold wraps at all count (`may_hold_wraps`: an
    administrator in a queue is passed over, and not counted as kept away).
    A user is kept away when a name the reporter listed (`reporter_conflicts`)
    may be theirs, or a party they declared a conflict with may be one of the
    report's `parties` (triage.routing.conflicted). Shared with the console's
    re-routing and granting (reporting.cases.actions), so every way of giving a
    user a wrap applies the same exclusions.
    """
    users = [user for user in users if may_hold_wraps(user.role, active=user.is_active)]
    declared: dict[int, list[str]] = {}
    for user_id, name in session.execute(
        select(DeclaredConflict.user_id, DeclaredConflict.name).where(
            DeclaredConflict.user_id.in_([user.id for user in users])
        )
    ):
        declared.setdefault(user_id, []).append(name)
    kept = [
        user
        for user in users
        if not conflicted(
            report_conflicts=reporter_conflicts,
            report_parties=parties,
            user_names=[user.display_name, user.username],
            declared_conflicts=declared.get(user.id, []),
        )
    ]
    return kept, len(users) - len(kept)


def plan_access(session: Session, opened: OpenedReport, result: TriageResult) -> AccessPlan:
    """Who gets a wrap: the routed queue's active members, less the conflicted.

    If that leaves nobody, the active supervisors who are not conflicted: they
    can re-route and grant. If that leaves nobody either, NoEligibleHolder.
    """
    queue = session.scalar(select(Queue).where(Queue.slug == result.routing.queue))
    if queue is None:
        raise TriageWorkerError(f"routed to {result.routing.queue!r}, which is not a queue")
    parties = [*opened.party_names(), *(party.name for party in result.extraction.parties)]
    reporter_conflicts = [*opened.conflict_names(), *result.routing.excluded_names]

    def eligible(users: Sequence[User]) -> tuple[list[User], int]:
        return eligible_users(
            session, users, reporter_conflicts=reporter_conflicts, parties=parties
        )

    holders, excluded = eligible(active_queue_members(session, queue.id))
    if not holders:
        supervisors = session.scalars(
            select(User)
            .where(User.role == Role.SUPERVISOR, User.is_active.is_(True))
            .order_by(User.id)
        ).all()
        holders, excluded_supervisors = eligible(supervisors)
        excluded += excluded_supervisors
    if not holders:
        raise NoEligibleHolder(
            f"report {opened.report_id}: no member of {queue.slug!r} and no supervisor may"
            " receive it"
        )
    already = set(
        session.scalars(
            select(Wrap.user_id).where(
                Wrap.report_id == opened.report_id, Wrap.holder_kind == HolderKind.USER
            )
        )
    )
    grants = tuple(user.id for user in holders if user.id not in already)
    return AccessPlan(queue.id, queue.slug, grants, excluded)


def findings_record(result: TriageResult) -> dict[str, Any]:
    # to_json keeps tuples and enum members; the record encoder wants plain JSON.
    findings: dict[str, Any] = json.loads(json.dumps(result.to_json()))
    return findings


def assessment_columns(assessment: Assessment) -> dict[str, Any]:
    """The report columns an assessment sets: the plaintext metadata routing needs."""
    return {
        "categories": [category.value for category in assessment.categories],
        "domains": [domain.value for domain in assessment.domains],
        "priority": Priority(assessment.priority.value),
    }


def triage_claimed(
    engine: Engine, claim: Claim, *, intake_key: PrivateKey, triage: TriageFunction
) -> str:
    """Triage one claimed report; "done", or "lost" when the claim is no longer ours.

    Raises on any other failure, with nothing written (see the module docstring).
    """
    with Session(engine) as session:
        opened_report = open_claimed(session, claim, intake_key)
        if opened_report is None:
            return "lost"
        ruleset = current_ruleset(session)
        # End the read transaction before the (slow) triage: on SQLite the
        # writes below must start a fresh transaction, not upgrade an old read.
        session.rollback()
        key, opened = opened_report
        result = triage(opened, ruleset)
        plan = plan_access(session, opened, result)
        session.rollback()

    assessment = result.assessment
    with Session(engine) as session:
        try:
            finished = session.execute(
                update(Report)
                .where(_claim_is(claim))
                .values(
                    triage_state=TriageState.DONE,
                    claimed_at=None,
                    claimed_by=None,
                    triage_retry_at=None,
                    triage_error=None,
                    **assessment_columns(assessment),
                    queue_id=plan.queue_id,
                    rule_version=str(result.routing.ruleset_version),
                    list_versions=result.versions.get("lists", ""),
                    findings=seal_record(key, RecordKind.FINDINGS, findings_record(result)),
                )
                .execution_options(synchronize_session=False)
            )
            if finished.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                return "lost"
            hour = current_hour()
            session.add_all(
                user_wrap(session, claim.report_id, key, user_id, hour) for user_id in plan.grants
            )
            removed = session.execute(
                delete(Wrap)
                .where(Wrap.report_id == claim.report_id, Wrap.holder_kind == HolderKind.INTAKE)
                .execution_options(synchronize_session=False)
            )
            if removed.rowcount != 1:  # type: ignore[attr-defined]
                raise TriageWorkerError(f"report {claim.report_id}: intake wrap already gone")
            append_audit(
                session,
                actor_user_id=None,
                action="report.triage",
                target=f"report:{claim.report_id}",
                details={
                    "worker": claim.worker,
                    "queue": plan.queue_slug,
                    "priority": assessment.priority.value,
                    "rule_version": result.routing.ruleset_version,
                    "granted_user_ids": list(plan.grants),
                    # How many, not who: that an investigator was kept away
                    # would tell an auditor what the report says.
                    "excluded": plan.excluded,
                },
            )
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return "done"


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
                select(Report.triage_attempts, Report.triage_error).where(_claim_is(claim))
            ).one_or_none()
            if previous is None:
                return None
            attempts = previous.triage_attempts + 1
            failure = Failure(
                attempts, now + retry_delay(attempts, first_delay), kind != previous.triage_error
            )
            session.execute(
                update(Report)
                .where(_claim_is(claim))
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


def _record_failure(
    engine: Engine, claim: Claim, error: BaseException, first_delay: timedelta
) -> Failure | None:
    try:
        return record_failure(engine, claim, error, first_delay=first_delay)
    except Exception:
        log.exception("could not record the failure on report %d", claim.report_id)
        return None


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


# ---------------------------------------------------------------- the loop


def run_worker(
    engine: Engine,
    *,
    intake_key: PrivateKey,
    triage: TriageFunction,
    name: str,
    once: bool,
    stale_after: timedelta = CLAIM_TIMEOUT,
    hold: bool = True,
    poll_seconds: float = POLL_SECONDS,
    stop: threading.Event | None = None,
) -> WorkerStats:
    """Claim and triage reports until none is left (`once`) or `stop` is set.

    A report that fails stays claimed; it is tried again, by any worker, once
    its claim is older than `stale_after` and its wait is over: `stale_after`
    after the first failure, doubling after each further one up to RETRY_MAX
    (see the module docstring). A failure is audited when its kind changes.
    """
    stats = WorkerStats()
    stop = stop or threading.Event()
    while not stop.is_set():
        claim = claim_next(engine, worker=name, stale_after=stale_after, hold=hold)
        if claim is None:
            if once:
                break
            stop.wait(poll_seconds)  # returns at once when told to stop
            continue
        try:
            outcome = triage_claimed(engine, claim, intake_key=intake_key, triage=triage)
        except NoEligibleHolder as error:
            log.warning("%s", error)
            stats.deferred.append(claim.report_id)
            _record_failure(engine, claim, error, stale_after)
            continue
        except Exception as error:
            failure = _record_failure(engine, claim, error, stale_after)
            log.error(
                "report %d not triaged: %s (attempt %s); retried from %s",
                claim.report_id,
                type(error).__name__,
                failure.attempts if failure else "?",
                f"{failure.retry_at:%Y-%m-%d %H:%M}" if failure else "the claim's timeout",
            )
            stats.failed.append(claim.report_id)
            continue
        (stats.triaged if outcome == "done" else stats.lost).append(claim.report_id)
        if outcome == "done":
            log.info("report %d triaged", claim.report_id)
    return stats
