"""The one clock: every reading of the time in Vigil asks this module.

Deadlines, lockouts, sessions, proof-of-work expiry, retention, metrics
periods and audit timestamps all depend on the date, and code that reads the
wall clock by itself can only be tested on the day the suite happens to run
(a yearly export that fails every December did exactly that). So the wall
clock is read here and nowhere else (tests/architecture/test_one_clock.py
checks the source), and tests set the clock to the dates that matter: month ends, leap
days, the last and first second of a year.

`now()` is an aware datetime in UTC; `monotonic()` measures durations;
`sleep()` waits on the same clock, so a test that has moved the clock on does
not also wait in real time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The machine's clock: what runs in production."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class PinnedClock:
    """A clock set to a chosen moment, for tests.

    Running (the default), it moves on at the machine's pace from `start`, so
    durations still pass as they would; stopped, it stands still until
    `advance()` moves it. Either way `advance()` jumps it forward.
    """

    def __init__(self, start: datetime, *, running: bool = True) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("naive datetime: the clock keeps UTC; pass an aware datetime")
        self._start = start.astimezone(UTC)
        self._running = running
        self._origin = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    def _elapsed(self) -> float:
        with self._lock:
            run = time.monotonic() - self._origin if self._running else 0.0
            return run + self._offset

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed())

    def monotonic(self) -> float:
        return self._elapsed()

    def sleep(self, seconds: float) -> None:
        if self._running:
            time.sleep(seconds)
        else:
            self.advance(timedelta(seconds=seconds))

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._offset += delta.total_seconds()


_current: Clock = SystemClock()


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return _current.now()


def monotonic() -> float:
    """Seconds on a clock that never goes back, for measuring durations."""
    return _current.monotonic()


def sleep(seconds: float) -> None:
    _current.sleep(seconds)


def use(clock: Clock) -> Clock:
    """Make `clock` the one every caller asks; returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous
