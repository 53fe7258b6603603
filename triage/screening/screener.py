"""Screening names against the loaded lists: `Screener.screen`.

A listed name gives variants: the parts of ``A ; B`` and ``A D/B/A B``, and
``NAME (ACRONYM)`` both without the bracket and as the acronym alone. Each
variant is analysed once, when the lists load (`triage.screening.names`).

**Finding candidates.** An inverted index maps each word (folded by
`triage.text.name_tokens`: case, diacritics, transliteration to ASCII,
punctuation, legal forms), and each name's words run together as written
and sorted ("Alqaida" against "Al-Qaida"; an exact name in any order), to
the names that hold it; also each name's consonant keys (for a query in the
other script: Arabic against Latin) and an organisation's acronym. A query
word also finds indexed words one edit away (insert, delete, substitute,
transpose; words of four letters or more) through an index of single-letter
deletions. Names gather the inverse document frequency of the words they
share with the query (an edit away: `_FUZZY_WEIGHT` of it), rarest words
first, a very common word (``al``, ``mohammed``: more than
`COMMON_POSTINGS` names) only re-weighting names found already; the best
`CANDIDATES` by weighted Dice are compared.

**Score** of a query against one name, in [0, 1]: `names.compare`, which
pairs the names' parts by rigour's symbols, initials and spelling, weighs
what is left unpaired, and explains each pair. Then:

- a low-quality alias (see `AliasQuality`) is worth ``LOW_ALIAS_FACTOR`` of its score;
- a query country in the entry's countries adds ``COUNTRY_MATCH_BONUS``; one
  outside them takes ``COUNTRY_MISMATCH_PENALTY`` (nothing when the entry
  names no country);
- a query IMO number among the entry's raises the score to at least
  ``IMO_MATCH_SCORE`` (an IMO number finds its vessel whatever the name);
  a listed vessel whose IMO number differs from the query's takes
  ``IMO_MISMATCH_PENALTY``. Only a vessel: a company listed with its own
  IMO company number is not another party's vessel.

Each adjustment is written in the hit's reasons, after the name's own
explanation. A result at or above `HIT_THRESHOLD` is a hit; `screen` returns
one hit per entry (its best name), best first, ties by list and entry id.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from triage.model import ScreeningHit
from triage.screening.countries import country_code
from triage.screening.entries import AliasQuality, EntryKind, ListEntry, ParsedList
from triage.screening.names import (
    TITLES,
    Comparison,
    ListedName,
    QueryName,
    analysable,
    compare,
    estimates,
)
from triage.text import LEGAL_FORMS, fold, name_tokens

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

CANDIDATES = 40  # names estimated per query, after blocking
COMPARED = 3  # of those, names compared in full (the best estimates)
COMPARED_AT_MOST = 10  # ... or more, while their estimates are CLOSE
CLOSE = 0.85
QUICK_FLOOR = 0.45  # an estimate below this is not compared
COMPARE_UPLIFT = 0.2  # nor one this far below the threshold: comparing adds at most about this
COMMON_POSTINGS = 150  # a word in more names than this does not bring candidates alone
FUZZY_MIN_LENGTH = 4  # shorter words must match exactly to find candidates
FUZZY_MAX_LENGTH = 24  # longer ones are found by their other words
_FUZZY_WEIGHT = 0.8  # a word one edit away counts for this much of an exact one
_UNSEEN_IDF = 10.0  # the weight of a query word no listed name has

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


class _OneEditAway:
    """Words one edit away from one of a set of long words (`shortest`
    letters or more), by their single-letter deletions: "copany", "limted"
    from legal forms, "ckolonel" from titles."""

    def __init__(self, words: Iterable[str], shortest: int) -> None:
        self._words = frozenset(word for word in words if len(word) >= shortest)
        self._deleted = frozenset(d for word in self._words for d in _deletions(word))

    def __call__(self, word: str) -> bool:
        if len(word) < 4 or word in self._words:
            return False
        return word in self._deleted or any(
            d in self._words or d in self._deleted for d in _deletions(word)
        )


_misspelt_legal_form = _OneEditAway(LEGAL_FORMS, 5)
# Titles rigour takes off a person's name ("Colonel", "General"), one word
# of seven letters or more: shorter ones are a letter away from surnames
# ("Madam" and Adam, "Laird" and Baird, "Mister" and Lister).
_misspelt_title = _OneEditAway(TITLES, 7)


def _misspelt(token: str) -> bool:
    return _misspelt_legal_form(token) or _misspelt_title(token)


def _analysable_query(name: str) -> str:
    """The name without its misspelt legal forms and titles, which rigour
    would take for words of the name."""
    if not any(map(_misspelt, fold(name).split())):
        return name
    kept = [word for word in name.split() if not all(map(_misspelt, fold(word).split()))]
    return " ".join(kept) or name


def query_tokens(name: str) -> tuple[str, ...]:
    """`name_tokens`, also without misspelt long legal forms (if other words remain)."""
    tokens = name_tokens(name)
    kept = tuple(token for token in tokens if not _misspelt_legal_form(token))
    return kept or tokens


@dataclass(frozen=True, slots=True)
class _Query:
    name: QueryName
    tokens: tuple[str, ...]
    joined: str
    sorted_joined: str
    special: tuple[str, ...]  # consonant and acronym keys


def _consonant_key(key: str) -> str:
    """Index key of a Latin name's consonant key. Only a query in Arabic
    script looks them up: a Latin query finds a listed name's Latin forms."""
    return f"~{key}"


