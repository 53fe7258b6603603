"""The months and periods the metrics cover, as the console and the export ask for them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from reporting.core import clock

MAX_MONTHS = 120
DEFAULT_MONTHS = 12
MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")


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
