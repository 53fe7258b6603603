"""Red-flag indicators: a versioned data file and the code that fires them.

`triage/data/indicators.json` holds the flags (id, title, source, category,
weight, matchers); this module only interprets the matcher kinds, so adding
or re-weighting a flag is a data change with a new `version`. An indicator
fires when every one of its `all` matchers and (if it has any) one of its
`any` matchers find evidence; the fired indicator keeps that evidence.

Matcher kinds (see the file's `_about`):

- `phrases`: word phrases over the text fields, optionally only `fields`;
  `phrases_i18n` maps a language (ISO 639-1) to the phrases its reporters
  write for the same flag (any script: `triage.text.PhraseMatcher`);
- `regex`: a regular expression over the same-length fold of the fields;
- `codes`: extracted codes by `scheme`, `prefixes`, `exclude`,
  `chpl_tier_max` / `chpl_tier_min`;
- `goods`: control-list goods of the given `domains`;
- `countries`: places (or, with `roles`, parties of those roles) in the listed
  countries or `$sets`;
- `free_trade_zone`, `webmail`, `vessels`: any such finding;
- `roles`: a structured party with one of these roles;
- `amount_min`: an amount of at least this value (any currency: a report
  that names a large sum in any currency deserves the look);
- `parties_min`, `countries_min`: at least this many parties or countries.

All phrase matchers of all indicators share one `PhraseMatcher`, so the text
is scanned once whatever the number of flags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from triage.extract import TextField, report_fields
from triage.model import Category, Evidence, Extraction, FiredIndicator
from triage.text import PhraseMatcher, entry_phrases

__all__ = [
    "INDICATORS_VERSION",
    "Indicator",
    "IndicatorSet",
    "fire_indicators",
    "load_indicators",
]

_DEFAULT_PATH = Path(__file__).parent / "data" / "indicators.json"
# Evidence kept per fired indicator: enough to show why, small enough to store.
MAX_EVIDENCE = 10

_KINDS = frozenset(
    {
        "phrases", "phrases_i18n", "fields", "regex", "codes", "goods", "countries",
        "free_trade_zone", "webmail", "vessels", "roles", "amount_min", "parties_min",
        "countries_min",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Matcher:
    number: int  # global, for the shared phrase index
    spec: Mapping[str, Any]
    regex: re.Pattern[str] | None
    countries: frozenset[str]


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    source: str
    category: Category
    weight: int
    any_of: tuple[Matcher, ...]
    all_of: tuple[Matcher, ...]


@dataclass(frozen=True)
class IndicatorSet:
    version: str
    indicators: tuple[Indicator, ...]
    phrases: PhraseMatcher


def _field_allowed(spec: Mapping[str, Any], field: TextField) -> bool:
    allowed = spec.get("fields")
    if not allowed:
        return True
    key = field.key
    return any(key == name or key.startswith(name + ".") for name in allowed)


def load_indicators(path: Path | None = None) -> IndicatorSet:
    """Read and check an indicator file (the packaged one by default)."""
    return _load(str(path or _DEFAULT_PATH))


@lru_cache(maxsize=4)
def _load(path: str) -> IndicatorSet:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    sets: dict[str, list[str]] = data.get("sets", {})
    indicators: list[Indicator] = []
    phrases: list[tuple[str, int, str]] = []
    seen: set[str] = set()
    number = 0

    def matcher(spec: Mapping[str, Any]) -> Matcher:
        nonlocal number
        unknown = set(spec) - _KINDS
        if unknown:
            raise ValueError(f"unknown matcher kind(s) {sorted(unknown)}")
        countries: set[str] = set()
        for entry in spec.get("countries", {}).get("in", []):
            countries.update(sets[entry[1:]] if entry.startswith("$") else [entry])
        regex = re.compile(spec["regex"]) if "regex" in spec else None
        for phrase, language in entry_phrases(spec):
            phrases.append((phrase, number, language))
        number += 1
        return Matcher(number - 1, spec, regex, frozenset(countries))

    for raw in data["indicators"]:
        if raw["id"] in seen:
            raise ValueError(f"duplicate indicator id {raw['id']}")
        seen.add(raw["id"])
        any_of = tuple(matcher(spec) for spec in raw.get("any", []))
        all_of = tuple(matcher(spec) for spec in raw.get("all", []))
        if not any_of and not all_of:
            raise ValueError(f"indicator {raw['id']} has no matcher")
        indicators.append(
            Indicator(
                id=raw["id"],
                title=raw["title"],
                source=raw["source"],
                category=Category(raw["category"]),
                weight=int(raw["weight"]),
                any_of=any_of,
                all_of=all_of,
            )
        )
    return IndicatorSet(str(data["version"]), tuple(indicators), PhraseMatcher(phrases))


INDICATORS_VERSION: str = load_indicators().version


def _structured(matcher: Matcher, extraction: Extraction) -> list[Evidence]:
    """Evidence for the matcher kinds that look at the extraction, not the text."""
    spec = matcher.spec
    found: list[Evidence] = []
    if "codes" in spec:
        want = spec["codes"]
        scheme = want.get("scheme")
        prefixes = tuple(want.get("prefixes", ()))
        exclude = frozenset(want.get("exclude", ()))
        for code in extraction.codes:
            if scheme and code.scheme != scheme:
                continue
            if code.code in exclude or (prefixes and not code.code.startswith(prefixes)):
                continue
            if "chpl_tier_max" in want and (
                code.chpl_tier is None or code.chpl_tier > want["chpl_tier_max"]
            ):
                continue
            if "chpl_tier_min" in want and (
                code.chpl_tier is None or code.chpl_tier < want["chpl_tier_min"]
            ):
                continue
            found.append(code.evidence)
    if "goods" in spec:
        domains = frozenset(spec["goods"].get("domains", ()))
        found += [g.evidence for g in extraction.goods if not domains or g.domain in domains]
    if "countries" in spec:
        roles = frozenset(spec["countries"].get("roles", ()))
        if roles:
            found += [
                p.evidence
                for p in extraction.parties
                if p.role in roles and p.country in matcher.countries
            ]
        else:
            found += [p.evidence for p in extraction.places if p.country in matcher.countries]
    if spec.get("free_trade_zone"):
        found += [p.evidence for p in extraction.places if p.free_trade_zone]
    if spec.get("webmail"):
        found += [e.evidence for e in extraction.email_domains if e.free_webmail]
    if spec.get("vessels"):
        found += [evidence for _, evidence in extraction.vessels]
    if "roles" in spec:
        roles = frozenset(spec["roles"])
        found += [p.evidence for p in extraction.parties if p.role in roles]
    if "amount_min" in spec:
        found += [a.evidence for a in extraction.amounts if a.value >= spec["amount_min"]]
    if "parties_min" in spec and len(extraction.parties) >= spec["parties_min"]:
        found += [p.evidence for p in extraction.parties]
    if "countries_min" in spec:
        countries = {p.country for p in extraction.places}
        if len(countries) >= spec["countries_min"]:
            found += [p.evidence for p in extraction.places]
    return found


def fire_indicators(
    report: Mapping[str, Any],
    extraction: Extraction,
    indicator_set: IndicatorSet | None = None,
    *,
    fields: Sequence[TextField] | None = None,
) -> list[FiredIndicator]:
    """The indicators the report fires, in file order, each with its evidence.

    `fields` may pass the report's `report_fields` when the caller already has
    them, to fold the text once.
    """
    indicator_set = indicator_set or load_indicators()
    fields = report_fields(report) if fields is None else fields
    order = {field.path: index for index, field in enumerate(fields)}

    # One scan of every field for every phrase of every indicator.
    by_matcher: dict[int, list[Evidence]] = {}
    for field in fields:
        for start, end, numbers in indicator_set.phrases.find_all(field):
            for number in numbers:
                by_matcher.setdefault(number, []).append(
                    Evidence(field.path, start, end, field.text[start:end])
                )

    def evidence_for(matcher: Matcher) -> list[Evidence]:
        spec = matcher.spec
        found: list[Evidence] = []
        if "phrases" in spec or "phrases_i18n" in spec:
            allowed = [e for e in by_matcher.get(matcher.number, ()) if not spec.get("fields")]
            if spec.get("fields"):
                paths = {f.path for f in fields if _field_allowed(spec, f)}
                allowed = [e for e in by_matcher.get(matcher.number, ()) if e.field in paths]
            found += allowed
        if matcher.regex is not None:
            for field in fields:
                if _field_allowed(spec, field):
                    found += [
                        Evidence(field.path, m.start(), m.end(), field.text[m.start() : m.end()])
                        for m in matcher.regex.finditer(field.folded)
                    ]
        found += _structured(matcher, extraction)
        return found

    fired: list[FiredIndicator] = []
    for indicator in indicator_set.indicators:
        evidence: list[Evidence] = []
        for matcher in indicator.all_of:
            found = evidence_for(matcher)
            if not found:
                break
            evidence += found
        else:
            if indicator.any_of:
                found_any = [e for m in indicator.any_of for e in evidence_for(m)]
                if not found_any:
                    continue
                evidence += found_any
            unique = sorted(
                set(evidence), key=lambda e: (order.get(e.field, -1), e.start, e.end, e.text)
            )
            fired.append(
                FiredIndicator(
                    id=indicator.id,
                    title=indicator.title,
                    source=indicator.source,
                    category=indicator.category,
                    weight=indicator.weight,
                    evidence=tuple(unique[:MAX_EVIDENCE]),
                )
            )
    return fired
