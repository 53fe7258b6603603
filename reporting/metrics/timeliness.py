"""How fast cases are acknowledged and closed, and how many are past a deadline now.

Times to acknowledgement and to closure are measured in whole hours (both
ends are hour-rounded), so the database returns a histogram (hours → cases)
instead of one row per case, and the median and 90th percentile are read
from it exactly (linear interpolation between ranks, as PostgreSQL's
`percentile_cont`). They cover the cases received in the period that have
been acknowledged (closed) so far.

Overdue cases are counted as of now over all cases, whatever the period;
a closed case is never overdue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from reporting.cases.deadlines import DeadlineKind, overdue_condition
from reporting.core import clock
from reporting.core.models import Report
from reporting.metrics.periods import MonthRange
from reporting.metrics.sql import HoursBetween, count_where


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
    hours = HoursBetween(Report.received_hour, end)
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
    acknowledgement, feedback, narrative = session.execute(
        select(
            count_where(overdue_condition(DeadlineKind.ACKNOWLEDGEMENT, moment)),
            count_where(overdue_condition(DeadlineKind.FEEDBACK, moment)),
            count_where(overdue_condition(DeadlineKind.NARRATIVE, moment)),
        )
    ).one()
    return OverdueCounts(moment, int(acknowledgement), int(feedback), int(narrative))
