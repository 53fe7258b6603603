"""Deadlines: the due dates a case starts with, which are still pending, and how urgent.

Deadlines (EU Directive 2019/1937 for tips; our own 180 days for a
disclosure's full narrative), set on the case at intake (`deadlines`):

- acknowledgement (`ack_due`) is pending until the case is acknowledged
  (`acknowledged_hour`);
- feedback (`feedback_due`) is pending until the case is closed (`closed_hour`);
- the full narrative (`narrative_due`) is pending until a narrative part exists.

A closed case has no pending deadline. A case's deadline state comes from its
earliest pending deadline (see `DeadlineState`). That earliest pending
deadline is stored on the case (`Report.next_due`, NULL when none is
pending), so that the lists filter and sort on a plain indexed column instead
of computing it for every readable case. `refresh_next_due` is the one place
that sets it, from the rules in `pending_deadlines`; it is called wherever an
input changes: intake (reporting/intake/submissions.py), a status change or
reopening (reporting/casework/actions.py), a filed narrative
(reporting/intake/followup.py). The case lists filter on the same rules in
SQL (`deadline_condition`).

Intake and the cases both use these rules, so this module imports nothing
of Vigil but reporting.core.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, exists, literal, or_

from reporting.core.models import (
    IntakeType,
    PartKind,
    Report,
    ReportPart,
    ReportStatus,
    UtcDateTime,
)

# EU Directive 2019/1937, art. 9: acknowledge a report within seven days and
# give feedback within three months.
ACKNOWLEDGE_WITHIN = timedelta(days=7)
FEEDBACK_WITHIN_MONTHS = 3
# A voluntary self-disclosure's initial notification is followed by the full
# narrative within 180 days (as in 15 CFR 764.5(c)(2)(iv)).
NARRATIVE_WITHIN = timedelta(days=180)


# A pending deadline this close is "due soon". 48 hours: long enough to act on
# a case seen at the start of a working day, short enough not to flag everything.
DUE_SOON = timedelta(hours=48)


# ---------------------------------------------------------------- due dates at intake


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day if it is shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def deadlines(intake_type: IntakeType, received_hour: datetime) -> dict[str, datetime]:
    """The due dates a new case starts with, counted from the hour it arrived.

    From the hour, not the exact time, so that a deadline cannot date the
    report more precisely than `received_hour` does.
    """
    if intake_type is IntakeType.TIP:
        return {
            "ack_due": received_hour + ACKNOWLEDGE_WITHIN,
            "feedback_due": add_months(received_hour, FEEDBACK_WITHIN_MONTHS),
        }
    return {"narrative_due": received_hour + NARRATIVE_WITHIN}


# ---------------------------------------------------------------- pending deadlines


class DeadlineState(StrEnum):
    """Where a case stands against its deadlines, the most urgent first.

    OVERDUE: a pending deadline has passed. DUE_SOON: the earliest pending
    deadline falls within DUE_SOON. PENDING: a deadline is pending but further
    off. MET: the case had deadlines and none is pending any more. NONE: the
    case has no deadline at all.
    """

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    PENDING = "pending"
    MET = "met"
    NONE = "none"

    @property
    def label(self) -> str:
        return _DEADLINE_LABELS[self]


_DEADLINE_LABELS = {
    DeadlineState.OVERDUE: "Overdue",
    DeadlineState.DUE_SOON: "Due soon",
    DeadlineState.PENDING: "On track",
    DeadlineState.MET: "Met",
    DeadlineState.NONE: "No deadline",
}


class DeadlineKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    FEEDBACK = "feedback"
    NARRATIVE = "narrative"


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due: datetime


class HasDeadlines(Protocol):
    """The columns the deadline rules read; a Report or a selected row has them."""

    @property
    def ack_due(self) -> datetime | None: ...
    @property
    def feedback_due(self) -> datetime | None: ...
    @property
    def narrative_due(self) -> datetime | None: ...
    @property
    def acknowledged_hour(self) -> datetime | None: ...
    @property
    def closed_hour(self) -> datetime | None: ...


def pending_deadlines(report: HasDeadlines, *, has_narrative: bool) -> list[Deadline]:
    """The deadlines still to be met, earliest first (the rules are in the module docstring)."""
    if report.closed_hour is not None:
        return []
    pending = []
    if report.ack_due is not None and report.acknowledged_hour is None:
        pending.append(Deadline(DeadlineKind.ACKNOWLEDGEMENT, report.ack_due))
    if report.feedback_due is not None:
        pending.append(Deadline(DeadlineKind.FEEDBACK, report.feedback_due))
    if report.narrative_due is not None and not has_narrative:
        pending.append(Deadline(DeadlineKind.NARRATIVE, report.narrative_due))
    return sorted(pending, key=lambda deadline: deadline.due)


def state_of(report: HasDeadlines, next_due: datetime | None, now: datetime) -> DeadlineState:
    """The deadline state of a case whose earliest pending deadline is `next_due`."""
    if next_due is None:
        has_any = any(
            due is not None for due in (report.ack_due, report.feedback_due, report.narrative_due)
        )
        return DeadlineState.MET if has_any else DeadlineState.NONE
    if next_due < now:
        return DeadlineState.OVERDUE
    if next_due < now + DUE_SOON:
        return DeadlineState.DUE_SOON
    return DeadlineState.PENDING


def deadline_state(
    report: Report, now: datetime, *, has_narrative: bool | None = None
) -> DeadlineState:
    """The case's deadline state at `now`.

    `has_narrative` spares loading `report.parts` when the caller knows it.
    """
    if has_narrative is None:
        has_narrative = any(part.kind is PartKind.NARRATIVE for part in report.parts)
    pending = pending_deadlines(report, has_narrative=has_narrative)
    return state_of(report, pending[0].due if pending else None, now)


def next_due_of(report: HasDeadlines, *, has_narrative: bool) -> datetime | None:
    """The case's earliest pending deadline; None when none is pending."""
    pending = pending_deadlines(report, has_narrative=has_narrative)
    return pending[0].due if pending else None


def refresh_next_due(report: Report, *, has_narrative: bool | None = None) -> None:
    """Store the case's earliest pending deadline in `report.next_due`.

    Call it after changing any input of the deadline rules (the due dates,
    `acknowledged_hour`, `closed_hour`, a narrative part). `has_narrative`
    says whether the case has its full narrative; None reads `report.parts`,
    and only when the case has a narrative deadline at all.
    """
    if has_narrative is None:
        has_narrative = report.narrative_due is not None and any(
            part.kind is PartKind.NARRATIVE for part in report.parts
        )
    report.next_due = next_due_of(report, has_narrative=has_narrative)


# The same rules in SQL read the stored `next_due`. Times are compared as the
# column type stores them (naive UTC text on SQLite, timestamptz on
# PostgreSQL), so every bound time goes through UtcDateTime.


def has_narrative_clause() -> ColumnElement[bool]:
    """The case has its full narrative (a NARRATIVE part), as a condition on reports."""
    return exists().where(ReportPart.report_id == Report.id, ReportPart.kind == PartKind.NARRATIVE)


def _time(moment: datetime) -> ColumnElement[Any]:
    return literal(moment, UtcDateTime())


def overdue_condition(kind: DeadlineKind, now: datetime) -> ColumnElement[bool]:
    """The cases whose deadline of this kind is pending and past at `now` (`pending_deadlines`)."""
    # Closed as the metrics have always counted it; change_status keeps closed_hour in step.
    is_open = Report.status != ReportStatus.CLOSED
    match kind:
        case DeadlineKind.ACKNOWLEDGEMENT:
            return and_(is_open, Report.ack_due < _time(now), Report.acknowledged_hour.is_(None))
        case DeadlineKind.FEEDBACK:
            return and_(is_open, Report.feedback_due < _time(now))
        case DeadlineKind.NARRATIVE:
            return and_(is_open, Report.narrative_due < _time(now), ~has_narrative_clause())


def deadline_condition(state: DeadlineState, now: datetime) -> ColumnElement[bool]:
    """The cases in `state` at `now`, as a condition on reports (the stored `next_due`)."""
    next_due = Report.__table__.c.next_due
    any_deadline = or_(
        Report.ack_due.is_not(None),
        Report.feedback_due.is_not(None),
        Report.narrative_due.is_not(None),
    )
    match state:
        case DeadlineState.OVERDUE:
            return next_due < _time(now)
        case DeadlineState.DUE_SOON:
            return and_(next_due >= _time(now), next_due < _time(now + DUE_SOON))
        case DeadlineState.PENDING:
            return next_due >= _time(now + DUE_SOON)
        case DeadlineState.MET:
            return and_(next_due.is_(None), any_deadline)
        case DeadlineState.NONE:
            return ~any_deadline
