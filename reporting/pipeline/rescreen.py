"""Re-screening stored reports when a new screening-list version is imported.

A report records the list versions its triage screened against
(`reports.list_versions`, e.g. `un:2026-03-01.cae42fd8f894`). When `vigil
lists import` brings a new version, every triaged report whose
`list_versions` differs from the current versions is *due for re-screening*:
a party it names may have been listed since. A closed case is not due: its
findings stay those it was closed with, and it becomes due again if it is
reopened.

The triage worker cannot do this. It deletes the intake wrap when it
finishes a report (docs/architecture.md: a stolen intake key then reveals only
untriaged reports), so after triage only the holders of user wraps, the
investigators of the report's queue, can open it. Re-screening therefore
runs with an investigator's report key: when one opens a due case in the
console (`rescreen_case`), or for every due report they hold a wrap for
(reporting.pipeline.rescreen_held, `vigil triage rescreen --user NAME`). No
new key that can read reports exists, and nothing the report says is stored
in plaintext: party names stay inside the FINDINGS record under the report
key.

What re-screening changes, in the caller's transaction (the result is
written by reporting.pipeline.apply, as the worker's is):

- the FINDINGS record (the new `TriageResult`, sealed under the report key)
  and `list_versions`;
- categories, domains and priority, unless `triage_overridden` (an
  investigator replaced them: their override stands; the new findings still
  say what triage would now give);
- the queue, when the new result routes to a different queue than the
  previous triage did (and than the case's queue): the case moves and the new
  queue's eligible members get wraps, conflict exclusions included, as the
  worker grants them (`reporting.cases.access.plan_access`). Existing wraps
  stay. A case a supervisor moved by hand stays where it is unless the routing
  decision itself changes;
- an audit entry `report.rescreen`: old and new list versions, old and new
  priority, old and new queue, how many hits, granted user ids, how many were
  excluded. No names, no report content.

It uses the rule-set version the report was triaged with, so only the lists
change between the two results. It is deterministic and idempotent: a
report whose `list_versions` is already current is left exactly as it is
(nothing opened, nothing written, nothing audited). Two investigators
re-screening the same report at once write it once: the write requires the
`list_versions` it started from.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from crypto import RecordKind, ReportKey, open_record
from reporting.audit.log import append_audit
from reporting.cases.access import AccessPlan, NoEligibleHolder, plan_access
from reporting.cases.opened_report import open_report
from reporting.core.models import Report, ReportStatus, TriageState
from reporting.pipeline.apply import apply_triage
from reporting.pipeline.routing_rules import RoutingRulesError, ruleset_at
from reporting.pipeline.screening_lists import current_list_versions
from triage.pipeline import run_triage
from triage.routing import Ruleset
from triage.screening import Screener

log = logging.getLogger("vigil.rescreen")


class RescreenError(Exception):
    """A report cannot be re-screened as stored (not triaged, unknown rule-set version...)."""


class StaleScreener(RescreenError):
    """The screener given is not built from the current list versions: load it again."""


def versions_label(versions: Mapping[str, str]) -> str:
    """`source:version` pairs, sorted and comma-joined: what a result's `versions["lists"]` says.

    The same format as `triage.pipeline.list_versions`, so a stored
    `list_versions` compares equal to the current lists' label.
    """
    return ",".join(f"{source}:{version}" for source, version in sorted(versions.items()))


def current_versions_label(session: Session) -> str:
    """The label of the current list versions ("" with no list imported)."""
    return versions_label(current_list_versions(session))


def due_reports_statement(current_label: str) -> Select[tuple[int]]:
    """Ids of the triaged, open reports whose list versions are not `current_label`, oldest first.

    Closed cases are left out: they are not worked any more, and re-screening
    one would change its priority, queue and wraps after the decision.
    """
    return (
        select(Report.id)
        .where(
            Report.triage_state == TriageState.DONE,
            Report.status != ReportStatus.CLOSED,
            func.coalesce(Report.list_versions, "") != current_label,
        )
        .order_by(Report.id)
    )


def reports_due(session: Session) -> list[int]:
    """Ids of the triaged reports due for re-screening against the current lists."""
    return list(session.scalars(due_reports_statement(current_versions_label(session))))


def is_due(session: Session, report: Report) -> bool:
    """Whether this report is due for re-screening (for the console's case page)."""
    return (
        report.triage_state is TriageState.DONE
        and report.status is not ReportStatus.CLOSED
        and (report.list_versions or "") != current_versions_label(session)
    )


# ---------------------------------------------------------------- one case


@dataclass(frozen=True)
class RescreenOutcome:
    """What re-screening did to one report; no report content, safe to log and show.

    `changed` is False when the report was already screened against these
    lists (by an earlier run, or by another investigator a moment ago):
    nothing was written then. `routed_queue` is where the new result routes
    (for an overridden case too), `new_queue` where the case now is.
    """

    report_id: int
    changed: bool
    old_list_versions: str
    new_list_versions: str
    old_priority: str | None
    new_priority: str | None
    old_queue: str | None
    new_queue: str | None
    routed_queue: str | None = None
    hits: int = 0
    overridden: bool = False
    granted_user_ids: tuple[int, ...] = ()

    @property
    def priority_changed(self) -> bool:
        return self.old_priority != self.new_priority

    @property
    def moved(self) -> bool:
        return self.old_queue != self.new_queue


def _unchanged(report: Report, queue: str | None) -> RescreenOutcome:
    priority = report.priority.value if report.priority is not None else None
    versions = report.list_versions or ""
    return RescreenOutcome(
        report.id, False, versions, versions, priority, priority, queue, queue, queue
    )


def _triaged_ruleset(session: Session, report: Report) -> Ruleset:
    """The rule set the report was routed by, so that only the lists differ."""
    try:
        version = int(report.rule_version or "")
    except ValueError:
        raise RescreenError(f"report {report.id} records no rule-set version") from None
    if version == 0:
        # Triaged before any rule set was written
        # (reporting.pipeline.routing_rules.current_ruleset).
        return Ruleset(version=0, rules=())
    try:
        return ruleset_at(session, version)
    except RoutingRulesError as error:
        raise RescreenError(f"report {report.id}: {error}") from None


def _previously_routed(report: Report, key: ReportKey) -> str | None:
    """The queue the previous findings routed to (None if there are none to read)."""
    if report.findings is None:
        return None
    findings = open_record(key, RecordKind.FINDINGS, report.findings)
    routing = findings.get("routing") if isinstance(findings, dict) else None
    queue = routing.get("queue") if isinstance(routing, dict) else None
    return queue if isinstance(queue, str) else None


def rescreen_case(
    session: Session,
    report: Report,
    key: ReportKey,
    *,
    screener: Screener,
    actor_user_id: int | None,
) -> RescreenOutcome:
    """Screen a triaged report again against the current lists, with its report key.

    - `report`: a triaged report loaded in `session` (`triage_state` done).
    - `key`: its report key, unwrapped from the acting user's wrap
      (`crypto.unwrap_report_key(wrap.wrapped_key, private_key)`).
    - `screener`: built from the current list versions
      (`reporting.pipeline.screening_lists.load_current_screener(session)`, or a cached one such as
      `reporting.pipeline.screening_lists.CurrentScreener`); one built
      from other versions raises `StaleScreener`.
    - `actor_user_id`: who re-screens, for the audit entry.

    Returns what changed; a report already screened against the current
    lists, or a closed one, changes nothing (`outcome.changed` is False). Writes in the caller's
    transaction and does not commit: the caller commits (or rolls back on an
    error). Raises `RescreenError` for a report that cannot be re-screened,
    `crypto.CryptoError` if `key` is not the report's key.
    """
    if report.triage_state is not TriageState.DONE:
        raise RescreenError(f"report {report.id} is not triaged yet")
    old_queue = report.queue.slug if report.queue is not None else None
    current_label = current_versions_label(session)
    if versions_label(screener.versions) != current_label:
        raise StaleScreener("the screener is not built from the current list versions")
    old_versions = report.list_versions or ""
    if old_versions == current_label or report.status is ReportStatus.CLOSED:
        return _unchanged(report, old_queue)

    opened = open_report(session, report, key)
    result = run_triage(
        opened.document(),
        intake_type=report.intake_type.value,
        screener=screener,
        ruleset=_triaged_ruleset(session, report),
    )
    new_versions = result.versions.get("lists", "")
    assessment = result.assessment
    routed = result.routing.queue
    previously_routed = _previously_routed(report, key) or old_queue

    plan: AccessPlan | None = None
    if routed not in (previously_routed, old_queue):
        try:
            plan = plan_access(session, opened, result)
        except NoEligibleHolder:
            # Moving the case where nobody may read it would hide it: it stays,
            # and the findings (and the outcome) say where it would route.
            log.warning("report %d: nobody in %s may receive it; not moved", report.id, routed)

    overridden = report.triage_overridden
    old_priority = report.priority.value if report.priority is not None else None
    new_priority = old_priority if overridden else assessment.priority.value
    written = apply_triage(
        session,
        report.id,
        key,
        result,
        plan=plan,
        # Only from the versions this run started from, on a case still open:
        # a concurrent re-screen or closing of the same report makes this one a no-op.
        only_if=and_(
            Report.triage_state == TriageState.DONE,
            Report.status != ReportStatus.CLOSED,
            func.coalesce(Report.list_versions, "") == old_versions,
        ),
        keep_assessment=overridden,
    )
    if not written:
        session.refresh(report)
        return _unchanged(report, report.queue.slug if report.queue is not None else None)

    grants = plan.grants if plan is not None else ()
    new_queue = plan.queue_slug if plan is not None else old_queue
    outcome = RescreenOutcome(
        report_id=report.id,
        changed=True,
        old_list_versions=old_versions,
        new_list_versions=new_versions,
        old_priority=old_priority,
        new_priority=new_priority,
        old_queue=old_queue,
        new_queue=new_queue,
        routed_queue=routed,
        hits=len(result.hits),
        overridden=overridden,
        granted_user_ids=tuple(grants),
    )
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="report.rescreen",
        target=f"report:{report.id}",
        details={
            "old_list_versions": old_versions,
            "new_list_versions": new_versions,
            "old_priority": old_priority,
            "new_priority": new_priority,
            "old_queue": old_queue,
            "new_queue": new_queue,
            "hits": outcome.hits,
            "overridden": overridden,
            "granted_user_ids": list(outcome.granted_user_ids),
            # How many, not who (as the worker's report.triage entry).
            "excluded": plan.excluded if plan is not None else 0,
        },
    )
    session.flush()
    # The UPDATE above bypassed the identity map: reload on next access.
    session.expire(report)
    return outcome
