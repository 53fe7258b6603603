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
- `codes`: extracted codes by `scheme`, `prefixes`, `exclude`, `groups`
  (the product group letter of an ECCN or EU code: `E` technology),
  `chpl_tier_max` / `chpl_tier_min`;
- `goods`: control-list goods of the given `domains`;
- `countries`: places (or, with `roles`, parties of those roles) in the listed
  countries or `$sets`;
- `free_trade_zone`, `webmail`, `vessels`: any such finding;
- `roles`: a structured party with one of these roles;
- `amount_min`: an amount of at least this many US dollars, other
  currencies counted by their order of magnitude (`triage.amounts.usd_estimate`):
  300 million won or 40 million toman is no large sum;
- `parties_min`, `countries_min`: at least this many parties or countries.

All phrase matchers of all indicators share one `PhraseMatcher`, so the text
is scanned once whatever the number of flags.

Polarity. A phrase found in the text is read with the words around it, in
the same clause (a sentence's end or a contrast word such as "but", "aber",
"но", "لكن", "但是" closes a clause). The file's `cues` list, per language,
the words that negate (`negation`: "no", "without", "kein", "sin", "без",
"بدون", "没有", only just before the phrase; `negation_verb`: "not",
"never", "nicht", "не", "لم", "نگرفت", "未", before or after it), that
affirm a permission (`affirmation`: "granted", "erteilt", "выдана", "获批"),
that say a thing was not needed (`exemption`: "required", "erforderlich",
"нужна", "لازم", "需要"), that look negative and are not (`pseudo`: "not
only", "no doubt") and that close a clause (`boundary`). A phrase matcher's
`polarity` chooses how they count:

- `asserted` (the default): the phrase is a red flag as written ("military
  end use", "sanctioned", "without a licence"), and does not count when a
  negation stands before it ("no military end use", "never shipped without a
  licence") or a negating verb right after it ("sanctions were not
  breached");
- `negated`: the phrase names a topic that is a red flag only when denied
  ("export licence", "Genehmigung", "лицензия", "许可证"): it counts when a
  negation is near ("no licence was obtained", "never applied for a
  licence", "лицензию не получали") and no exemption is ("no licence was
  required", "did not need a licence") and no affirmation is nearer than the
  negation ("the licence was granted and not revoked");
- `any`: the words around do not matter.

Hub routes. `hub_route` (`hubs`, `to`: codes or `$sets`) fires when a
transit hub and a destination of concern are tied together: named in the
same sentence (or anywhere in the `route` field), or a structured consignee,
buyer or intermediary in a hub with an end user or buyer in a country of
concern, or a route that ends in another country than every consignee's.
A hub named in an ordinary sale ("our distributor in Dubai") is not enough.

`route_transit`: a route field through a country that is neither where it
starts nor where it ends. An indicator with `within: "sentence"` fires only
when every matcher's evidence lies in one sentence.

Dated regimes. An indicator with `after` (an ISO date) does not fire when
every date the report gives (`triage.dates.find_dates` over its fields) ends
before that date: the Russia and Belarus restrictions of 24 February 2022 say
nothing about a 2015 shipment. A report that gives no date is not excused.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from triage.amounts import usd_estimate
from triage.dates import find_dates
from triage.extract import TextField, report_fields
from triage.model import Category, Evidence, Extraction, FiredIndicator
from triage.text import PhraseMatcher, entry_phrases, words_of

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
        "countries_min", "polarity", "hub_route", "route_transit",
    }
)  # fmt: skip
_POLARITIES = frozenset({"asserted", "negated", "any"})
# The kinds `_structured` reads from the extraction (not the text).
_STRUCTURED = _KINDS - {"phrases", "phrases_i18n", "fields", "regex", "polarity"}

# Cue kinds (the file's `cues`), as the values of the cue matcher.
NEGATION, NEGATION_VERB, AFFIRMATION, EXEMPTION, PSEUDO, BOUNDARY = range(6)
_CUE_KINDS = {
    "negation": NEGATION,
    "negation_verb": NEGATION_VERB,
    "affirmation": AFFIRMATION,
    "exemption": EXEMPTION,
    "pseudo": PSEUDO,
    "boundary": BOUNDARY,
}
# Words between a cue and the phrase it bears on: a determiner or preposition
# ("no", "without") governs the next few words, a verb's negation a clause.
NEGATION_REACH = 2
VERB_REACH_BEFORE = 5
VERB_REACH_AFTER = 3
CUE_REACH_AFTER = 4
# Farther than any reach above: the words around a phrase where its cues lie.
_CUE_WINDOW = max(NEGATION_REACH + 1, VERB_REACH_BEFORE, VERB_REACH_AFTER, CUE_REACH_AFTER + 1) + 1
# Sentence ends between two words: .!?;: followed by a space, CJK and Arabic marks, new lines.
_CLAUSE_END = re.compile(
    r"[.!?;:\u061f\u061b][\s\"'\u201d\u00bb)]|[\n\u3002\uff01\uff1f\uff1b\u061f\u061b]"
)
# The marks `_CLAUSE_END` takes when a space follows them.
_STOP_MARK = re.compile("[.!?;:\u061f\u061b]")
_ROUTE_FIELDS = ("route",)
# Structured parties' fields: their countries are read from the parties themselves.
_PARTY_FIELDS = ("parties", "company", "company_address", "contact_name", "contact_role")


@dataclass(frozen=True)
class Matcher:
    number: int  # global, for the shared phrase index
    spec: Mapping[str, Any]
    regex: re.Pattern[str] | None
    countries: frozenset[str]
    hubs: frozenset[str] = frozenset()
    concern: frozenset[str] = frozenset()
    structured: bool = False  # has a kind `_structured` reads


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    source: str
    category: Category
    weight: int
    any_of: tuple[Matcher, ...]
    all_of: tuple[Matcher, ...]
    after: date | None = None  # fires only if some date of the report is on or after it
    within: str | None = None  # "sentence": every matcher's evidence in one sentence


@dataclass(frozen=True)
class IndicatorSet:
    version: str
    indicators: tuple[Indicator, ...]
    phrases: PhraseMatcher
    cues: PhraseMatcher  # negation, affirmation, exemption ... words (the file's `cues`)


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
        if spec.get("polarity", "asserted") not in _POLARITIES:
            raise ValueError(f"unknown polarity {spec['polarity']!r}")

        def codes(entries: Sequence[str]) -> frozenset[str]:
            out: set[str] = set()
            for entry in entries:
                out.update(sets[entry[1:]] if entry.startswith("$") else [entry])
            return frozenset(out)

        countries = codes(spec.get("countries", {}).get("in", []))
        hub_route = spec.get("hub_route", {})
        regex = re.compile(spec["regex"]) if "regex" in spec else None
        for phrase, language in entry_phrases(spec):
            phrases.append((phrase, number, language))
        number += 1
        return Matcher(
            number - 1,
            spec,
            regex,
            countries,
            codes(hub_route.get("hubs", [])),
            codes(hub_route.get("to", [])),
            structured=not _STRUCTURED.isdisjoint(spec),
        )

    for raw in data["indicators"]:
        if raw.get("within", "sentence") != "sentence":
            raise ValueError(f"indicator {raw['id']}: unknown 'within' {raw['within']!r}")
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
                after=date.fromisoformat(raw["after"]) if "after" in raw else None,
                within=raw.get("within"),
            )
        )
    cues = [
        (phrase, _CUE_KINDS[kind], language)
        for kind, by_language in data.get("cues", {}).items()
        for language, words in sorted(by_language.items())
        for phrase in words
    ]
    return IndicatorSet(
        str(data["version"]), tuple(indicators), PhraseMatcher(phrases), PhraseMatcher(cues)
    )


