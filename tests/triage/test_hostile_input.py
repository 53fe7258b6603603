"""Reports are written by anyone, some hostile: odd characters and long runs of
text must neither crash triage nor make it slow."""

from __future__ import annotations

import time

import pytest

from triage.dates import find_dates


@pytest.mark.parametrize("mark", ["\ufe70", "\u037a", "\uff9e"])
def test_a_mark_that_folds_to_nothing_before_a_year_is_no_month(mark: str) -> None:
    (span,) = find_dates([f"Goods went to Russia {mark} 2022"])
    assert (span.first.isoformat(), span.last.isoformat()) == ("2022-01-01", "2022-12-31")


def test_a_long_run_of_letters_before_a_year_is_read_quickly() -> None:
    text = "Goods went to Russia. " + "a" * 50_000 + "1 2022"
    started = time.perf_counter()
    found = find_dates([text])
    assert time.perf_counter() - started < 2
    assert [(d.first.year, d.last.year) for d in found] == [(2022, 2022)]
    # the word boundary keeps the ordinary forms
    found = find_dates(["on 24 February 2022 and March 2023", "el 5 de marzo de 2021"])
    assert [(d.first.isoformat(), d.last.isoformat()) for d in found] == [
        ("2022-02-24", "2022-02-24"),
        ("2023-03-01", "2023-03-31"),
        ("2021-03-05", "2021-03-05"),
    ]
