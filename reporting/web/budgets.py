"""Shared budgets on the rate-limit storage, for limits decided inside a view.

Flask-Limiter's decorators decide before a view runs. Two of Vigil's limits
can only be decided later: whether a lookup failed is known once the case was
looked for, and what a proof of work costs depends on how many reports have
been accepted so far. Both count in the limiter's storage (memory, or Redis
shared by every worker and host) through the `limits` library, with the same
limit strings as the decorators, and like every limit in Vigil they are keyed
on nothing that identifies a sender (docs/limits.md).
"""

from __future__ import annotations

import math

from limits import RateLimitItem, parse_many
from limits.strategies import RateLimiter


class Budget:
    """One count shared by everybody, in each window of a limit string ("20 per minute")."""

    def __init__(self, strategy: RateLimiter, limit: str, key: str) -> None:
        self._strategy = strategy
        self._items = tuple(parse_many(limit))
        self._key = key

    def spend(self) -> bool:
        """Count one; False if some window's budget was already used up."""
        # Every window is counted, also once one is full: a list comprehension, not all().
        within = [self._strategy.hit(item, self._key) for item in self._items]
        return all(within)


class Tally:
    """How far a shared count is over its budget, for a price that rises with it.

    Each window counts up to `2**max_doublings` times its budget, so that the
    count above the budget is known (a plain limit stops counting at it).
    """

    def __init__(self, strategy: RateLimiter, limit: str, key: str, *, max_doublings: int) -> None:
        self._strategy = strategy
        self._budgets = tuple(parse_many(limit))
        self._counters = tuple(_scaled(item, 2**max_doublings) for item in self._budgets)
        self._key = key
        self._max_doublings = max_doublings

    def add(self) -> None:
        for counter in self._counters:
            self._strategy.hit(counter, self._key)

    def doublings(self) -> int:
        """0 below every window's budget, then 1 + how often the fullest window doubled it."""
        fullest = max(
            (
                (counter.amount - self._strategy.get_window_stats(counter, self._key).remaining)
                / budget.amount
                for budget, counter in zip(self._budgets, self._counters, strict=True)
            ),
            default=0.0,
        )
        if fullest < 1:
            return 0
        return min(self._max_doublings, math.floor(math.log2(fullest)) + 1)


def _scaled(item: RateLimitItem, factor: int) -> RateLimitItem:
    return type(item)(item.amount * factor, item.multiples, item.namespace)
