"""The typed values that cross triage's module boundaries.

Everything here is immutable and JSON-serialisable (`to_json`), because a
triage result is stored encrypted as the report's FINDINGS record and shown
to investigators as it was computed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    """Risk categories: what a report is about.

    The one definition: reports store these values (reports.categories), the
    console filters and the metrics count by them.
    """

    EXPORT_CONTROL = "export_control"
    SANCTIONS = "sanctions"
    DIVERSION = "diversion"
    END_USE = "end_use"
    FINANCE = "finance"
    OWNERSHIP = "ownership"
    TECHNOLOGY_TRANSFER = "technology_transfer"
    OTHER = "other"


class Domain(StrEnum):
    """WMD domain tags, stored as they are in reports.domains."""

    NUCLEAR = "nuclear"
    CHEMICAL = "chemical"
    BIOLOGICAL = "biological"
    MISSILE = "missile"
    MILITARY = "military"


class Priority(StrEnum):
    """P1 is the most urgent; the values sort in order of urgency (reports.priority)."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


@dataclass(frozen=True)
class Evidence:
    """Where something was found: a body field (e.g. `parties[2].name`) and a span in it."""

    field: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Party:
    name: str
    role: str  # the form's role, or "" when the name was found in free text
    country: str | None  # ISO 3166-1 alpha-2, when known
    evidence: Evidence


@dataclass(frozen=True)
class Code:
    """A commodity or control-list code: an HS code (six digits), an ECCN or an EU dual-use code."""

    scheme: str  # "hs", "eccn", "eu_dual_use", "regime" (MTCR, NSG, AG, WA, CHPL, CWC, ML)
    code: str  # normalised: "854231" (a heading: "8542"), "3A001", "1C010", "MTCR 2", "ML10"
    evidence: Evidence
    chpl_tier: int | None = None  # Common High Priority List tier, for HS codes on it


@dataclass(frozen=True)
class Good:
    """Goods named in the control-list vocabulary."""

    term: str  # the vocabulary's canonical term, e.g. "maraging steel"
    domain: Domain
    evidence: Evidence


@dataclass(frozen=True)
class Place:
    """A country, city or free-trade zone the report names, with its country.

    `kind` says which, so that a rule can tell a country of concern from a
    transit hub's city named in passing: "country" (a country's name,
    demonym or code, or a country field), "city" (a city or port from the
    gazetteer, `name` its GeoNames name), "province" (a province, state or
    region, `name` its ISO 3166-2 name) or "free_trade_zone" (`free_trade_zone`
    its name).
    """

    country: str  # ISO 3166-1 alpha-2
    free_trade_zone: str | None  # e.g. "Jebel Ali Free Zone"
    evidence: Evidence
    kind: str = "country"  # "country", "city", "province", "free_trade_zone"
    name: str = ""  # the place's own name: "Tehran" for "Тегеране", a country's English name


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str  # ISO 4217
    evidence: Evidence


@dataclass(frozen=True)
class EmailDomain:
    domain: str
    free_webmail: bool
    evidence: Evidence


@dataclass(frozen=True)
class Extraction:
    parties: tuple[Party, ...] = ()
    codes: tuple[Code, ...] = ()
    goods: tuple[Good, ...] = ()
    places: tuple[Place, ...] = ()
    vessels: tuple[tuple[str, Evidence], ...] = ()  # IMO numbers, "IMO 9123456" -> "9123456"
    amounts: tuple[Amount, ...] = ()
    email_domains: tuple[EmailDomain, ...] = ()
    # ISO 639-1 code of the language the report is written in (triage.language),
    # None when its text is too short to tell or in a language triage has no phrases for.
    language: str | None = None


@dataclass(frozen=True)
class FiredIndicator:
    id: str
    title: str
    source: str
    category: Category
    weight: int
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class ScreeningHit:
    list_source: str  # "un", "ofac_sdn", "bis_dpl"
    list_version: str
    entry_id: str  # the listed entry's own reference
    matched_name: str  # the listed name or alias that matched
    primary_name: str
    programs: tuple[str, ...]  # e.g. ("NPWMD",), ("DPRK",)
    score: float  # in [0, 1]
    queried_name: str
    reasons: tuple[str, ...] = ()  # what sharpened or weakened the score


@dataclass(frozen=True)
class Assessment:
    score: int
    priority: Priority
    categories: tuple[Category, ...]
    domains: tuple[Domain, ...]
    reasons: tuple[str, ...]  # one line per contribution to the score


@dataclass(frozen=True)
class RoutingDecision:
    queue: str  # queue slug
    rule: str  # the rule that chose it
    ruleset_version: int
    excluded_names: tuple[str, ...] = ()  # conflict-of-interest names from the report


@dataclass(frozen=True)
class TriageResult:
    extraction: Extraction
    indicators: tuple[FiredIndicator, ...]
    hits: tuple[ScreeningHit, ...]
    assessment: Assessment
    routing: RoutingDecision
    versions: dict[str, str] = field(default_factory=dict)  # indicators, lists, ruleset

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
