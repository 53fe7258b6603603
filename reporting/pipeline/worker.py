"""The triage worker: claim a new report, open it in memory, triage it, grant access.

The worker is the only holder of the intake private key (docs/architecture.md). For
each report it:

1. **claims** it (reporting.pipeline.claims): a short transaction of its
   own, committed at once, so that other workers see the claim;
2. **reads** the report, opens the intake wrap and the BODY records (the
   first submission and any disclosure parts already there) in memory
   (reporting.cases.opened_report), and runs the triage function on them;
3. **writes** everything in ONE transaction: the result applied to the
   report (reporting.pipeline.apply: the plaintext metadata, the FINDINGS
   record under the report key, a wrap for each eligible member of the
   routed queue as reporting.cases.access plans them), `triage_state = done`
   with the claim cleared, the deletion of the intake wrap, and an audit
   entry. A crash or an error anywhere before the commit leaves none of it:
   the report stays claimed and is claimed again once the claim is older
   than `stale_after`.

The write transaction cannot double-triage: its first statement is an
UPDATE whose WHERE clause requires the claim to be exactly ours (same worker
name and claim time). If a slow worker's claim went stale and another
worker took the report over, the slow worker's UPDATE matches no row and it
rolls back; if both get that far, the intake wrap's DELETE (which must
remove exactly one row) stops the second.

A report that fails keeps its claim and is tried again, by any worker, with
a growing wait; the failure is counted and audited by
reporting.pipeline.claims (`record_failure`).

Nothing the report says is logged or audited: log lines and audit entries
carry report ids, queue slugs, priorities, user ids and error class names.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from crypto import PrivateKey, ReportKey, unwrap_report_key
from reporting.audit.log import append_audit
from reporting.cases.access import NoEligibleHolder, plan_access
from reporting.cases.opened_report import OpenedReport, TriageWorkerError, open_report
from reporting.core.models import HolderKind, Report, TriageState, Wrap
from reporting.pipeline.apply import apply_triage
from reporting.pipeline.claims import (
    CLAIM_TIMEOUT,
    Claim,
    Failure,
    claim_is,
    claim_next,
    record_failure,
)
from reporting.pipeline.routing_rules import current_ruleset
from reporting.pipeline.screening_lists import CurrentScreener
from triage.model import TriageResult
from triage.pipeline import run_triage
from triage.routing import Ruleset

log = logging.getLogger("vigil.triage")

POLL_SECONDS = 5.0


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


# ---------------------------------------------------------------- triage of one report


def open_claimed(
    session: Session, claim: Claim, intake_key: PrivateKey
) -> tuple[ReportKey, OpenedReport] | None:
    """The report key and the opened report, or None if the claim is no longer ours."""
    report = session.scalar(select(Report).where(claim_is(claim)))
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

    with Session(engine) as session:
        try:
            applied = apply_triage(
                session,
                claim.report_id,
                key,
                result,
                plan=plan,
                only_if=claim_is(claim),
                also={
                    "triage_state": TriageState.DONE,
                    "claimed_at": None,
                    "claimed_by": None,
                    "triage_retry_at": None,
                    "triage_error": None,
                    "rule_version": str(result.routing.ruleset_version),
                },
            )
            if not applied:
                session.rollback()
                return "lost"
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
                    "priority": result.assessment.priority.value,
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


def _record_failure(
    engine: Engine, claim: Claim, error: BaseException, first_delay: timedelta
) -> Failure | None:
    try:
        return record_failure(engine, claim, error, first_delay=first_delay)
    except Exception:
        log.exception("could not record the failure on report %d", claim.report_id)
        return None


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
