"""Screening names against the loaded lists: `Screener.screen`.

Names on both sides go through `triage.text.name_tokens` (case, diacritics,
transliteration to ASCII, punctuation, legal forms). A listed name also gives
variants: the parts of ``A ; B`` and ``A D/B/A B``, and ``NAME (ACRONYM)``
both without the bracket and as the acronym alone.

**Finding candidates.** An inverted index maps each word, and each name's
words run together as written and sorted ("Alqaida" against "Al-Qaida"; an
exact name in any order), to the names that hold it. A query word also finds
indexed words one edit away (insert, delete, substitute, transpose; words of
four letters or more) through an index of single-letter deletions. Names
gather the inverse document frequency of the words they share with the query
(an edit away: `_FUZZY_WEIGHT` of it), rarest words first, a very common word
(``al``, ``mohammed``: more than `COMMON_POSTINGS` names) only re-weighting
names found already; the best `CANDIDATES` by weighted Dice are scored, and a
name too short or too long to reach the threshold is not.

**Score** of a query against one name, in [0, 1]: words are paired greedily
by similarity (rapidfuzz's normalised Indel similarity), each pair weighing
its letters; unpaired words on either side count as letters missed. So the
order of words does not matter, a typo costs a letter or two, and a name
with words the other lacks loses in proportion. The names run together are
also compared (``fuzz.ratio``) and the higher of the two is kept. Then:

- a low-quality alias (see `AliasQuality`) is worth ``LOW_ALIAS_FACTOR`` of its score;
- a query country in the entry's countries adds ``COUNTRY_MATCH_BONUS``; one
  outside them takes ``COUNTRY_MISMATCH_PENALTY`` (nothing when the entry
  names no country);
- a query IMO number among the entry's raises the score to at least
  ``IMO_MATCH_SCORE`` (an IMO number finds its vessel whatever the name);
  one that differs from the entry's takes ``IMO_MISMATCH_PENALTY``.

Each adjustment is written in the hit's reasons. A result at or above
`HIT_THRESHOLD` is a hit; `screen` returns one hit per entry (its best name),
best first, ties by list and entry id.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from triage.model import ScreeningHit
from triage.screening.countries import country_code
from triage.screening.entries import AliasQuality, ListEntry, ParsedList
from triage.text import LEGAL_FORMS, name_tokens

__all__ = [
    "COUNTRY_MATCH_BONUS",
    "COUNTRY_MISMATCH_PENALTY",
    "HIT_THRESHOLD",
    "IMO_MATCH_SCORE",
    "IMO_MISMATCH_PENALTY",
    "LOW_ALIAS_FACTOR",
    "Screener",
]

HIT_THRESHOLD = 0.85
LOW_ALIAS_FACTOR = 0.92
COUNTRY_MATCH_BONUS = 0.05
COUNTRY_MISMATCH_PENALTY = 0.10
IMO_MATCH_SCORE = 0.95
IMO_MISMATCH_PENALTY = 0.30

CANDIDATES = 40  # names scored per query, after blocking
COMMON_POSTINGS = 150  # a word in more names than this does not bring candidates alone
FUZZY_MIN_LENGTH = 4  # shorter words must match exactly to find candidates
FUZZY_MAX_LENGTH = 24  # longer ones are found by their other words
_FUZZY_WEIGHT = 0.8  # a word one edit away counts for this much of an exact one
_UNSEEN_IDF = 10.0  # the weight of a query word no listed name has
_PAIR_MIN = 0.75  # word pairs less similar than this are not paired

_SPLIT = re.compile(r"\s;\s|;|\s(?:d/b/a|a\.k\.a\.?|f\.k\.a\.?|n\.k\.a\.?|aka|fka|nka)\s", re.I)
_BRACKET = re.compile(r"\(([^()]*)\)")
_ALIAS_LEAD = re.compile(r"^\s*(?:a\.k\.a\.?|f\.k\.a\.?|n\.k\.a\.?|aka|fka|nka|d/b/a)[\s,:]*", re.I)
_IMO = re.compile(r"^\s*(?:IMO)?\s*:?\s*(\d{7})\s*$", re.IGNORECASE)


def name_variants(name: str) -> list[str]:
    """The forms a listed name is indexed under (the whole name first)."""
    variants = [name]
    for part in _SPLIT.split(name):
        part = part.strip()
        variants.append(part)
        if "(" in part:
            variants.append(_BRACKET.sub(" ", part))
            variants += [_ALIAS_LEAD.sub("", inner) for inner in _BRACKET.findall(part)]
    return [variant for variant in dict.fromkeys(v.strip() for v in variants) if variant]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# Long legal forms and their single-letter deletions: a query word one edit
# away from one ("copany", "limted", "corporaton") is a misspelt legal form.
_LONG_LEGAL_FORMS = frozenset(form for form in LEGAL_FORMS if len(form) >= 5)
_LEGAL_FORM_DELETIONS = frozenset(d for form in _LONG_LEGAL_FORMS for d in _deletions(form))


def _misspelt_legal_form(word: str) -> bool:
    if len(word) < 4 or word in _LONG_LEGAL_FORMS:
        return False
    return word in _LEGAL_FORM_DELETIONS or any(
        d in _LONG_LEGAL_FORMS or d in _LEGAL_FORM_DELETIONS for d in _deletions(word)
    )


def query_tokens(name: str) -> tuple[str, ...]:
    """`name_tokens`, also without misspelt long legal forms (if other words remain)."""
    tokens = name_tokens(name)
    kept = tuple(token for token in tokens if not _misspelt_legal_form(token))
    return kept or tokens


@dataclass(frozen=True, slots=True)
class _Name:
    entry: int  # index into Screener.entries
    listed: str  # the listed name or alias, as the list writes it
    tokens: tuple[str, ...]
    joined: str
    length: int  # letters in tokens
    low: bool


@dataclass(frozen=True, slots=True)
class _Query:
    tokens: tuple[str, ...]
    joined: str
    sorted_joined: str
    length: int


def _name_score(query: _Query, name: _Name) -> float:
    pairs = []
    for i, a in enumerate(query.tokens):
        la = len(a)
        for j, b in enumerate(name.tokens):
            if a == b:
                pairs.append((1.0, i, j))
                continue
            lb = len(b)
            # Indel similarity is at most 2 * min / (la + lb).
            if 2 * min(la, lb) < _PAIR_MIN * (la + lb):
                continue
            similarity = Indel.normalized_similarity(a, b, score_cutoff=_PAIR_MIN)
            if similarity:
                pairs.append((similarity, i, j))
    pairs.sort(reverse=True)
    used_query: set[int] = set()
    used_name: set[int] = set()
    matched = 0.0
    for similarity, i, j in pairs:
        if i in used_query or j in used_name:
            continue
        used_query.add(i)
        used_name.add(j)
        matched += similarity * (len(query.tokens[i]) + len(name.tokens[j]))
    token_score = matched / (query.length + name.length)
    if token_score == 1.0 or len(query.tokens) + len(name.tokens) == 2:
        return token_score
    return max(token_score, fuzz.ratio(query.joined, name.joined) / 100)


class Screener:
    """An in-memory index of list entries. Build once, screen many names; thread-safe to read."""

    def __init__(self, lists: Iterable[ParsedList]) -> None:
        self.entries: list[ListEntry] = []
        self._sources: list[str] = []  # per entry
        self.versions: dict[str, str] = {}  # source -> version label
        self._names: list[_Name] = []
        self._entry_names: list[range] = []  # per entry, its names' ids
        postings: dict[str, list[int]] = defaultdict(list)
        imo: dict[str, list[int]] = defaultdict(list)
        for parsed in lists:
            self.versions[parsed.source] = parsed.version_label
            for entry in parsed.entries:
                index = len(self.entries)
                self.entries.append(entry)
                self._sources.append(parsed.source)
                for number in entry.imo_numbers:
                    imo[number].append(index)
                self._add_names(index, entry, postings)
        self._postings = {key: tuple(ids) for key, ids in postings.items()}
        self._posting_sets = {
            key: frozenset(ids) for key, ids in postings.items() if len(ids) > COMMON_POSTINGS
        }
        self._imos = [entry.imo_numbers for entry in self.entries]
        self._imo = {key: tuple(ids) for key, ids in imo.items()}
        words = {token for name in self._names for token in name.tokens}
        total = max(len(self._names), 1)
        self._idf = {key: math.log(1 + total / len(ids)) for key, ids in self._postings.items()}
        # A name's own weight, for ranking candidates by Dice: 2 * shared / (query + name).
        self._norms = [sum(self._idf[token] for token in name.tokens) for name in self._names]
        deletions: dict[str, list[str]] = defaultdict(list)
        for key in words:
            if FUZZY_MIN_LENGTH <= len(key) <= FUZZY_MAX_LENGTH:
                for deleted in _deletions(key):
                    deletions[deleted].append(key)
        self._deletions = {key: tuple(words) for key, words in deletions.items()}

    def _add_names(self, index: int, entry: ListEntry, postings: dict[str, list[int]]) -> None:
        seen: set[tuple[str, ...]] = set()
        first = len(self._names)
        listed = [(entry.primary_name, False)]
        listed += [(alias.name, alias.quality is AliasQuality.LOW) for alias in entry.aliases]
        # Good names first, so a name listed both ways counts as good.
        for text, low in sorted(listed, key=lambda item: item[1]):
            for variant in name_variants(text):
                tokens = name_tokens(variant)
                if not tokens or tokens in seen:
                    continue
                seen.add(tokens)
                joined = "".join(tokens)
                name_id = len(self._names)
                self._names.append(_Name(index, text, tokens, joined, sum(map(len, tokens)), low))
                for key in {*tokens, joined, "".join(sorted(tokens))}:
                    postings[key].append(name_id)
        self._entry_names.append(range(first, len(self._names)))

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def name_count(self) -> int:
        return len(self._names)

    def _keys(self, word: str) -> list[tuple[str, float]]:
        """Indexed words that `word` finds, with the weight of the find."""
        found: dict[str, float] = {}
        if word in self._postings:
            found[word] = 1.0
        if len(word) >= FUZZY_MIN_LENGTH - 1:
            fuzzy = set(self._deletions.get(word, ()))
            if len(word) >= FUZZY_MIN_LENGTH:
                for deleted in _deletions(word):
                    if deleted in self._postings:
                        fuzzy.add(deleted)
                    fuzzy.update(self._deletions.get(deleted, ()))
            for key in fuzzy:
                found.setdefault(key, _FUZZY_WEIGHT)
        return list(found.items())

    def _candidates(self, query: _Query, imo_entries: Iterable[int]) -> set[int]:
        """The names worth scoring: the best by weighted Dice of shared (or near) words.

        Words are taken rarest first. A word held by more than `COMMON_POSTINGS`
        names (``al``, ``mohammed``) only adds weight to names found already,
        so it never floods the candidates; unless nothing was found yet, or it
        is the rarest of the query's own words (not one an edit away).
        """
        words = {*query.tokens, query.joined, query.sorted_joined}
        query_norm = 0.0
        found: list[tuple[int, str, float]] = []
        for word in words:
            keys = self._keys(word)
            if word in query.tokens:
                query_norm += max((self._idf[key] for key, _ in keys), default=_UNSEEN_IDF)
            found += [(len(self._postings[key]), key, weight) for key, weight in keys]
        found.sort()
        weights: dict[int, float] = defaultdict(float)
        exact_done = False
        for size, key, weight in found:
            gain = weight * self._idf[key]
            exact = weight == 1.0
            if size <= COMMON_POSTINGS or not weights or (exact and not exact_done):
                exact_done = exact_done or exact
                for name_id in self._postings[key]:
                    weights[name_id] += gain
            else:
                holders = self._posting_sets[key]
                for name_id in [n for n in weights if n in holders]:
                    weights[name_id] += gain
        norms = self._norms
        if len(weights) > CANDIDATES:
            ranked = [(w / (query_norm + norms[n]), n) for n, w in weights.items()]
            chosen = {name_id for _, name_id in heapq.nlargest(CANDIDATES, ranked)}
        else:
            chosen = set(weights)
        # Every name of an entry an IMO number points at.
        for entry in set(imo_entries):
            chosen.update(self._entry_names[entry])
        return chosen

    def screen(
        self,
        name: str,
        country: str | None = None,
        identifiers: Iterable[str] = (),
        *,
        threshold: float = HIT_THRESHOLD,
        limit: int = 10,
    ) -> list[ScreeningHit]:
        """The entries `name` may be, best first: those scoring `threshold` or more.

        `country`: an ISO code or a country name (one not known is ignored);
        `identifiers`: IMO numbers ("IMO 9187629" or "9187629"; others are ignored).
        """
        tokens = query_tokens(name)
        if not tokens:
            return []
        query = _Query(tokens, "".join(tokens), "".join(sorted(tokens)), sum(map(len, tokens)))
        query_country = country_code(country) if country else None
        query_imos = {m.group(1) for i in identifiers if (m := _IMO.match(i))}
        imo_entries = [e for number in query_imos for e in self._imo.get(number, ())]

        # The most a country or an IMO number can add; below that, a name is no hit.
        reach = threshold - (COUNTRY_MATCH_BONUS if query_country else 0.0)
        imo_set = set(imo_entries)
        best: dict[int, tuple[float, _Name]] = {}
        for name_id in self._candidates(query, imo_set):
            listed = self._names[name_id]
            # Both scores are at most 2 * min / (sum) of the letters compared.
            ceiling = 2 * min(query.length, listed.length) / (query.length + listed.length)
            if ceiling < reach and listed.entry not in imo_set:
                continue
            score = _name_score(query, listed)
            if listed.low:
                score *= LOW_ALIAS_FACTOR
            current = best.get(listed.entry)
            if current is None or score > current[0]:
                best[listed.entry] = (score, listed)

        hits = []
        for index, (name_score, listed) in best.items():
            if name_score < reach and index not in imo_set:
                continue
            entry = self.entries[index]
            score, reasons = self._adjust(
                self._imos[index], entry, name_score, listed, query_country, query_imos, name
            )
            if score >= threshold:
                hits.append(
                    ScreeningHit(
                        list_source=self._sources[index],
                        list_version=self.versions[self._sources[index]],
                        entry_id=entry.entry_id,
                        matched_name=listed.listed,
                        primary_name=entry.primary_name,
                        programs=entry.programs,
                        score=round(score, 4),
                        queried_name=name,
                        reasons=tuple(reasons),
                    )
                )
        hits.sort(key=lambda hit: (-hit.score, hit.list_source, hit.entry_id))
        return hits[:limit]

    @staticmethod
    def _adjust(
        listed_imos: frozenset[str],
        entry: ListEntry,
        name_score: float,
        listed: _Name,
        country: str | None,
        imos: set[str],
        queried: str,
    ) -> tuple[float, list[str]]:
        reasons = [f"name {queried!r} ~ {listed.listed!r}: {name_score:.2f}"]
        if listed.low:
            reasons.append(f"low-quality alias (x{LOW_ALIAS_FACTOR})")
        score = name_score
        if imos and listed_imos:
            same = sorted(imos & listed_imos)
            if same:
                score = max(score, IMO_MATCH_SCORE)
                reasons.append(f"IMO {', '.join(same)} matches (at least {IMO_MATCH_SCORE})")
            else:
                score -= IMO_MISMATCH_PENALTY
                reasons.append(
                    f"IMO {', '.join(sorted(imos))} is not the listed "
                    f"{', '.join(sorted(listed_imos))} (-{IMO_MISMATCH_PENALTY})"
                )
        if country and entry.countries:
            if country in entry.countries:
                score += COUNTRY_MATCH_BONUS
                reasons.append(f"country {country} is a listed country (+{COUNTRY_MATCH_BONUS})")
            else:
                score -= COUNTRY_MISMATCH_PENALTY
                reasons.append(
                    f"country {country} is not among the listed {', '.join(entry.countries)} "
                    f"(-{COUNTRY_MISMATCH_PENALTY})"
                )
        return min(max(score, 0.0), 1.0), reasons
