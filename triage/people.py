"""People named in a report's prose: "Mohsen Afrasiabi", "Андрей Сидоренко".

`find_people([(text, places), ...]) -> [[(name, start, end), ...], ...]`: runs of two to
four capitalised words in Latin or Cyrillic script that start with a name
rigour knows (its person-name symbols: given and family names in every
script, from Wikidata), after the words that only open a sentence ("In",
"Im", "В", month names) are taken off; not a run with a word of an
institution or a street ("Air Force", "Stanley Drive"), nor a place the
vocabulary or the gazetteer found (`places`: the field's spans; "Hong Kong"
is a name twice over and a city).

Companies are found by their legal form or trade word (`triage.extract`);
this module finds the people, who have neither. Scripts without capitals
(Arabic, Persian, Chinese) give no such run, and a run there is no sign of a
name, so they are not read here: their parties come from the report's
structured fields.

Nothing is cached across reports: the words of one report are analysed in
one call to rigour and forgotten with it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from rigour.names import NameTypeTag, SymbolCategory, analyze_names

from triage.text import plain

__all__ = ["find_people"]

# Latin Extended-A mixes cases (a word's first letter is checked with
# str.isupper); Cyrillic with the Ukrainian letters.
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁІЇЄҐ"
_LOWER = "a-zß-öø-ÿā-ſа-яёіїєґ"
_WORD = rf"[{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}{_LOWER}][{_LOWER}]+)?"
# Capitalised words, each with a lower-case letter (all-capital words are
# acronyms and headings), separated by single spaces; a run is cut into the
# names it may hold (`_runs`).
_RUN = re.compile(rf"(?<![\w'’.-])({_WORD}(?: {_WORD}){{1,7}})(?![\w'’-])")
_LONGEST = 5  # words in a person's name

# Words that open a sentence or a clause in the languages reports come in;
# capitalised there, they are not part of a name that follows.
_OPENERS = (
    "a an and as at but by for from he her his i if in it its my no not of on or our she so "
    "that the their then there these they this those to under we when where while with you "
    "mr mrs ms dr sir madam dear mister "
    "am auf aus bei das dem den der des die ein eine er es für im ist mit nach sie und von "
    "vor wir zu herr frau sohn tochter bruder "
    "au aux ce cette dans de des du elle en et il ils je la le les mais nous par pour sur un "
    "une monsieur madame "
    "al con del el ella ellos es las los mi nosotros para por su una y señor señora "
    "в во и из к на но о от по с со у мы он она они я это господин госпожа "
    "bir bu ve ile için about around since until during last next early late "
    "new north south east west upper lower great"
)
# Month and day names: a date before or after a name ("August 2019", "May
# 2020"; "August Schmidt" is the rarer reading).
_DATE_WORDS = (
    "january february march april may june july august september october november december "
    "januar februar märz juni juli oktober dezember janvier février mars avril mai juin "
    "juillet août septembre octobre novembre décembre enero febrero marzo abril mayo junio "
    "julio agosto septiembre octubre noviembre diciembre monday tuesday wednesday thursday "
    "friday saturday sunday montag dienstag mittwoch donnerstag freitag samstag sonntag"
)


# Words of institutions, places, streets, job titles and sums: a run with
# one names no person ("Air Force", "Stanley Drive", "Chief Compliance
# Officer", "Million Euro").
_NOT_PERSONAL_WORDS = (
    "force forces army navy ministry university institute college school academy drive "
    "street road avenue lane boulevard square gate port harbour harbor airport hospital "
    "clinic bank group company centre center hotel river sea ocean mountain island bay "
    "park station terminal customs police court tribunal department office agency "
    "committee council commission bureau service services zone state states province "
    "district county region city islands shuttle "
    "manager officer counsel compliance director president chief senior head engineer trade "
    "million billion thousand euro euros dollar dollars"
)
_NOT_PERSONAL = frozenset(_NOT_PERSONAL_WORDS.split())


_DATES = frozenset(plain(word) for word in _DATE_WORDS.split())
_SKIPPED = frozenset(plain(word) for word in _OPENERS.split()) | _DATES


def _name_words(words: Iterable[str]) -> set[str]:
    """The words rigour knows as a given or family name."""
    words = set(words)
    if not words:
        return set()
    analysed = analyze_names(NameTypeTag.PER, sorted(set(words)), consolidate=False, rewrite=False)
    return {
        name.original
        for name in analysed
        if any(symbol.category is SymbolCategory.NAME for symbol in name.symbols)
    }


class _Places:
    """Whether a span overlaps a place: the places' spans sorted, with the
    farthest end so far, searched by bisection."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.reach: list[int] = []
        for _, end in ordered:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def overlap(self, start: int, end: int) -> bool:
        index = bisect_left(self.starts, end)  # places that start before `end`
        return index > 0 and self.reach[index - 1] > start


def _segment(words: list[tuple[str, int]], runs: list[tuple[str, int, int]], text: str) -> None:
    """Adds the name `words` may be: openers and dates off its start, dates
    off its end; none if an opener stands inside ("Bill Of Lading") or fewer
    than two words remain."""
    while words and plain(words[0][0]) in _SKIPPED:
        words = words[1:]
    while words and plain(words[-1][0]) in _DATES:
        words = words[:-1]
    if not 2 <= len(words) <= _LONGEST or any(plain(w) in _SKIPPED for w, _ in words[1:-1]):
        return
    start, end = words[0][1], words[-1][1] + len(words[-1][0])
    runs.append((text[start:end], start, end))


def _runs(text: str, places: Iterable[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """The runs of `text` that may be people, before rigour is asked about their first word.

    A run of capitalised words is cut at each word of an institution, a
    street, a title or a sum and at each place ("Sales Manager Reza Ahmadi",
    "Greg Chung Hong Kong branch").
    """
    found = _Places(places)
    runs: list[tuple[str, int, int]] = []
    for match in _RUN.finditer(text):
        segment: list[tuple[str, int]] = []
        for word in re.finditer(r"\S+", match.group()):
            start = match.start() + word.start()
            token = word.group()
            if (
                not token[0].isupper()
                or plain(token) in _NOT_PERSONAL
                or found.overlap(start, start + len(token))
            ):
                _segment(segment, runs, text)
                segment = []
            else:
                segment.append((token, start))
        _segment(segment, runs, text)
    return runs


def find_people(
    texts: Sequence[tuple[str, Iterable[tuple[int, int]]]],
) -> list[list[tuple[str, int, int]]]:
    """The people each text names (see the module doc), with their spans, in order.

    `texts`: each text with its places' spans. All texts of a report go in
    one call, so rigour is asked once.
    """
    runs = [_runs(text, places) for text, places in texts]
    # The first word a name rigour knows (prose gives the given name first);
    # a rare family name after it need not be known ("Postovoy").
    known = _name_words(name.split()[0] for found in runs for name, _, _ in found)
    return [[run for run in found if run[0].split()[0] in known] for found in runs]
