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
import unicodedata
from collections.abc import Iterable, Sequence

from rigour.names import NameTypeTag, SymbolCategory, analyze_names

__all__ = ["find_people"]

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁ"
_LOWER = "a-zß-öø-ÿā-ſа-яё"
_WORD = rf"[{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}{_LOWER}][{_LOWER}]+)?"
# Two to four capitalised words, each with a lower-case letter (all-capital
# words are acronyms and headings), separated by single spaces.
_RUN = re.compile(rf"(?<![\w'’.-])({_WORD}(?: {_WORD}){{1,3}})(?![\w'’-])")

# Words that open a sentence or a clause in the languages reports come in;
# capitalised there, they are not part of a name that follows. Month and day
# names come first in dates ("August Schmidt" is rarer than "August 2019").
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
    "new north south east west upper lower great "
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


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_SKIPPED = frozenset(_plain(word) for word in _OPENERS.split())


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


def _runs(text: str, places: Iterable[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """The runs of `text` that may be people, before rigour is asked about their first word."""
    spans = list(places)
    runs = []
    for match in _RUN.finditer(text):
        words = [
            (word.group(), match.start() + word.start())
            for word in re.finditer(r"\S+", match.group())
        ]
        while words and _plain(words[0][0]) in _SKIPPED:
            words.pop(0)
        if len(words) < 2 or any(_plain(word) in _NOT_PERSONAL for word, _ in words):
            continue
        start, end = words[0][1], words[-1][1] + len(words[-1][0])
        if not any(start < place_end and place_start < end for place_start, place_end in spans):
            runs.append((text[start:end], start, end))
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
