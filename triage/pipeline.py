"""The triage pipeline: extract, fire indicators, screen the parties, assess, route.

`run_triage` is deterministic: the same report with the same indicator file,
list versions and rule-set version gives the same result, and the result's
`versions` names them (docs/triage.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from triage.extract import VOCABULARY_VERSION, extract
from triage.indicators import INDICATORS_VERSION, fire_indicators
from triage.model import Extraction, ScreeningHit, TriageResult
from triage.routing import Ruleset, route
from triage.scoring import POSSIBLE_HIT_THRESHOLD, assess
from triage.screening import Screener


def list_versions(screener: Screener) -> str:
    """The loaded lists as `source:version` pairs, sorted: `bis_dpl:…,ofac_sdn:…,un:…`."""
    return ",".join(f"{source}:{version}" for source, version in sorted(screener.versions.items()))


def screen_parties(extraction: Extraction, screener: Screener) -> tuple[ScreeningHit, ...]:
    """Every extracted party screened with its country and the report's IMO numbers.

    The IMO numbers are passed with every party because a report rarely says
    which party a vessel belongs to; the screener only uses them to sharpen
    hits on entries that list the same number. One hit per (list, entry,
    queried name), the best; ordered best first, then by list and entry.
    """
    identifiers = tuple(f"IMO {number}" for number, _evidence in extraction.vessels)
    best: dict[tuple[str, str, str], ScreeningHit] = {}
    seen: set[tuple[str, str | None]] = set()
    for party in extraction.parties:
        query = (party.name, party.country)
        if query in seen:
            continue
        seen.add(query)
        # Down to the possible-hit threshold: scoring weighs possible hits
        # too, and investigators should see them in the findings.
        for hit in screener.screen(
            party.name,
            country=party.country,
            identifiers=identifiers,
            threshold=POSSIBLE_HIT_THRESHOLD,
        ):
            key = (hit.list_source, hit.entry_id, hit.queried_name)
            if key not in best or hit.score > best[key].score:
                best[key] = hit
    return tuple(sorted(best.values(), key=lambda hit: (-hit.score, hit.list_source, hit.entry_id)))


def involved_countries(extraction: Extraction) -> tuple[str, ...]:
    """Countries the report involves: its places and its parties' countries."""
    countries = {place.country for place in extraction.places}
    countries.update(party.country for party in extraction.parties if party.country)
    return tuple(sorted(countries))


def reporter_conflicts(report: Mapping[str, Any]) -> tuple[str, ...]:
    names = report.get("conflicts", [])
    if not isinstance(names, Sequence) or isinstance(names, str):
        return ()
    return tuple(name for name in names if isinstance(name, str) and name.strip())


def run_triage(
    report: Mapping[str, Any],
    *,
    intake_type: str,
    screener: Screener,
    ruleset: Ruleset,
) -> TriageResult:
    """The full triage result for a report body (docs/report-format.md)."""
    extraction = extract(report)
    indicators = tuple(fire_indicators(report, extraction))
    hits = screen_parties(extraction, screener)
    assessment = assess(extraction, indicators, hits, intake_type)
    routing = route(
        assessment,
        intake_type,
        involved_countries(extraction),
        ruleset.rules,
        ruleset.version,
        excluded_names=reporter_conflicts(report),
    )
    return TriageResult(
        extraction=extraction,
        indicators=indicators,
        hits=hits,
        assessment=assessment,
        routing=routing,
        versions={
            "vocabulary": VOCABULARY_VERSION,
            "indicators": INDICATORS_VERSION,
            "lists": list_versions(screener),
            "ruleset": str(ruleset.version),
        },
    )


class NotAReportBody(ValueError):
    """The JSON is not a report body of docs/report-format.md; the message says why."""


def intake_type_of(body: object) -> str:
    """The intake type of a report body (`tip` or `disclosure`), after checking its shape."""
    if not isinstance(body, Mapping):
        raise NotAReportBody("a report body is a JSON object")
    if body.get("format") != 1 or isinstance(body.get("format"), bool):
        raise NotAReportBody('a report body has "format": 1 (docs/report-format.md)')
    form = body.get("form")
    if form not in ("tip", "disclosure"):
        raise NotAReportBody('a report body has "form": "tip" or "disclosure"')
    return str(form)
