"""Extraction on hostile report text: no non-finite amount, no quadratic scans."""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict

import pytest

from tests.triage.test_extract import tip
from triage.extract import extract


def test_an_amount_too_large_for_a_float_is_dropped() -> None:
    extraction = extract(tip("We were paid USD " + "9" * 400 + " and then EUR 5,000."))
    assert all(math.isfinite(amount.value) for amount in extraction.amounts)
    assert [(a.value, a.currency) for a in extraction.amounts] == [(5000.0, "EUR")]
    json.dumps(asdict(extraction), allow_nan=False)


def test_a_multiplier_making_an_amount_infinite_drops_it() -> None:
    extraction = extract(tip("USD " + "9" * 300 + " billion"))
    assert all(math.isfinite(amount.value) for amount in extraction.amounts)
    json.dumps(asdict(extraction), allow_nan=False)


def _seconds(text: str) -> float:
    extract(tip("Warm up: Mohsen Afrasiabi paid USD 2 million."))  # loads rigour's names
    start = time.perf_counter()
    extract(tip(text))
    return time.perf_counter() - start


def test_a_long_run_of_digit_groups_is_read_in_linear_time() -> None:
    assert _seconds("1" + " 000" * 5000) < 1.0


def test_a_long_run_before_an_at_sign_is_read_in_linear_time() -> None:
    assert _seconds("a" * 49999 + "@") < 1.0


def test_grouped_amounts_are_still_read() -> None:
    amounts = extract(tip("they paid USD 1 250 000 and 3.000.000 euros")).amounts
    assert [(a.value, a.currency) for a in amounts] == [(1250000.0, "USD"), (3000000.0, "EUR")]


@pytest.mark.parametrize(
    "text",
    ["dollars " * 20000, "million " * 20000 + "dollars", "美元" * 30000, "二" * 50000 + "元"],
)
def test_currency_and_number_words_repeated_are_read_in_linear_time(text: str) -> None:
    assert _seconds(text) < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Aa Bb Cc Dd " * 20000,  # runs of capitalised words, each a candidate person
        # a known given name before thousands of distinct family names
        " ".join(
            f"Mohsen {chr(65 + i % 26)}{chr(97 + i // 26 % 26)}{chr(97 + i // 676 % 26)}ov."
            for i in range(8000)
        ),
        "Mohsen-" * 30000,  # a hyphenated run that never ends
    ],
)
def test_capitalised_runs_are_read_in_linear_time(text: str) -> None:
    assert _seconds(text) < 2.0
