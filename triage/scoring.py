"""Score, priority, categories and WMD domains: additive and explainable.

`assess(extraction, indicators, hits, intake_type) -> Assessment`.

The score is a plain sum; every term is one line of `reasons`, so an
investigator can see why a report is P1 and an auditor can recompute it:

- each fired indicator adds its weight (from the versioned indicator file);
- each screening hit adds `round(HIT_WEIGHT * score)` when its score is at
  least `HIT_THRESHOLD`, and `WMD_PROGRAM_BONUS` more when the listed entry is
  under a proliferation program (NPWMD, DPRK, Iran, non-proliferation); a
  weaker hit at or above `POSSIBLE_HIT_THRESHOLD` adds `POSSIBLE_HIT_WEIGHT`.
  Screening adds at most `MAX_SCREENING` in all, so one name on many lists
  does not drown the rest of the evidence;
- each distinct WMD domain found adds `DOMAIN_WEIGHT`.

Priority from the score: P1 at `P1_MIN` or more, P2 at `P2_MIN`, P3 at
`P3_MIN`, else P4. One floor: a strong hit (`STRONG_HIT`) on a
proliferation program is P1 whatever the rest says, because a listed WMD
proliferator in a report is urgent on its own.

Categories: a category is reported when its fired indicators weigh at least
`CATEGORY_MIN` together (one weak, generic phrase is not enough to send a
report to a unit), plus `sanctions` for any hit at or above
`HIT_THRESHOLD`; `other` when nothing qualifies. Domains: from the goods
named and the control codes (`code_domains`).

Everything is sorted in a fixed order, so the same inputs give the same
`Assessment`, byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence

from triage.extract import code_domains
from triage.model import (
    Assessment,
    Category,
    Domain,
    Extraction,
    FiredIndicator,
    Priority,
    ScreeningHit,
)

__all__ = [
    "CATEGORY_MIN",
    "HIT_THRESHOLD",
    "P1_MIN",
    "P2_MIN",
    "P3_MIN",
    "POSSIBLE_HIT_THRESHOLD",
    "WMD_PROGRAMS",
    "assess",
    "priority_for",
]

P1_MIN = 120
P2_MIN = 70
P3_MIN = 35
CATEGORY_MIN = 12
HIT_THRESHOLD = 0.85
POSSIBLE_HIT_THRESHOLD = 0.7
STRONG_HIT = 0.92
HIT_WEIGHT = 40
POSSIBLE_HIT_WEIGHT = 8
WMD_PROGRAM_BONUS = 20
MAX_SCREENING = 100
DOMAIN_WEIGHT = 5

# Program tags (upper-cased) that mark a proliferation listing: OFAC's NPWMD,
# IFSR, DPRK/DPRK2/3/4, IRAN; the UN's 1718 (DPRK) and 2231 (Iran) regimes as
# tagged by the importer.
WMD_PROGRAMS = frozenset(
    {
        "NPWMD", "IFSR", "NONPRO", "IRAN", "DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA",
        "KP", "IR", "UN-1718", "UN-2231", "1718", "2231",
    }
)  # fmt: skip

_CATEGORY_ORDER = {category: index for index, category in enumerate(Category)}
_DOMAIN_ORDER = {domain: index for index, domain in enumerate(Domain)}


def priority_for(score: int) -> Priority:
    """The documented thresholds: P1 >= 120, P2 >= 70, P3 >= 35, else P4."""
    if score >= P1_MIN:
        return Priority.P1
    if score >= P2_MIN:
        return Priority.P2
    if score >= P3_MIN:
        return Priority.P3
    return Priority.P4


def _is_wmd(hit: ScreeningHit) -> bool:
    return any(program.upper() in WMD_PROGRAMS for program in hit.programs)


def assess(
    extraction: Extraction,
    indicators: Sequence[FiredIndicator],
    hits: Sequence[ScreeningHit],
    intake_type: str,
) -> Assessment:
    """The additive score with one reason per term, its priority, categories and domains."""
    score = 0
    reasons: list[str] = [f"intake: {intake_type}"]
    category_weight: dict[Category, int] = {}

    for indicator in sorted(indicators, key=lambda i: i.id):
        score += indicator.weight
        category_weight[indicator.category] = (
            category_weight.get(indicator.category, 0) + indicator.weight
        )
        reasons.append(
            f"+{indicator.weight} indicator {indicator.id} ({indicator.category}): "
            f"{indicator.title}"
        )

    # Best hit per listed entry first, so the cap keeps the strongest evidence.
    ordered_hits = sorted(
        hits, key=lambda h: (-h.score, h.list_source, h.entry_id, h.matched_name, h.queried_name)
    )
    seen_entries: set[tuple[str, str]] = set()
    screening = 0
    strong_wmd = False
    for hit in ordered_hits:
        entry = (hit.list_source, hit.entry_id)
        if entry in seen_entries or hit.score < POSSIBLE_HIT_THRESHOLD:
            continue
        seen_entries.add(entry)
        programs = ",".join(sorted(hit.programs)) or "no program"
        if hit.score >= HIT_THRESHOLD:
            points = round(HIT_WEIGHT * hit.score) + (WMD_PROGRAM_BONUS if _is_wmd(hit) else 0)
            kind = "hit"
            strong_wmd = strong_wmd or (hit.score >= STRONG_HIT and _is_wmd(hit))
        else:
            points, kind = POSSIBLE_HIT_WEIGHT, "possible hit"
        points = min(points, MAX_SCREENING - screening)
        if points <= 0:
            reasons.append(f"+0 {kind} on {hit.list_source} {hit.entry_id} (screening capped)")
            continue
        screening += points
        score += points
        reasons.append(
            f"+{points} {kind} {hit.score:.2f} on {hit.list_source} {hit.entry_id} "
            f"'{hit.matched_name}' [{programs}] for '{hit.queried_name}'"
        )

    domains: set[Domain] = {good.domain for good in extraction.goods}
    for code in extraction.codes:
        domains.update(code_domains(code))
    for domain in sorted(domains, key=_DOMAIN_ORDER.__getitem__):
        score += DOMAIN_WEIGHT
        reasons.append(f"+{DOMAIN_WEIGHT} domain {domain}")

    priority = priority_for(score)
    if strong_wmd and priority is not Priority.P1:
        priority = Priority.P1
        reasons.append("P1 floor: strong screening hit on a proliferation program")
    reasons.append(
        f"= {score} -> {priority} (P1 >= {P1_MIN}, P2 >= {P2_MIN}, P3 >= {P3_MIN}, else P4)"
    )

    categories = {c for c, weight in category_weight.items() if weight >= CATEGORY_MIN}
    if any(hit.score >= HIT_THRESHOLD for hit in hits):
        categories.add(Category.SANCTIONS)
    # `other` is the category of last resort: concealment language alone is
    # worth a look, but next to a real category it would only add noise.
    if len(categories) > 1:
        categories.discard(Category.OTHER)
    if not categories:
        categories.add(Category.OTHER)
    return Assessment(
        score=score,
        priority=priority,
        categories=tuple(sorted(categories, key=_CATEGORY_ORDER.__getitem__)),
        domains=tuple(sorted(domains, key=_DOMAIN_ORDER.__getitem__)),
        reasons=tuple(reasons),
    )
