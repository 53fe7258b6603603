"""Reports are written by anyone, some hostile: odd characters and long runs of
text must neither crash triage nor make it slow."""

from __future__ import annotations

import time

import pytest

from triage.dates import find_dates
from triage.extract import extract
from triage.indicators import fire_indicators
from triage.places import find_places


@pytest.fixture(autouse=True, scope="module")
def _loaded() -> None:
    """Load the gazetteer and phrase tables once, outside the timed calls."""
    body = {"form": "tip", "format": 1, "what_happened": "Chips shipped to Iran via Dubai."}
    fire_indicators(body, extract(body))


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


def _fired(what: str, **fields: object) -> dict[str, list[str]]:
    body: dict[str, object] = {"form": "tip", "format": 1, "what_happened": what}
    body.update(fields)
    return {f.id: [e.text for e in f.evidence] for f in fire_indicators(body, extract(body))}


@pytest.mark.parametrize("unit", ["没有制裁", "no sanctions "])
def test_many_negated_phrases_are_read_quickly(unit: str) -> None:
    started = time.perf_counter()
    fired = _fired(unit * (50_000 // len(unit)))
    assert time.perf_counter() - started < 2
    assert isinstance(fired, dict)


def test_polarity_reads_the_same_among_many_cues() -> None:
    # a negated phrase and an affirmed one, far apart in a long text of cues
    filler = "no doubt. " * 3000
    plain = _fired("We ship chips to Russia. The licence was not granted.")
    long = _fired(filler + "We ship chips to Russia. The licence was not granted. " + filler)
    assert set(plain) == set(long)


def _fired_timed(what: str, **fields: object) -> tuple[dict[str, list[str]], float]:
    """The indicators fired and the seconds `fire_indicators` took (extraction not counted)."""
    body: dict[str, object] = {"form": "tip", "format": 1, "what_happened": what}
    body.update(fields)
    extraction = extract(body)
    started = time.perf_counter()
    fired = fire_indicators(body, extraction)
    seconds = time.perf_counter() - started
    return {f.id: [e.text for e in f.evidence] for f in fired}, seconds


def test_a_route_of_many_hubs_and_destinations_is_read_quickly() -> None:
    fired, seconds = _fired_timed("Electronics for the army.", route="Dubai, Iran, " * 2000)
    assert seconds < 2
    assert any("Dubai" in texts and "Iran" in texts for texts in fired.values())


def test_free_text_of_many_hubs_and_destinations_is_read_quickly() -> None:
    fired, seconds = _fired_timed("Shipped via Dubai to Iran, " * 2000)
    assert seconds < 2
    assert any("Dubai" in texts and "Iran" in texts for texts in fired.values())


def test_a_city_opening_a_sentence_after_a_full_stop_is_a_place() -> None:
    found = find_places("Shipped via Turkey. Tehran was the end user.")
    assert [(p.name, p.country) for p in found if p.name == "Tehran"] == [("Tehran", "IR")]


def test_a_long_hangul_word_is_read_quickly() -> None:
    started = time.perf_counter()
    assert find_places("이" * 50_000) == []
    assert time.perf_counter() - started < 2
    assert [p.country for p in find_places("이란으로부터 수입")] == ["IR"]


def test_folding_every_code_point_keeps_the_fold_tables_bounded() -> None:
    from triage import places, text

    every = "".join(chr(code) for code in range(0x80, 0x30000) if not 0xD800 <= code < 0xE000)
    folded = text.match_fold(every), places.fold(every)
    assert [len(f) for f in folded] == [len(every), len(every)]
    assert len(text._MATCH_TABLE) <= text.FOLD_TABLE_LIMIT
    assert len(places._FOLD_TABLE) <= text.FOLD_TABLE_LIMIT
    # A full table folds what it no longer remembers the same way.
    sample = "Тегеран دبي 深圳 \U0002a700"
    assert text.match_fold(sample) == "".join(text._match_char(char) for char in sample)
    assert places.fold(sample) == "".join(places._fold_char(char) for char in sample)
