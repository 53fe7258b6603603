"""The public transparency export: counts per whole period, small ones suppressed.

Suppression rule
----------------

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from reporting.core import clock
from reporting.metrics.counts import case_counts
from reporting.metrics.periods import MetricsError, Month, MonthRange, month_range


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
