"""Aggregate case metrics for the console, and the public transparency export.

Only plaintext metadata is read (status, outcome, priority, categories,
domains, queue, intake type and the hour-rounded times), never report
content, so auditors may see every figure here.

Counting
--------

A case counts in the month it was received (`received_hour`, UTC). The
counts come from one grouped query per request over `reports` (plus one for
queues, whose names are data), not from loading cases:

- single-valued columns are counted with `SUM(CASE WHEN column = value ...)`
  per value of their fixed vocabulary, all in one scan;
- the JSON list columns (categories, domains) are counted the same way,
  with the case lists' member test (`reporting.cases.lists.json_list_holds`):
  jsonb containment on PostgreSQL, the quoted value (`"export_control"`) in
  the JSON text on SQLite, which is exact because the model refuses any
  value outside the vocabulary. A case counts once under each of its
  categories, so these counts overlap and do not add up to the cases
  received.

Times to acknowledgement and to closure are measured in whole hours (both
ends are hour-rounded), so the database returns a histogram (hours → cases)
instead of one row per case, and the median and 90th percentile are read
from it exactly (linear interpolation between ranks, as PostgreSQL's
`percentile_cont`). They cover the cases received in the period that have
been acknowledged (closed) so far.

Overdue cases are counted as of now over all cases, whatever the period;
a closed case is never overdue.

Transparency export: suppression rule
-------------------------------------

The export is meant to be published, so small counts, which could point at
a single reporter or company, are withheld. With k = `transparency_min_count`:

1. Primary suppression: every count below k, zero included, is shown as
   "<k". (Suppressing zeros too means a suppressed cell always ranges over
   0..k-1, and a "<k" does not reveal that something happened.)
2. Complementary suppression: priorities and statuses each split the cases
   received in a period, and outcomes split the period's closed cases, so a
   table's cells add up to a total that can be learnt (from the "received"
   row or from the status table). Whenever those sums would pin a suppressed
   cell to a single non-zero value (for instance when it is the only one
   suppressed), the smallest published cell of the table is withheld too,
   shown as "suppressed", until none can be. A complementary cell is at
   least k, so the most the sums can then tell about a "<k" cell is a range
   (or that it is zero).
3. If a period's closed count is withheld, every outcome cell of that period
   is withheld too, or the outcomes would add up to it.
4. Category and domain counts overlap (a case has several), so no sum
   recovers one of them; they get primary suppression only and no total.
5. No totals across periods are exported, and only whole, finished periods
   (calendar quarters or years): a total over periods, or a second export
   of a period still filling up, would let a suppressed cell be worked out
   by subtraction. Publish one granularity only, for the same reason.
   Statuses and outcomes are as of the export.

The export holds no queue names, no intake types and nothing about users.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    exists,
    func,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from reporting.cases.lists import json_list_holds
from reporting.core import clock
from reporting.core.models import (
    Domain,
    IntakeType,
    Outcome,
    PartKind,
    Priority,
    Queue,
    Report,
    ReportPart,
    ReportStatus,
    RiskCategory,
)

MAX_MONTHS = 120
DEFAULT_MONTHS = 12
MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")

UNSCORED = "unscored"  # no priority yet: waiting for triage
NOT_RECORDED = "not_recorded"  # closed without an outcome
NOT_ROUTED = "Not routed yet"


class MetricsError(ValueError):
    """A period or option the metrics cannot be computed for; the message says why."""


# ---------------------------------------------------------------- months and periods


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def of(cls, moment: datetime) -> Month:
        moment = moment.astimezone(UTC)
        return cls(moment.year, moment.month)

    @classmethod
    def parse(cls, text: str, name: str) -> Month:
        match = MONTH_PATTERN.fullmatch(text.strip())
        if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
            raise MetricsError(f"the {name} month must look like 2025-03, not {text[:40]!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def quarter(self) -> str:
        return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class MonthRange:
    """The months from `first` to `last`, both included."""

    first: Month
    last: Month

    @property
    def months(self) -> tuple[Month, ...]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        return tuple(self.first.plus(offset) for offset in range(count))

    @property
    def start(self) -> datetime:
        return self.first.start()

    @property
    def end(self) -> datetime:
        """The first moment after the range."""
        return self.last.plus(1).start()

    def __str__(self) -> str:
        return f"{self.first} to {self.last}"


def month_range(first: str | None, last: str | None, *, now: datetime | None = None) -> MonthRange:
    """The months asked for (`YYYY-MM`, both optional); by default the last 12, this one too."""
    this_month = Month.of(now or clock.now())
    end = Month.parse(last, "to") if last else this_month
    begin = Month.parse(first, "from") if first else end.plus(1 - DEFAULT_MONTHS)
    if begin > end:
        raise MetricsError(f"the period starts ({begin}) after it ends ({end})")
    span = MonthRange(begin, end)
    if len(span.months) > MAX_MONTHS:
        raise MetricsError(f"a period can cover at most {MAX_MONTHS} months")
    return span


# ---------------------------------------------------------------- portable SQL helpers


class _MonthOf(FunctionElement[str]):
    """`YYYY-MM` of a UTC time column."""

    type = String()
    inherit_cache = True
    name = "month_of"


@compiles(_MonthOf)
def _month_of_sqlite(element: _MonthOf, compiler: SQLCompiler, **kw: object) -> str:
    # SQLite stores UtcDateTime as naive UTC text ("2025-03-01 14:00:00.000000").
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(_MonthOf, "postgresql")
def _month_of_postgresql(element: _MonthOf, compiler: SQLCompiler, **kw: object) -> str:
    # timestamptz: convert to UTC explicitly, whatever the session's time zone.
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM')"


class _HoursBetween(FunctionElement[int]):
    """Whole hours from the first time column to the second."""

    type = Integer()
    inherit_cache = True
    name = "hours_between"


@compiles(_HoursBetween)
def _hours_between_sqlite(element: _HoursBetween, compiler: SQLCompiler, **kw: object) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 24) AS INTEGER)"


@compiles(_HoursBetween, "postgresql")
def _hours_between_postgresql(element: _HoursBetween, compiler: SQLCompiler, **kw: object) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end}) - ({start})) / 3600) AS INTEGER)"


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# ---------------------------------------------------------------- case counts


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
                for value in RiskCategory
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
    month = _MonthOf(Report.received_hour)
    in_period = and_(Report.received_hour >= period.start, Report.received_hour < period.end)
    dimensions = _dimensions(session.get_bind().dialect.name)
    columns: list[ColumnElement[Any]] = [month, func.count()]
    for dimension in dimensions:
        columns.extend(_count_where(condition) for _value, condition in dimension.conditions)
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
    session: Session, period: MonthRange, month: _MonthOf, in_period: ColumnElement[bool]
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


# ---------------------------------------------------------------- durations and overdue


@dataclass(frozen=True)
class DurationSummary:
    label: str
    cases: int  # how many cases the figures cover
    median_days: float | None
    p90_days: float | None


def _percentile(histogram: Mapping[int, int], fraction: float) -> float | None:
    """The `fraction` quantile of the values the histogram counts (linear interpolation)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    position = fraction * (total - 1)
    below, above = int(position), min(int(position) + 1, total - 1)
    ordered = sorted(histogram.items())

    def value_at(rank: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if rank < seen:
                return value
        return ordered[-1][0]

    low, high = value_at(below), value_at(above)
    return low + (high - low) * (position - below)


def _duration(
    session: Session,
    period: MonthRange,
    end: InstrumentedAttribute[datetime | None],
    label: str,
) -> DurationSummary:
    hours = _HoursBetween(Report.received_hour, end)
    rows = session.execute(
        select(hours, func.count())
        .where(
            Report.received_hour >= period.start,
            Report.received_hour < period.end,
            end.is_not(None),
        )
        .group_by(hours)
    ).all()
    histogram = Counter({int(value): int(count) for value, count in rows})
    median, p90 = _percentile(histogram, 0.5), _percentile(histogram, 0.9)
    return DurationSummary(
        label=label,
        cases=sum(histogram.values()),
        median_days=None if median is None else median / 24,
        p90_days=None if p90 is None else p90 / 24,
    )


def durations(session: Session, period: MonthRange) -> tuple[DurationSummary, DurationSummary]:
    """Time to acknowledgement and to closure of the cases received in `period`."""
    return (
        _duration(session, period, Report.acknowledged_hour, "Time to acknowledgement"),
        _duration(session, period, Report.closed_hour, "Time to closure"),
    )


@dataclass(frozen=True)
class OverdueCounts:
    as_of: datetime
    acknowledgement: int  # ack_due passed, not acknowledged
    feedback: int  # feedback_due passed, not closed
    narrative: int  # narrative_due passed, no full narrative filed


def overdue_counts(session: Session, *, now: datetime | None = None) -> OverdueCounts:
    """Open cases past one of their deadlines, now."""
    moment = now or clock.now()
    is_open = Report.status != ReportStatus.CLOSED
    has_narrative = exists().where(
        ReportPart.report_id == Report.id, ReportPart.kind == PartKind.NARRATIVE
    )
    acknowledgement, feedback, narrative = session.execute(
        select(
            _count_where(
                and_(is_open, Report.ack_due < moment, Report.acknowledged_hour.is_(None))
            ),
            _count_where(and_(is_open, Report.feedback_due < moment)),
            _count_where(and_(is_open, Report.narrative_due < moment, ~has_narrative)),
        )
    ).one()
    return OverdueCounts(moment, int(acknowledgement), int(feedback), int(narrative))


# ---------------------------------------------------------------- transparency export


class Granularity(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"


class Suppression(StrEnum):
    PRIMARY = "primary"  # below k
    COMPLEMENTARY = "complementary"  # withheld so that a primary cannot be worked out


@dataclass(frozen=True)
class Cell:
    value: str
    count: int
    suppression: Suppression | None = None

    def shown(self, k: int) -> int | str:
        """What is published: the count, "<k", or "suppressed"."""
        if self.suppression is Suppression.PRIMARY:
            return f"<{k}"
        if self.suppression is Suppression.COMPLEMENTARY:
            return "suppressed"
        return self.count


@dataclass(frozen=True)
class TransparencyPeriod:
    period: str
    received: Cell
    tables: Mapping[str, tuple[Cell, ...]]  # dimension → cells


@dataclass(frozen=True)
class TransparencyReport:
    k: int
    granularity: Granularity
    covers: MonthRange
    periods: tuple[TransparencyPeriod, ...] = field(default=())

    def rows(self) -> Iterable[tuple[str, str, str, int | str]]:
        """(period, dimension, value, shown count), the CSV's rows."""
        for period in self.periods:
            yield period.period, "cases", "received", period.received.shown(self.k)
            for dimension, cells in period.tables.items():
                for cell in cells:
                    yield period.period, dimension, cell.value, cell.shown(self.k)

    def as_json(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "granularity": self.granularity.value,
            "from": str(self.covers.first),
            "to": str(self.covers.last),
            "rule": TRANSPARENCY_RULE.format(k=self.k),
            "periods": [
                {
                    "period": period.period,
                    "received": period.received.shown(self.k),
                    **{
                        dimension: {cell.value: cell.shown(self.k) for cell in cells}
                        for dimension, cells in period.tables.items()
                    },
                }
                for period in self.periods
            ],
        }


TRANSPARENCY_RULE = (
    "Counts below {k} (zero included) are shown as '<{k}'. Where the counts of a table add up"
    " to a published total (priority and status: cases received; outcome: cases closed), further"
    " cells are shown as 'suppressed' so that no '<{k}' cell can be worked out by subtraction."
    " Category and domain counts overlap (a case can have several) and have no total. There are"
    " no totals across periods; only finished periods are included."
)

# Dimensions in the export; queue and intake type are left out on purpose.
EXPORT_DIMENSIONS = ("category", "domain", "priority", "status", "outcome")


def _pinned(counts: Sequence[int], marks: Sequence[Suppression | None], k: int) -> bool:
    """Whether the table's sum pins some primary-suppressed cell to one non-zero value.

    The reader knows the sum S of the withheld cells (total minus the
    published ones), that each "<k" lies in 0..k-1, and that each
    complementary cell is at least k.
    """
    primaries = [c for c, m in zip(counts, marks, strict=True) if m is Suppression.PRIMARY]
    complements = sum(1 for m in marks if m is Suppression.COMPLEMENTARY)
    if not primaries:
        return False
    withheld = sum(c for c, m in zip(counts, marks, strict=True) if m is not None)
    if complements:
        low, high = 0, min(k - 1, withheld - complements * k)
    else:
        low = max(0, withheld - (len(primaries) - 1) * (k - 1))
        high = min(k - 1, withheld)
    return low == high and low > 0


def suppress(counts: Sequence[int], k: int, *, total_published: bool) -> list[Suppression | None]:
    """The suppression of each cell of one table (see the module docstring)."""
    marks: list[Suppression | None] = [Suppression.PRIMARY if c < k else None for c in counts]
    while total_published and _pinned(counts, marks, k):
        published = [index for index, mark in enumerate(marks) if mark is None]
        if not published:
            break
        smallest = min(published, key=lambda index: counts[index])
        marks[smallest] = Suppression.COMPLEMENTARY
    return marks


def _period_of(month: Month, granularity: Granularity) -> str:
    return f"{month.year:04d}" if granularity is Granularity.YEAR else month.quarter


def export_range(
    first: str | None, last: str | None, granularity: Granularity, *, now: datetime | None = None
) -> MonthRange:
    """The whole, finished periods that the months asked for touch.

    Widened to whole periods, and cut at the last period that has ended.
    With no months asked for, the last period that has ended: the current
    one never has, so a default of "this year" would be refused every time.
    """
    moment = now or clock.now()
    size = _period_months(granularity)
    finished = _period_start(Month.of(moment), size).plus(-1)
    if first is None and last is None:
        return MonthRange(_period_start(finished, size), finished)
    asked = month_range(first, last, now=moment)
    begin = _period_start(asked.first, size)
    end = min(_period_start(asked.last, size).plus(size - 1), finished)
    if end < begin:
        raise MetricsError(
            f"no {granularity.value} in {asked} has ended yet: only finished periods are exported"
        )
    return MonthRange(begin, end)


def exportable_range(
    shown: MonthRange, granularity: Granularity, *, now: datetime | None = None
) -> MonthRange:
    """What the export offered beside `shown` covers: its finished periods, else the last one."""
    try:
        return export_range(str(shown.first), str(shown.last), granularity, now=now)
    except MetricsError:
        return export_range(None, None, granularity, now=now)


def _period_months(granularity: Granularity) -> int:
    return 12 if granularity is Granularity.YEAR else 3


def _period_start(month: Month, size: int) -> Month:
    return Month(month.year, (month.month - 1) // size * size + 1)


def parse_granularity(text: str | None) -> Granularity:
    try:
        return Granularity(text or Granularity.YEAR)
    except ValueError:
        raise MetricsError(f"period must be quarter or year, not {text!r}") from None


def transparency_report(
    session: Session, period: MonthRange, granularity: Granularity, k: int
) -> TransparencyReport:
    """Counts per period for publication, with small counts suppressed."""
    counts = case_counts(session, period)
    period_names = list(dict.fromkeys(_period_of(m, granularity) for m in period.months))

    def folded(per_month: Mapping[str, int], name: str) -> int:
        return sum(
            count
            for month_key, count in per_month.items()
            if _period_of(Month.parse(month_key, "month"), granularity) == name
        )

    periods = []
    for name in period_names:
        received_count = folded(counts.received, name)
        received = Cell(
            "received", received_count, suppress([received_count], k, total_published=False)[0]
        )
        tables: dict[str, tuple[Cell, ...]] = {}
        for dimension in EXPORT_DIMENSIONS:
            breakdown = counts.breakdown(dimension)
            values = breakdown.values
            cell_counts = [
                folded({m: c.get(v, 0) for m, c in breakdown.by_month.items()}, name)
                for v in values
            ]
            if breakdown.overlapping:
                marks = suppress(cell_counts, k, total_published=False)
            elif dimension == "outcome":
                closed = tables["status"][list(counts.breakdown("status").values).index("closed")]
                if closed.suppression is None:
                    marks = suppress(cell_counts, k, total_published=True)
                else:
                    marks = [
                        Suppression.PRIMARY if c < k else Suppression.COMPLEMENTARY
                        for c in cell_counts
                    ]
            else:
                marks = suppress(cell_counts, k, total_published=received.suppression is None)
            tables[dimension] = tuple(
                Cell(value, count, mark)
                for value, count, mark in zip(values, cell_counts, marks, strict=True)
            )
        periods.append(TransparencyPeriod(name, received, tables))
    return TransparencyReport(k=k, granularity=granularity, covers=period, periods=tuple(periods))
