"""Writing a triage result to a stored report: the one place a result is applied.

The triage worker (a new report it has claimed) and re-screening (a triaged
report, against newer lists) end the same way, and both call `apply_triage`:

- the FINDINGS record, the new `TriageResult` sealed under the report key,
  and `list_versions`, the list versions it screened against;
- the assessment's plaintext metadata (categories, domains, priority), unless
  the caller keeps the case's own (an investigator's override stands);
- the routed queue, when there is an access plan (reporting.cases.access
  `plan_access`), and a wrap for each user the plan grants, made by
  reporting.cases.access, which re-checks who may hold one.

It writes in the caller's transaction with one UPDATE guarded by the
caller's condition on the report row (the worker's claim, re-screening's
starting list versions), and makes no wrap when that condition no longer
holds. Nothing the report says leaves the FINDINGS record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from crypto import RecordKind, ReportKey, seal_record
from reporting.cases.access import AccessPlan, grant_wraps
from reporting.core.models import Report
from triage.model import Assessment, TriageResult


def findings_record(result: TriageResult) -> dict[str, Any]:
    # to_json keeps tuples and enum members; the record encoder wants plain JSON.
    findings: dict[str, Any] = json.loads(json.dumps(result.to_json()))
    return findings


def assessment_columns(assessment: Assessment) -> dict[str, Any]:
    """The report columns an assessment sets: the plaintext metadata routing needs."""
    return {
        "categories": [category.value for category in assessment.categories],
        "domains": [domain.value for domain in assessment.domains],
        "priority": assessment.priority,
    }


def apply_triage(
    session: Session,
    report_id: int,
    key: ReportKey,
    result: TriageResult,
    *,
    plan: AccessPlan | None,
    only_if: ColumnElement[bool],
    keep_assessment: bool = False,
    also: Mapping[str, Any] | None = None,
) -> bool:
    """Write `result` to the report and grant `plan`'s wraps; False if `only_if` no longer holds.

    - `plan`: where the case goes and who gets a wrap; None leaves its queue
      and its holders as they are.
    - `only_if`: the condition the report row must still meet; when it does
      not, nothing is written and no wrap is made (the caller rolls back or
      reports the case unchanged).
    - `keep_assessment`: leave categories, domains and priority as they are.
    - `also`: other columns the caller's step sets with the same UPDATE (the
      worker's end of the claim).
    """
    values: dict[str, Any] = {
        **(also or {}),
        "list_versions": result.versions.get("lists", ""),
        "findings": seal_record(key, RecordKind.FINDINGS, findings_record(result)),
    }
    if not keep_assessment:
        values.update(assessment_columns(result.assessment))
    if plan is not None:
        values["queue_id"] = plan.queue_id
    written = session.execute(
        update(Report)
        .where(Report.id == report_id, only_if)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if plan is not None:
        grant_wraps(session, report_id, key, plan.grants)
    return True