INDICATORS_VERSION: str = load_indicators().version


class _Context:
    """The words of one field around each phrase found in it: clauses and cues.

    Built only for a field where a phrase matched, from the words extraction
    already tokenised (`TextField.match_words`): no second pass over the text.
    """

    def __init__(self, field: TextField, cues: PhraseMatcher) -> None:
        words = words_of(field)
        spans = words.spans
        self.count = len(spans)
        self.starts = [start for start, _ in spans]
        self.ends = [end for _, end in spans]
        found = [
            (self._index(a, b), kind) for a, b, kinds in cues.find_all(field) for kind in kinds
        ]
        # Pseudo-negations by first word, with the farthest last word so far: a cue
        # lies inside one when some pseudo-negation starting at or before it ends
        # at or after it (bisection, not a pass over them per cue).
        pseudo = sorted(span for span, kind in found if kind == PSEUDO)
        pseudo_firsts = [first for first, _ in pseudo]
        pseudo_reach: list[int] = []
        for _, last in pseudo:
            pseudo_reach.append(max(last, pseudo_reach[-1]) if pseudo_reach else last)

        def in_pseudo(first: int, last: int) -> bool:
            index = bisect_right(pseudo_firsts, first)
            return index > 0 and pseudo_reach[index - 1] >= last

        # (first word, last word, kind), pseudo-negations' own words taken out,
        # in order of first word
        self.cues = sorted(
            (first, last, kind)
            for (first, last), kind in found
            if kind != PSEUDO and not in_pseudo(first, last)
        )
        self.cue_firsts = [first for first, _, _ in self.cues]
        # the longest cue, in words: bounds the cues to look at around a phrase
        self.cue_length = max((last - first for first, last, _ in self.cues), default=0)
        self.negation_ends = sorted(
            last for _, last, kind in self.cues if kind in (NEGATION, NEGATION_VERB)
        )
        self.verb_ends = sorted(last for _, last, kind in self.cues if kind == NEGATION_VERB)
        self.breaks = self._breaks(field.text, {f for f, _, k in self.cues if k == BOUNDARY})

    def _breaks(self, text: str, boundaries: set[int]) -> list[int]:
        """The words that open a new clause, in order: after a clause end or at a boundary cue.

        A clause ends in the gap between two words when `_CLAUSE_END` matches
        in it, or when it ends in a stop mark (the gap read as if a space
        followed), except a "." right after a one-letter word ("U.S.", "J. Smith").
        Found from the marks in the text, not word by word.
        """
        starts, ends = self.starts, self.ends
        after_mark = {bisect_left(starts, m.end()) for m in _CLAUSE_END.finditer(text)}
        for mark in _STOP_MARK.finditer(text):
            # a stop mark right before a word, after the previous word's end
            index = bisect_left(starts, mark.end())
            if index < self.count and starts[index] == mark.end():
                after_mark.add(index)
        breaks = set(boundaries)
        for index in after_mark:
            if 0 < index < self.count:
                previous = ends[index - 1]
                short = previous - starts[index - 1] == 1
                if not (short and text[previous] == "."):
                    breaks.add(index)
        return sorted(b for b in breaks if 0 < b < self.count)

    def _clause(self, index: int) -> int:
        """The clause number of word `index`."""
        return bisect_right(self.breaks, index)

    def _index(self, start: int, end: int) -> tuple[int, int]:
        return bisect_left(self.ends, start + 1), bisect_right(self.starts, end - 1) - 1

    def polarity(self, start: int, end: int) -> str:
        """`negated`, `affirmed` or `plain`: how the words around a span read it."""
        first, last = self._index(start, end)
        if not self.count or first > last:
            return "plain"
        clause = self._clause(first)
        neg_before = neg_after = aff = None  # distance in words to the nearest cue
        negations_before: set[int] = set()  # where each negation before the phrase starts
        exempt = False
        # Every cue that counts lies within _CUE_WINDOW words of the phrase.
        low = bisect_left(self.cue_firsts, first - _CUE_WINDOW - self.cue_length)
        high = bisect_right(self.cue_firsts, last + _CUE_WINDOW)
        for c_first, c_last, kind in self.cues[low:high]:
            if kind == BOUNDARY:
                continue
            if c_last < first:
                distance = first - c_last
                if self._clause(c_last) != clause:
                    continue
            elif c_first > last:
                distance = c_first - last
                if self._clause(c_first) != clause:
                    continue
            else:
                continue  # the phrase's own words
            before = c_last < first
            reach = NEGATION_REACH + 1 if kind == NEGATION else VERB_REACH_BEFORE
            if kind in (NEGATION, NEGATION_VERB) and before and distance <= reach:
                negations_before.add(c_first)
                neg_before = min(distance, neg_before or distance)
            elif kind == NEGATION_VERB and not before and distance <= VERB_REACH_AFTER:
                neg_after = min(distance, neg_after or distance)
            elif kind == EXEMPTION:
                if not before and distance <= CUE_REACH_AFTER:
                    exempt = True
                elif before and distance <= VERB_REACH_BEFORE:
                    # "did not need a licence", not "without the required licence"
                    exempt = exempt or _ends_just_before(self.verb_ends, c_first)
            elif kind == AFFIRMATION and distance <= CUE_REACH_AFTER + 1:
                # "not granted", "не получили", "未获得": a negated affirmation is a negation
                if _ends_just_before(self.negation_ends, c_first):
                    continue
                aff = min(distance, aff or distance)
        if len(negations_before) >= 2:
            # "never shipped without a licence": two negations cancel out
            neg_before = None
        negation = min((d for d in (neg_before, neg_after) if d is not None), default=None)
        if negation is not None and not exempt and (aff is None or negation <= aff):
            return "negated"
        if aff is not None or exempt:
            return "affirmed"
        return "plain"


