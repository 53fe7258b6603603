"""Scoring: additive, explained, thresholds, categories and domains, deterministic."""

from __future__ import annotations

from triage.extract import extract
from triage.indicators import fire_indicators
from triage.model import Category, Domain, Evidence, FiredIndicator, Priority, ScreeningHit
from triage.scoring import P1_MIN, P2_MIN, P3_MIN, assess, priority_for


def flag(id_: str, category: Category, weight: int) -> FiredIndicator:
    return FiredIndicator(
        id_, f"title {id_}", "source", category, weight, (Evidence("f", 0, 1, "x"),)
    )


def hit(score: float, programs: tuple[str, ...] = ("NPWMD",), entry: str = "1") -> ScreeningHit:
    return ScreeningHit(
        "ofac_sdn", "v1", entry, "LISTED CO", "LISTED CO", programs, score, "Listed Co"
    )


def test_thresholds() -> None:
    assert priority_for(P1_MIN) is Priority.P1
    assert priority_for(P1_MIN - 1) is Priority.P2
    assert priority_for(P2_MIN) is Priority.P2
    assert priority_for(P3_MIN) is Priority.P3
    assert priority_for(P3_MIN - 1) is Priority.P4
    assert priority_for(0) is Priority.P4


def test_additive_with_a_reason_per_term() -> None:
    empty = extract({"form": "tip", "format": 1, "what_happened": "x"})
    result = assess(
        empty, [flag("A", Category.FINANCE, 10), flag("B", Category.FINANCE, 5)], [], "tip"
    )
    assert result.score == 15
    assert result.priority is Priority.P4
    assert result.categories == (Category.FINANCE,)
    assert any(r.startswith("+10 indicator A") for r in result.reasons)
    assert any(r.startswith("+5 indicator B") for r in result.reasons)
    assert result.reasons[-1].startswith("= 15 -> P4")


def test_weak_category_is_not_reported() -> None:
    empty = extract({"form": "tip", "format": 1, "what_happened": "x"})
    result = assess(empty, [flag("A", Category.OWNERSHIP, 6)], [], "tip")
    assert result.categories == (Category.OTHER,)


def test_screening_hits_and_wmd_floor() -> None:
    empty = extract({"form": "tip", "format": 1, "what_happened": "x"})
    strong = assess(empty, [], [hit(0.97)], "tip")
    assert Category.SANCTIONS in strong.categories
    assert strong.priority is Priority.P1  # strong hit on a proliferation program
    assert strong.score == round(40 * 0.97) + 20
    plain = assess(empty, [], [hit(0.9, programs=("SDGT",))], "tip")
    assert plain.score == 36
    assert plain.priority is Priority.P3
    possible = assess(empty, [], [hit(0.75)], "tip")
    assert possible.score == 8
    assert possible.categories == (Category.OTHER,)
    # The same entry twice counts once.
    assert assess(empty, [], [hit(0.9), hit(0.88)], "tip").score == 36 + 20


def test_domains_from_goods_and_codes() -> None:
    body = {
        "form": "tip", "format": 1,
        "what_happened": "Fermenters and thiodiglycol; ECCN 9A012 and 3A090; HS 8542.31.",
    }  # fmt: skip
    extraction = extract(body)
    result = assess(extraction, fire_indicators(body, extraction), [], "tip")
    assert result.domains == (Domain.CHEMICAL, Domain.BIOLOGICAL, Domain.MISSILE, Domain.MILITARY)


def test_deterministic_whatever_the_input_order() -> None:
    body = {
        "form": "tip", "format": 1,
        "what_happened": "A front company in Dubai bought maraging steel for Iran, paid in cash.",
    }  # fmt: skip
    extraction = extract(body)
    fired = fire_indicators(body, extraction)
    hits = [hit(0.9, entry="1"), hit(0.95, entry="2", programs=("IRAN",))]
    first = assess(extraction, fired, hits, "tip")
    again = assess(extraction, list(reversed(fired)), list(reversed(hits)), "tip")
    assert first == again
