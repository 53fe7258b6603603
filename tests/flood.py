"""An attacker at full speed and an honest user at the same time, for the denial-of-service tests.

`flood` runs the attacker in threads, each with its own test client, as fast
as the app answers, until the honest user is done (or a time limit), and
counts what the attacker got; the honest user's attempts run in the test's
own thread meanwhile. The figures are printed, so `pytest -s` shows them.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# However long the honest user takes, the attack stops after this.
MAX_SECONDS = 20.0
# The honest user starts once the attack has had its effect (`ready`), or after this.
MAX_HEAD_START_SECONDS = 8.0


@dataclass
class AttackRecord:
    """What the attacker's requests got, by status."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def add(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1


@contextmanager
def flood(
    attack: Callable[[int], Callable[[], int]],
    *,
    ready: Callable[[AttackRecord], bool],
    threads: int = 3,
) -> Iterator[AttackRecord]:
    """Run `attack(n)()` in a loop in each of `threads` threads while the block runs.

    `attack(n)` is called once in thread n to set it up (a client of its own)
    and returns one attempt, which answers the status it got. The block starts
    once `ready` says the attack has had its effect (a limit bites, the store
    is full), so the honest user meets the attack at its worst.
    """
    record = AttackRecord()
    stop = threading.Event()
    started = time.monotonic()

    def run(number: int) -> None:
        try:
            attempt = attack(number)
            while not stop.is_set() and time.monotonic() - started < MAX_SECONDS:
                record.add(attempt())
        except Exception as error:  # reported by the test, not lost in a thread
            record.errors.append(f"{type(error).__name__}: {error}")

    workers = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(threads)]
    for worker in workers:
        worker.start()
    while not ready(record) and time.monotonic() - started < MAX_HEAD_START_SECONDS:
        time.sleep(0.01)
    try:
        yield record
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=MAX_SECONDS)


@dataclass
class HonestRecord:
    succeeded: int
    attempts: int
    seconds: float


def honest_attempts(attempt: Callable[[int], bool], count: int = 10) -> HonestRecord:
    """Make `count` honest attempts one after the other; each says whether it succeeded."""
    started = time.monotonic()
    succeeded = sum(1 for n in range(count) if attempt(n))
    return HonestRecord(succeeded, count, time.monotonic() - started)


def report(name: str, honest: HonestRecord, attack: AttackRecord) -> str:
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(attack.statuses.items()))
    line = (
        f"\n[{name}] honest user: {honest.succeeded}/{honest.attempts} succeeded"
        f" in {honest.seconds:.1f} s during the attack;"
        f" attacker: {attack.requests} requests ({statuses})"
    )
    print(line)
    return line