def _ends_just_before(ends: list[int], first: int) -> bool:
    """Whether a cue ending at one of `ends` (sorted) ends one or two words before `first`."""
    index = bisect_left(ends, first - 2)
    return index < len(ends) and ends[index] < first


def _sentence_of(marks: list[tuple[int, int]], length: int, at: int) -> tuple[int, int]:
    """The bounds of the sentence around offset `at` of a text of `length` characters
    whose clause ends (`_CLAUSE_END` matches, in order) are `marks`."""
    index = bisect_right(marks, (at, at))
    # the last clause end that ends by `at`, the first that starts at or after it
    before = index
    while before > 0 and marks[before - 1][1] > at:
        before -= 1
    start = marks[before - 1][1] if before else 0
    following = bisect_left(marks, (at, -1))
    return start, marks[following][0] + 1 if following < len(marks) else length


def _in_one_sentence(
    groups: list[list[Evidence]], texts: Mapping[str, str]
) -> list[list[Evidence]]:
    """The evidence of the sentences where every group has some, or [] when none does."""
    marks: dict[str, list[tuple[int, int]]] = {}
    sentences: set[tuple[str, int, int]] = set()
    for evidence in groups[0]:
        text = texts.get(evidence.field, "")
        if evidence.field not in marks:
            # each field's clause ends found once, each evidence's sentence by bisection
            marks[evidence.field] = [m.span() for m in _CLAUSE_END.finditer(text)]
        bounds = _sentence_of(marks[evidence.field], len(text), evidence.start)
        sentences.add((evidence.field, *bounds))

    def inside(e: Evidence, sentence: tuple[str, int, int]) -> bool:
        return e.field == sentence[0] and sentence[1] <= e.start and e.end <= sentence[2]

    kept = [s for s in sentences if all(any(inside(e, s) for e in g) for g in groups)]
    if not kept:
        return []
    return [[e for e in group if any(inside(e, s) for s in kept)] for group in groups]


