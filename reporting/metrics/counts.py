"""Cases received per month, split by every dimension the console shows.

Only plaintext metadata is read (status, outcome, priority, categories,
domains, queue, intake type and the hour-rounded times), never report
content, so auditors may see every figure here (and in the other metrics
modules).

A case counts in the month it was received (`received_hour`, UTC). The
counts come from one grouped query per request over `reports` (plus one for
queues, whose names are data), not from loading cases:

- single-valued columns are counted with `SUM(CASE WHEN column = value ...)`
  per value of their fixed vocabulary, all in one scan;
- the JSON list columns (categories, domains) are counted the same way,
  with the case lists' member test (`reporting.core.models.json_list_holds`):
  jsonb containment on PostgreSQL, the quoted value (`"export_control"`) in
  the JSON text on SQLite, which is exact because the model refuses any
  value outside the vocabulary. A case counts once under each of its
  categories, so these counts overlap and do not add up to the cases
  received.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from reporting.core.models import (
    Category,
    Domain,
    IntakeType,
    Outcome,
    Priority,
    Queue,
    Report,
    ReportStatus,
    json_list_holds,
)
from reporting.metrics.periods import MonthRange
from reporting.metrics.sql import MonthOf, count_where

UNSCORED = "unscored"  # no priority yet: waiting for triage
NOT_RECORDED = "not_recorded"  # closed without an outcome
NOT_ROUTED = "Not routed yet"


def value_label(value: str) -> str:
    """A readable label for a vocabulary value: export_control → Export control."""
    if value == UNSCORED:
        return "Not scored yet"
    return value.replace("_", " ").capitalize() if value != value.upper() else value


@dataclass(frozen=True)
class Breakdown:
    """Cases per month and value of one dimension (category, priority, ...)."""

    name: str
    label: str
    values: tuple[str, ...]
    by_month: Mapping[str, Mapping[str, int]]  # "2025-03" → value → cases
    # True when a case counts under several values (categories, domains).
    overlapping: bool = False
    # What the values split, when not all cases (outcomes split the closed ones).
    of: str = "cases received"
    # False when the values are names from the data (queues), shown as they are.
    vocabulary: bool = True

    def label_of(self, value: str) -> str:
        return value_label(value) if self.vocabulary else value

    def count(self, month: str, value: str) -> int:
        return self.by_month.get(month, {}).get(value, 0)

    @property
    def totals(self) -> dict[str, int]:
        return {
            value: sum(counts.get(value, 0) for counts in self.by_month.values())
            for value in self.values
        }

    def labelled_totals(self) -> list[tuple[str, int]]:
        totals = self.totals
        return [(self.label_of(value), totals[value]) for value in self.values]


@dataclass(frozen=True)
class CaseCounts:
    period: MonthRange
    received: Mapping[str, int]  # month → cases received
    breakdowns: tuple[Breakdown, ...]

    @property
    def total_received(self) -> int:
        return sum(self.received.values())

    def breakdown(self, name: str) -> Breakdown:
        for breakdown in self.breakdowns:
            if breakdown.name == name:
                return breakdown
        raise KeyError(name)


@dataclass(frozen=True)
class _Dimension:
    name: str
    label: str
    conditions: tuple[tuple[str, ColumnElement[bool]], ...]
    overlapping: bool = False
    of: str = "cases received"


def _dimensions(dialect: str) -> tuple[_Dimension, ...]:
    closed = Report.status == ReportStatus.CLOSED
    return (
        _Dimension(
            "category",
            "Risk category",
            tuple(
                (value.value, json_list_holds(Report.categories, value, dialect))
                for value in Category
            ),
            overlapping=True,
        ),
        _Dimension(
            "domain",
            "WMD domain",
            tuple(
                (value.value, json_list_holds(Report.domains, value, dialect)) for value in Domain
            ),
            overlapping=True,
        ),
        _Dimension(
            "priority",
            "Priority",
            (
                *((value.value, Report.priority == value) for value in Priority),
                (UNSCORED, Report.priority.is_(None)),
            ),
        ),
        _Dimension(
            "status",
            "Status",
            tuple((value.value, Report.status == value) for value in ReportStatus),
        ),
        _Dimension(
            "outcome",
            "Outcome",
            (
                *((value.value, Report.outcome == value) for value in Outcome),
                (NOT_RECORDED, and_(closed, Report.outcome.is_(None))),
            ),
            of="cases closed",
        ),
        _Dimension(
            "intake_type",
            "Intake type",
            tuple((value.value, Report.intake_type == value) for value in IntakeType),
        ),
    )


def case_counts(session: Session, period: MonthRange) -> CaseCounts:
    """Cases received per month in `period`, split by every dimension (see the module docstring)."""
    month = MonthOf(Report.received_hour)
    in_period = and_(Report.received_hour >= period.start, Report.received_hour < period.end)
    dimensions = _dimensions(session.get_bind().dialect.name)
    columns: list[ColumnElement[Any]] = [month, func.count()]
    for dimension in dimensions:
        columns.extend(count_where(condition) for _value, condition in dimension.conditions)
    rows = session.execute(select(*columns).where(in_period).group_by(month)).all()

    received: dict[str, int] = {}
    by_dimension: dict[str, dict[str, dict[str, int]]] = {d.name: {} for d in dimensions}
    for row in rows:
        month_key, total, *counts = row
        received[month_key] = int(total)
        position = 0
        for dimension in dimensions:
            by_dimension[dimension.name][month_key] = {
                value: int(counts[position + index])
                for index, (value, _condition) in enumerate(dimension.conditions)
            }
            position += len(dimension.conditions)

    breakdowns = [
        Breakdown(
            name=dimension.name,
            label=dimension.label,
            values=tuple(value for value, _condition in dimension.conditions),
            by_month=by_dimension[dimension.name],
            overlapping=dimension.overlapping,
            of=dimension.of,
        )
        for dimension in dimensions
    ]
    breakdowns.append(_queue_breakdown(session, period, month, in_period))
    return CaseCounts(period=period, received=received, breakdowns=tuple(breakdowns))


def _queue_breakdown(
    session: Session, period: MonthRange, month: MonthOf, in_period: ColumnElement[bool]
) -> Breakdown:
    names = dict(session.execute(select(Queue.id, Queue.name).order_by(Queue.name)).tuples().all())
    rows = session.execute(
        select(month, Report.queue_id, func.count())
        .where(in_period)
        .group_by(month, Report.queue_id)
    ).all()
    by_month: dict[str, dict[str, int]] = {}
    for month_key, queue_id, count in rows:
        name = names.get(queue_id, NOT_ROUTED) if queue_id is not None else NOT_ROUTED
        by_month.setdefault(month_key, {})[name] = int(count)
    values = [*names.values()]
    if any(NOT_ROUTED in counts for counts in by_month.values()):
        values.append(NOT_ROUTED)
    return Breakdown(
        name="queue", label="Queue", values=tuple(values), by_month=by_month, vocabulary=False
    )
