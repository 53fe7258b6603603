"""The polarity context's clauses, read from the field's shared words, and dates' skip."""

from __future__ import annotations

from datetime import date

from triage.dates import find_dates
from triage.extract import report_fields
from triage.indicators import _Context, load_indicators


def _clauses(text: str) -> list[int]:
    (field,) = report_fields({"what_happened": text})
    context = _Context(field, load_indicators().cues)
    return [context._clause(index) for index in range(context.count)]


def test_clause_breaks() -> None:
    assert _clauses("no licence. We shipped") == [0, 0, 1, 1]
    assert _clauses("sent to the U.S. market") == [0, 0, 0, 0, 0, 0]  # one-letter word's dot
    assert _clauses("shipped; then.paid") == [0, 1, 2]  # a stop mark before a word
    assert _clauses("it was fine but no licence") == [0, 0, 0, 1, 1, 1]  # boundary cue


def test_context_reuses_the_fields_words() -> None:
    (field,) = report_fields({"what_happened": "Shipped without a licence."})
    context = _Context(field, load_indicators().cues)
    assert context.starts == [start for start, _ in field.match_words.spans]


def test_dates_skip_text_without_a_year() -> None:
    assert find_dates(["in March, on the 3rd", "code 8542.31"]) == []
    (span,) = find_dates(["in March 2023"])
    assert (span.first, span.last) == (date(2023, 3, 1), date(2023, 3, 31))