def _counts(polarity: str, reading: str) -> bool:
    """Whether a phrase found in a context of `reading` counts for a matcher of `polarity`."""
    if polarity == "any":
        return True
    if polarity == "negated":
        return reading == "negated"
    return reading != "negated"


# Farthest apart a hub and a destination named in one sentence may be (characters).
HUB_REACH = 300


def _hub_route(
    matcher: Matcher,
    extraction: Extraction,
    fields: Mapping[str, TextField],
    by_field: Mapping[str, set[tuple[int, int, str]]],
) -> list[Evidence]:
    """A hub tied to a destination of concern (see the module's docstring)."""
    hubs, concern = matcher.hubs, matcher.concern
    texts = {path: field.text for path, field in fields.items()}
    found: set[Evidence] = set()
    # Every mention, not extraction's first one per country (`_places_by_field`).
    for path, spans in by_field.items():
        text = texts.get(path, "")
        hub_spans = sorted(s for s in spans if s[2] in hubs)
        concern_spans = sorted(s for s in spans if s[2] in concern)
        if not hub_spans or not concern_spans:
            continue
        if path.split("[")[0] in _ROUTE_FIELDS:
            # a route names its hubs and destinations: every one counts
            found.update(Evidence(path, a, b, text[a:b]) for a, b, _ in hub_spans + concern_spans)
            continue
        # In free text, a hub and a destination within HUB_REACH characters and
        # no clause end between: only the destinations near each hub are tried.
        concern_starts = [start for start, _, _ in concern_spans]
        longest = max(end - start for start, end, _ in concern_spans)
        for hub in hub_spans:
            low = bisect_left(concern_starts, hub[0] - HUB_REACH - longest)
            high = bisect_right(concern_starts, hub[1] + HUB_REACH)
            for other in concern_spans[low:high]:
                a, b = sorted((hub, other))
                if b[0] - a[1] > HUB_REACH:
                    continue
                pair = [
                    Evidence(path, start, end, text[start:end]) for start, end, _ in (hub, other)
                ]
                if found.issuperset(pair) or _CLAUSE_END.search(text, a[1], max(a[1], b[0])):
                    continue
                found.update(pair)
    forwarding = {"consignee", "intermediary", "freight_forwarder", "buyer"}
    destinations = {"end_user", "buyer"}
    hub_parties = [p for p in extraction.parties if p.role in forwarding and p.country in hubs]
    concern_parties = [
        p for p in extraction.parties if p.role in destinations and p.country in concern
    ]
    if hub_parties and concern_parties:
        found.update(p.evidence for p in hub_parties + concern_parties)
    # A route through a third country to a destination of concern ("US -> China -> Iran").
    for path, countries in _route_countries(by_field):
        if len(countries) >= 3 and countries[-1][2] in concern:
            text = texts[path]
            found.update(Evidence(path, a, b, text[a:b]) for a, b, _ in countries)
    # A route that ends in another country than every consignee's (the invoice's).
    consignees = {p.country for p in extraction.parties if p.role == "consignee" and p.country}
    for path, spans in by_field.items():
        if path.split("[")[0] not in _ROUTE_FIELDS or not consignees:
            continue
        ordered = sorted(spans)
        last = ordered[-1]
        hub_consignee = any(s[2] in consignees and s[2] in hubs for s in ordered[:-1])
        if last[2] not in consignees and hub_consignee:
            text = texts[path]
            found.update(Evidence(path, a, b, text[a:b]) for a, b, _ in ordered)
    return sorted(found, key=lambda e: (e.field, e.start, e.end, e.text))