def _initials_keys(tokens: tuple[str, ...]) -> set[str]:
    """A listed person's name as initials and one word in full, for each
    word: "kim sok chol" is ``@ks:chol``, ``@kc:sok`` and ``@sc:kim``."""
    if len(tokens) < 2:
        return set()
    return {
        "@" + "".join(other[0] for i, other in enumerate(tokens) if i != at) + ":" + word
        for at, word in enumerate(tokens)
        if len(word) > 1
    }


def _initials_query_key(tokens: tuple[str, ...]) -> str | None:
    """A query written with initials ("K. S. Chol") as `_initials_keys` writes
    it: its last word in full, the first letters of the others."""
    full = [at for at, word in enumerate(tokens) if len(word) > 1]
    if not full or len(full) == len(tokens):
        return None
    last = full[-1]
    return (
        "@" + "".join(word[0] for at, word in enumerate(tokens) if at != last) + ":" + tokens[last]
    )


def _acronym_key(letters: str) -> str:
    return f"^{letters}"


class Screener:
    """An in-memory index of list entries. Build once, screen many names; thread-safe to read."""

    def __init__(self, lists: Iterable[ParsedList]) -> None:
        self.entries: list[ListEntry] = []
        self._sources: list[str] = []  # per entry
        self.versions: dict[str, str] = {}  # source -> version label
        self._names: list[ListedName] = []
        self._name_tokens: list[tuple[str, ...]] = []  # while building
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
        words = {key for key in self._postings if key[0] not in "~^@"}
        total = max(len(self._names), 1)
        self._idf = {key: math.log(1 + total / len(ids)) for key, ids in self._postings.items()}
        # A name's own weight, for ranking candidates by Dice: 2 * shared / (query + name).
        self._norms = [sum(self._idf[key] for key in keys) for keys in self._name_tokens]
        del self._name_tokens
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
                # The same words in another script are another name to rigour.
                form = (*tokens, analysable(variant))
                if not tokens or form in seen:
                    continue
                seen.add(form)
                name = ListedName.build(index, text, variant, tokens, entry.kind, low)
                name_id = len(self._names)
                self._names.append(name)
                self._name_tokens.append(tokens)
                keys = {*tokens, "".join(tokens), "".join(sorted(tokens))}
                if not name.arabic:
                    keys.update(_consonant_key(key) for key in name.keys)
                if name.acronym:
                    keys.add(_acronym_key(name.acronym))
                if entry.kind is EntryKind.INDIVIDUAL:
                    keys.update(_initials_keys(tokens))
                for key in keys:
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
        # A name in Cyrillic also by how its words sound ("Zhosef" finds "Josef").
        words = {*query.tokens, query.joined, query.sorted_joined, *query.name.sounds}
        query_norm = 0.0
        found: list[tuple[int, str, float]] = []
        for key in query.special:
            if key in self._postings:
                found.append((len(self._postings[key]), key, 1.0))
                query_norm += self._idf[key]
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

    def _worth_comparing(
        self, query: QueryName, candidates: Iterable[int], imo_entries: set[int], floor: float
    ) -> list[ListedName]:
        """The candidates worth comparing in full, best estimate first: the
        best `COMPARED` of those `estimates` rates at least `floor`, and more
        up to `COMPARED_AT_MOST` while they are rated `CLOSE` or better (a
        common name is close to many listed ones); and those an IMO number
        points at."""
        listed = [self._names[name_id] for name_id in sorted(candidates)]
        rated = sorted(
            (
                (estimate, index)
                for index, estimate in enumerate(estimates(query, listed, floor))
                if estimate >= floor
            ),
            reverse=True,
        )
        chosen = [
            listed[index]
            for rank, (estimate, index) in enumerate(rated[:COMPARED_AT_MOST])
            if rank < COMPARED or estimate >= CLOSE
        ]
        return chosen + [name for name in listed if name.entry in imo_entries]

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
        query_name = QueryName.build(name, tokens, _analysable_query(name))
        special = [_consonant_key(key) for key in query_name.keys] if query_name.arabic else []
        if initials_key := _initials_query_key(tokens):
            special.append(initials_key)
        if query_name.acronym:
            special.append(_acronym_key(query_name.acronym))
            holders = self._postings.get(_acronym_key(query_name.acronym), ())
            query_name.acronym_holders = len({self._names[name_id].entry for name_id in holders})
        query = _Query(query_name, tokens, "".join(tokens), "".join(sorted(tokens)), tuple(special))
        query_country = country_code(country) if country else None
        query_imos = {m.group(1) for i in identifiers if (m := _IMO.match(i))}
        imo_entries = [e for number in query_imos for e in self._imo.get(number, ())]

        # The most a country or an IMO number can add; below that, a name is no hit.
        reach = threshold - (COUNTRY_MATCH_BONUS if query_country else 0.0)
        imo_set = set(imo_entries)
        best: dict[int, tuple[float, ListedName, Comparison]] = {}
        floor = max(QUICK_FLOOR, reach - COMPARE_UPLIFT)
        candidates = self._candidates(query, imo_set)
        for listed in self._worth_comparing(query_name, candidates, imo_set, floor):
            comparison = compare(query_name, listed)
            score = comparison.score * (LOW_ALIAS_FACTOR if listed.low else 1.0)
            current = best.get(listed.entry)
            if current is None or score > current[0]:
                best[listed.entry] = (score, listed, comparison)

        hits = []
        for index, (name_score, listed, comparison) in best.items():
            if name_score < reach and index not in imo_set:
                continue
            entry = self.entries[index]
            score, reasons = self._adjust(
                self._imos[index], entry, comparison, listed, query_country, query_imos, name
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
        comparison: Comparison,
        listed: ListedName,
        country: str | None,
        imos: set[str],
        queried: str,
    ) -> tuple[float, list[str]]:
        reasons = [f"name {queried!r} ~ {listed.listed!r}: {comparison.score:.2f}"]
        reasons += [f"  {line}" for line in comparison.explanation]
        score = comparison.score
        if listed.low:
            score *= LOW_ALIAS_FACTOR
            reasons.append(f"low-quality alias (x{LOW_ALIAS_FACTOR})")
        if imos and listed_imos:
            same = sorted(imos & listed_imos)
            if same:
                score = max(score, IMO_MATCH_SCORE)
                reasons.append(f"IMO {', '.join(same)} matches (at least {IMO_MATCH_SCORE})")
            elif entry.kind is EntryKind.VESSEL:
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