def _route_countries(
    by_field: Mapping[str, set[tuple[int, int, str]]],
) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Each route field's places in order, one per stretch in the same country."""
    out = []
    for path, spans in sorted(by_field.items()):
        if path.split("[")[0] not in _ROUTE_FIELDS:
            continue
        stops: list[tuple[int, int, str]] = []
        for span in sorted(spans):
            if not stops or stops[-1][2] != span[2]:
                stops.append(span)
        out.append((path, stops))
    return out


def _places_by_field(
    extraction: Extraction, fields: Mapping[str, TextField]
) -> dict[str, set[tuple[int, int, str]]]:
    """Every place mention per field: the gazetteer's and extraction's own (zones, ports)."""
    by_field: dict[str, set[tuple[int, int, str]]] = {}
    for place in extraction.places:
        e = place.evidence
        by_field.setdefault(e.field, set()).add((e.start, e.end, place.country))
    for path, field in fields.items():
        if path.split("[")[0] in _PARTY_FIELDS:
            continue
        for match in field.places:
            by_field.setdefault(path, set()).add((match.start, match.end, match.country))
    return by_field


_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff]")


def _mentions(evidence: Evidence, fields: Mapping[str, TextField]) -> list[Evidence]:
    """A place's evidence and the other mentions of the same word in its
    field: extraction keeps a place once, and a flag read within a sentence
    needs it where the sentence names it ("Russia ... the Russian buyer paid")."""
    field = fields.get(evidence.field)
    if field is None or not evidence.text:
        return [evidence]
    text, word = field.text, evidence.text
    found = [evidence]
    at = text.find(word)
    while at != -1:
        # At the start of a word ("Iran" in "Iranian", not inside another word);
        # Chinese and Japanese have no start of a word to look for.
        starts_word = at == 0 or not text[at - 1].isalpha() or _CJK.match(word) is not None
        if at != evidence.start and starts_word:
            found.append(Evidence(evidence.field, at, at + len(word), word))
        at = text.find(word, at + len(word))
    return found


def _structured(
    matcher: Matcher,
    extraction: Extraction,
    fields: Mapping[str, TextField],
    places: dict[str, dict[str, set[tuple[int, int, str]]]],
    every_mention: bool = False,
) -> list[Evidence]:
    """Evidence for the matcher kinds that look at the extraction, not the text.

    `places` keeps the report's `_places_by_field` (under "") once a matcher
    needed it, for the next one; `every_mention`, for a flag read within a
    sentence, gives a country at each mention of its word (`_mentions`).
    """

    def by_field() -> dict[str, set[tuple[int, int, str]]]:
        if "" not in places:
            places[""] = _places_by_field(extraction, fields)
        return places[""]

    spec = matcher.spec
    found: list[Evidence] = []
    if "codes" in spec:
        want = spec["codes"]
        scheme = want.get("scheme")
        prefixes = tuple(want.get("prefixes", ()))
        exclude = frozenset(want.get("exclude", ()))
        groups = frozenset(want.get("groups", ()))
        for code in extraction.codes:
            if scheme and code.scheme != scheme:
                continue
            if code.code in exclude or (prefixes and not code.code.startswith(prefixes)):
                continue
            # The product group, an ECCN's or EU code's letter: D software, E technology.
            if groups and code.code[1:2].upper() not in groups:
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
            chosen = [p.evidence for p in extraction.places if p.country in matcher.countries]
            if every_mention:
                chosen = [mention for evidence in chosen for mention in _mentions(evidence, fields)]
            found += chosen
    if "hub_route" in spec:
        found += _hub_route(matcher, extraction, fields, by_field())
    if spec.get("route_transit"):
        # A route through a country that is neither where it starts nor where it ends.
        for path, stops in _route_countries(by_field()):
            if len({country for _, _, country in stops}) >= 3:
                text = fields[path].text
                found += [Evidence(path, a, b, text[a:b]) for a, b, _ in stops]
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
        least = spec["amount_min"]
        found += [
            a.evidence for a in extraction.amounts if usd_estimate(a.value, a.currency) >= least
        ]
    if "parties_min" in spec:
        # Parties the report places in the trade (a role or a country): a
        # colleague named in passing is no party to a network.
        placed = [p for p in extraction.parties if p.role or p.country]
        if len(placed) >= spec["parties_min"]:
            found += [p.evidence for p in placed]
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

    texts = {field.path: field.text for field in fields}
    by_path = {field.path: field for field in fields}

    # One scan of every field for every phrase of every indicator, each match
    # with how the words around it read it (negated, affirmed or plain).
    by_matcher: dict[int, list[tuple[Evidence, str]]] = {}
    for field in fields:
        matches = indicator_set.phrases.find_all(field)
        context = _Context(field, indicator_set.cues) if matches else None
        for start, end, numbers in matches:
            reading = context.polarity(start, end) if context else "plain"
            for number in numbers:
                by_matcher.setdefault(number, []).append(
                    (Evidence(field.path, start, end, field.text[start:end]), reading)
                )

    places: dict[str, dict[str, set[tuple[int, int, str]]]] = {}

    def evidence_for(matcher: Matcher, every_mention: bool = False) -> list[Evidence]:
        spec = matcher.spec
        found: list[Evidence] = []
        if "phrases" in spec or "phrases_i18n" in spec:
            polarity = spec.get("polarity", "asserted")
            allowed = [e for e, r in by_matcher.get(matcher.number, ()) if _counts(polarity, r)]
            if spec.get("fields"):
                paths = {f.path for f in fields if _field_allowed(spec, f)}
                allowed = [e for e in allowed if e.field in paths]
            found += allowed
        if matcher.regex is not None:
            for field in fields:
                if _field_allowed(spec, field):
                    found += [
                        Evidence(field.path, m.start(), m.end(), field.text[m.start() : m.end()])
                        for m in matcher.regex.finditer(field.folded)
                    ]
        if matcher.structured:
            found += _structured(matcher, extraction, by_path, places, every_mention)
        return found

    dates_known: bool | None = None
    all_dates: list[date] = []

    fired: list[FiredIndicator] = []
    for indicator in indicator_set.indicators:
        groups: list[list[Evidence]] = []
        in_sentence = indicator.within == "sentence"
        for matcher in indicator.all_of:
            found = evidence_for(matcher, in_sentence)
            if not found:
                break
            groups.append(found)
        else:
            if indicator.any_of:
                found_any = [e for m in indicator.any_of for e in evidence_for(m, in_sentence)]
                if not found_any:
                    continue
                groups.append(found_any)
            if in_sentence:
                groups = _in_one_sentence(groups, texts)
                if not groups:
                    continue
            if indicator.after is not None:
                # Read the report's dates only when a dated indicator is about to fire.
                if dates_known is None:
                    spans = find_dates((f.text for f in fields), extraction.language)
                    dates_known = bool(spans)
                    all_dates = [span.last for span in spans]
                if dates_known and all(last < indicator.after for last in all_dates):
                    continue
            evidence = [e for group in groups for e in group]
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
