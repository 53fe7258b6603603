"""Extraction: the entities a decrypted report names.

`extract(report) -> Extraction` reads the body JSON of a tip or disclosure
(docs/report-format.md): the structured fields (parties with roles, goods
and items with their codes) and every free-text field. It finds parties,
HS codes, ECCNs and EU dual-use codes, control-list goods with their WMD
domain, countries and free-trade zones, IMO numbers, amounts with currencies
(in figures or words, `triage.amounts`) and e-mail domains. Every finding
carries the field and span it came from.

Matching works on a *same-length* fold of each field (lower case, accents
stripped char by char), so a match's offsets are offsets in the original
text and evidence can quote it exactly. `triage.text.fold` (which closes up
punctuation and so changes lengths) is used only to compare names.

The vocabulary is data: `triage/data/vocabulary.json` (goods, countries,
free-trade zones, webmail domains) and the Common High Priority List
(`triage/data/chpl_hs6.csv`, the published list of HS-6 codes).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from triage.amounts import find_amounts
from triage.language import detect_language
from triage.model import (
    Amount,
    Code,
    Domain,
    EmailDomain,
    Evidence,
    Extraction,
    Good,
    Party,
    Place,
)
from triage.people import find_people
from triage.places import PlaceMatch, country_of, find_places
from triage.places import fold as fold_places
from triage.text import LEGAL_FORMS, PhraseMatcher, Words, entry_phrases, fold, name_tokens

__all__ = [
    "VOCABULARY_VERSION",
    "PhraseIndex",
    "TextField",
    "code_domains",
    "country_code",
    "extract",
    "fold_same_length",
    "report_fields",
]

_DATA = Path(__file__).parent / "data"
PROSE_PEOPLE_MAX = 100  # people taken from a report's prose, in order

# Body members that are not report content: form bookkeeping, and the names of
# people who must not see the report (routing reads them; they are not parties).
_SKIPPED_KEYS = frozenset({"form", "format", "stage", "certified", "conflicts", "author"})


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class TextField:
    """One string of the body: its path (`parties[2].name`), text and same-length fold."""

    path: str
    text: str
    folded: str

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The folded words, for `PhraseIndex`."""
        return tuple(_WORD.findall(self.folded))

    @cached_property
    def starts(self) -> tuple[int, ...]:
        """Where each word starts (it ends `len(word)` later: words are exact matches)."""
        return tuple(m.start() for m in _WORD.finditer(self.folded))

    @cached_property
    def match_words(self) -> Words:
        """The words `PhraseMatcher` reads (goods, places, indicators): tokenised once a field."""
        return Words(self.text)

    @cached_property
    def places(self) -> tuple[PlaceMatch, ...]:
        """The gazetteer's places in the field (`triage.places.find_places`), found once."""
        return tuple(find_places(self.text, self.folded))

    @cached_property
    def key(self) -> str:
        """The field's name without indexes: `parties[2].name` -> `parties.name`."""
        return _INDEX.sub("", self.path)


_INDEX = re.compile(r"\[\d+\]")


def fold_same_length(text: str) -> str:
    """Lower case with diacritics stripped, one character for each character of `text`."""
    # "ß" stays "ß", "İ" becomes "i", a Hangul syllable or a character with no
    # Latin base stays as it is.
    return fold_places(text)


def report_fields(report: Mapping[str, Any]) -> tuple[TextField, ...]:
    """Every non-empty string of the body with its path, in sorted key order."""
    out: list[TextField] = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, str):
            if value.strip():
                out.append(TextField(path, value, fold_same_length(value)))
        elif isinstance(value, Mapping):
            for key in sorted(value):
                if isinstance(key, str) and key not in _SKIPPED_KEYS and not key.startswith("_"):
                    walk(value[key], f"{path}.{key}" if path else key)
        elif isinstance(value, Sequence):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    walk(report, "")
    return tuple(out)


_WORD = re.compile(r"[a-z0-9]+|[^\x00-\x7f]+")


class PhraseIndex:
    """Longest-match lookup of many phrases at once, by word n-grams.

    One dictionary probe per word and length instead of a regex alternation of
    hundreds of phrases (which Python's `re` tries one by one at every
    position). Words are the `[a-z0-9]+` runs of the same-length fold, so
    "carbon-fibre", "Carbon Fibre" and "carbon fibre" are the same phrase; a
    final "s"/"es" on the last word is accepted (plurals).
    """

    def __init__(self, phrases: Sequence[tuple[str, int]]) -> None:
        table: dict[tuple[str, ...], set[int]] = {}
        for phrase, value in phrases:
            words = tuple(_WORD.findall(fold_same_length(phrase)))
            if not words:
                continue
            variants = [words]
            if words[-1][-1:].isalpha():
                variants += [(*words[:-1], words[-1] + "s"), (*words[:-1], words[-1] + "es")]
            for variant in variants:
                table.setdefault(variant, set()).add(value)
        self._table = {key: tuple(sorted(values)) for key, values in table.items()}
        # The longest phrase starting with each word: most words start none.
        self._first: dict[str, int] = {}
        for key in self._table:
            self._first[key[0]] = max(self._first.get(key[0], 0), len(key))

    def find(self, field: TextField) -> list[tuple[int, int, tuple[int, ...]]]:
        """Non-overlapping longest matches in a field: (start, end, values)."""
        out: list[tuple[int, int, tuple[int, ...]]] = []
        words = field.words
        table, first = self._table, self._first
        index, count = 0, len(words)
        while index < count:
            longest = first.get(words[index], 0)
            if not longest:  # most words start no phrase
                index += 1
                continue
            for length in range(min(longest, count - index), 0, -1):
                found = table.get(words[index : index + length])
                if found is not None:
                    starts, last = field.starts, index + length - 1
                    out.append((starts[index], starts[last] + len(words[last]), found))
                    index += length
                    break
            else:
                index += 1
        return out

    def find_all(self, field: TextField) -> list[tuple[int, int, tuple[int, ...]]]:
        """Every match, overlapping ones included (indicators want each phrase that is there)."""
        out: list[tuple[int, int, tuple[int, ...]]] = []
        words = field.words
        table, first = self._table, self._first
        count = len(words)
        for index, word in enumerate(words):
            longest = first.get(word, 0)
            if not longest:
                continue
            for length in range(1, min(longest, count - index) + 1):
                found = table.get(words[index : index + length])
                if found is not None:
                    starts, last = field.starts, index + length - 1
                    out.append((starts[index], starts[last] + len(words[last]), found))
        return out


def _evidence(field: TextField, start: int, end: int) -> Evidence:
    return Evidence(field.path, start, end, field.text[start:end])


def _whole(field: TextField) -> Evidence:
    return Evidence(field.path, 0, len(field.text), field.text)


# --------------------------------------------------------------------------- data


_COUNTRY_BASE = 10_000
_ZONE_BASE = 20_000


@dataclass(frozen=True)
class _Vocabulary:
    version: str
    # One index for goods, country names and free-trade zones, one pass per
    # field: values below _COUNTRY_BASE are goods, then countries, then zones.
    index: PhraseMatcher  # every script (triage.text), goods in every language
    goods: tuple[tuple[str, Domain], ...]
    countries: Mapping[str, str]  # folded name / code -> alpha-2
    country_index: PhraseIndex  # country names alone, for country fields
    country_codes: tuple[str, ...]
    abbreviation_regex: re.Pattern[str]
    abbreviations: Mapping[str, str]
    ftz: tuple[tuple[str, str], ...]  # (name, country)
    webmail: frozenset[str]
    chpl: Mapping[str, int]
    code_domains: Mapping[str, tuple[Domain, ...]]  # ECCN / EU code prefix -> domains


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    data = json.loads((_DATA / "vocabulary.json").read_text(encoding="utf-8"))
    goods = tuple((g["term"], Domain(g["domain"])) for g in data["goods"])
    countries: dict[str, str] = {}
    country_codes: list[str] = []
    country_phrases: list[tuple[str, int]] = []
    for line in data["countries"]:
        alpha2, _, rest = line.partition(" ")
        alpha3, _, rest = rest.partition(" ")
        country_names, _, demonyms = rest.partition("|")
        countries[alpha2.lower()] = alpha2
        countries[alpha3.lower()] = alpha2
        country_codes.append(alpha2)
        for name in [*country_names.split(";"), *demonyms.split(";")]:
            if name:
                countries[fold(name)] = alpha2
                country_phrases.append((name, len(country_codes) - 1))
    abbreviations: dict[str, str] = data["text_abbreviations"]
    abbreviation_regex = re.compile(
        r"(?<![A-Za-z.])("
        + "|".join(re.escape(a) for a in sorted(abbreviations, key=lambda a: (-len(a), a)))
        + r")(?![A-Za-z$])"
    )
    chpl: dict[str, int] = {}
    with (_DATA / "chpl_hs6.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            chpl[row["hs6"]] = int(row["tier"][:1])  # tiers 3A/3B count as 3
    return _Vocabulary(
        version=data["version"],
        index=PhraseMatcher(
            [
                (phrase, i, language)
                for i, good in enumerate(data["goods"])
                for phrase, language in entry_phrases(good)
            ]
            + [(phrase, _COUNTRY_BASE + code) for phrase, code in country_phrases]
            + [
                (phrase, _ZONE_BASE + i)
                for i, zone in enumerate(data["free_trade_zones"])
                for phrase in zone["phrases"]
            ]
        ),
        goods=goods,
        countries=countries,
        country_index=PhraseIndex(country_phrases),
        country_codes=tuple(country_codes),
        abbreviation_regex=abbreviation_regex,
        abbreviations=abbreviations,
        ftz=tuple((z["name"], z["country"]) for z in data["free_trade_zones"]),
        webmail=frozenset(data["free_webmail"]),
        chpl=chpl,
        code_domains={
            prefix: tuple(Domain(d) for d in domains)
            for prefix, domains in data["code_domains"].items()
        },
    )


VOCABULARY_VERSION: str = _vocabulary().version


# A control regime's list says the domain; the Australia Group's covers both
# chemical and biological items, so it says neither without its item.
_REGIME_DOMAINS: dict[str, tuple[Domain, ...]] = {
    "MTCR": (Domain.MISSILE,),
    "NSG": (Domain.NUCLEAR,),
    "CWC": (Domain.CHEMICAL,),
    "ML": (Domain.MILITARY,),
}


def code_domains(code: Code) -> tuple[Domain, ...]:
    """The WMD domain tags a control code implies (vocabulary `code_domains`)."""
    if code.scheme == "hs":
        # The Common High Priority List's codes name commercial goods found in
        # weapons (chips, bearings, machine tools, routers): a priority for
        # export control (EXP-03, EXP-04), not a weapons domain by themselves.
        return ()
    if code.scheme == "regime":
        return _REGIME_DOMAINS.get(code.code.split()[0].rstrip("0123456789"), ())
    if code.code == "EAR99":
        return ()
    # The 600 series ("9A610", "0A606") moved from the USML: military by definition.
    if code.code[2:3] == "6":
        return (Domain.MILITARY,)
    table = _vocabulary().code_domains
    for length in range(len(code.code), 1, -1):
        found = table.get(code.code[:length])
        if found is not None:
            return found
    return ()


def country_code(value: str) -> str | None:
    """ISO alpha-2 for a country field: a name, demonym, alpha-2 or alpha-3 code."""
    vocabulary = _vocabulary()
    key = fold(value)
    if key.startswith("the "):
        key = key[4:]
    found = vocabulary.countries.get(key)
    if found is None and value.strip() in vocabulary.abbreviations:
        found = vocabulary.abbreviations[value.strip()]
    if found is None:
        # "Dubai, UAE" or "Tehran, Iran": the last country named in it.
        field = TextField("", value, fold_same_length(value))
        matches = vocabulary.country_index.find(field)
        if matches:
            found = vocabulary.country_codes[matches[-1][2][0]]
        else:
            abbreviated = list(vocabulary.abbreviation_regex.finditer(value))
            if abbreviated:
                found = vocabulary.abbreviations[abbreviated[-1].group(1)]
    if found is None:
        # "Тегеран", "الإمارات", "中国香港", "Shenzhen, Guangdong": the gazetteer.
        found = country_of(value)
    return found


# --------------------------------------------------------------------------- codes

_HS = re.compile(
    r"(?<![\d.,])(\d{4})[.\s\-]?(\d{2})(?:[.\s\-]?(\d{2})(?:[.\s\-]?(\d{2}))?)?(?!\d|[.,]\d)"
)
# "HS", "HTS", "Schedule B", "tariff code", "commodity code", "customs code"
# lead a code in free text; a bare 4+2 digit number is too often something else.
_HS_KEYWORD = re.compile(
    r"(?<![a-z])(?:hs|hts|harmoni[sz]ed(?: tariff)?(?: system)?(?: schedule)?|schedule b|"
    r"tariff|commodity|customs)(?: codes?| headings?| subheadings?| nos?\.?| numbers?)?"
    r"(?![a-z])"
)
_HS_FIRST_WORDS = frozenset(
    {"hs", "hts", "harmonized", "harmonised", "schedule", "tariff", "commodity", "customs"}
)
_HS_DOTTED = re.compile(
    r"(?<![\d.,$€£¥])(\d{4})\.(\d{2})(?:\.(\d{2})(?:\.?(\d{2}))?)?(?!\d|[.,]\d)"
)
# A four-digit heading, after a keyword only: "HS 8542", "HS heading 8471".
_HS_HEADING = re.compile(r"(?<![\d.,])(\d{4})(?![\d]|[.,\-/]\d)")
# Customs-code keywords of other languages, on the fold: Russian (TN VED), Chinese
# (haiguan bianma, HS bianma, shuize hao), Arabic and Persian, German Zolltarifnummer,
# French code SH / nomenclature, Spanish partida arancelaria / código SA, Turkish GTİP.
_HS_KEYWORD_FOREIGN = re.compile(
    r"(?:тн\s?вэд(?:\s?еаэс)?|код(?:ом|у|а)?\s+тн\s?вэд|"
    r"(?:hs|海关|海關|商品|税则|稅則)\s?(?:编码|編碼|编号|編號|代码|代碼|号列|號列|号|號)|税号|稅號|"
    r"(?:رمز|كود|بند|البند)\s+(?:النظام\s+المنسق|الجمركي|التعرفة|hs)|"
    r"(?:کد|ردیف)\s+(?:تعرفه|hs|گمرکی)|"
    r"zolltarifnummer|warennummer|zolltarif|"
    r"code\s+(?:sh|douanier)|nomenclature\s+douaniere|position\s+tarifaire|"
    r"partida\s+arancelaria|codigo\s+(?:sa|arancelario)|fraccion\s+arancelaria|"
    r"gtip|gumruk\s+tarife)"
    r"(?:\s*(?:no\.?|nr\.?|n°|[:\uff1a]|№))?"
)
_HS_FOREIGN_FIRST_WORDS = frozenset(
    {"zolltarifnummer", "warennummer", "zolltarif", "code", "nomenclature", "position",
     "partida", "codigo", "fraccion", "gtip", "gumruk"}
)  # fmt: skip
_CURRENCY_NEAR = re.compile(r"(?:\$|€|£|¥|usd|eur|gbp|aed|cny|rmb|dollars?|euros?)", re.IGNORECASE)
_ECCN = re.compile(r"(?<![A-Za-z0-9\-])([0-9][A-Ea-e][0-9]{3})(?:\.[a-z0-9.]+)?(?![0-9A-Za-z])")
_EAR99 = re.compile(r"(?<![A-Za-z0-9])EAR\s?99(?![0-9])", re.IGNORECASE)
_EU_CONTEXT = re.compile(
    r"(?:\beu\b|european union|annex i\b|2021/821|428/2009|dual[\s\-]use (?:list|regulation|code))"
)
_US_CONTEXT = re.compile(r"(?<![a-z])(?:eccn|ccl|ear|commerce control list|bis)(?![a-z])")
_HS_FIELDS = frozenset({"goods.code", "items.hs_code"})
_ECCN_FIELDS = frozenset({"goods.code", "items.eccn", "licences"})


def _hs_codes(field: TextField) -> Iterator[tuple[str, int, int]]:
    if field.key in _HS_FIELDS:
        for match in _HS.finditer(field.text):
            yield match.group(1) + match.group(2), match.start(), match.end()
        return
    # The keyword regex is tried only where one of its first words stands; the
    # other languages' keywords (Russian, Chinese, Arabic ...) by a search.
    keywords = [
        found
        for found in (
            _HS_KEYWORD.match(field.folded, field.starts[index])
            for index, word in enumerate(field.words)
            if word in _HS_FIRST_WORDS
        )
        if found is not None
    ]
    if not field.folded.isascii() or any(w in _HS_FOREIGN_FIRST_WORDS for w in field.words):
        keywords += list(_HS_KEYWORD_FOREIGN.finditer(field.folded))
    for keyword in keywords:
        # The codes listed after the keyword: "HS 8542.31, 8542.39 and 8541.10", or
        # a heading alone: "HS 8542".
        window_end = min(len(field.text), keyword.end() + 60)
        position = keyword.end()
        while position < window_end:
            code_match = _HS.search(field.text, position, window_end)
            heading = _HS_HEADING.search(field.text, position, window_end)
            if heading is not None and (code_match is None or heading.start() < code_match.start()):
                code_match = heading
            if code_match is None:
                break
            between = field.folded[position : code_match.start()]
            if re.search(r"[a-z]{4,}", between.replace("and", "")) or _CURRENCY_NEAR.search(
                field.text[code_match.end() : code_match.end() + 5]
            ):
                break
            if code_match.re is _HS_HEADING:
                yield code_match.group(1), code_match.start(), code_match.end()
            else:
                yield (
                    code_match.group(1) + code_match.group(2),
                    code_match.start(),
                    code_match.end(),
                )
            position = code_match.end()
    for match in _HS_DOTTED.finditer(field.text):
        around = field.text[max(0, match.start() - 5) : match.end() + 9]
        if _CURRENCY_NEAR.search(around) or _looks_like_date(match):
            continue
        yield match.group(1) + match.group(2), match.start(), match.end()


def _looks_like_date(match: re.Match[str]) -> bool:
    """ "2023.10" or "2023.10.05": a year and a month, not a dotted HS code."""
    year, month = int(match.group(1)), int(match.group(2))
    return 1950 <= year <= 2099 and 1 <= month <= 12


# Control-regime references, on the fold: the regime and, when given, its item.
_REGIMES = re.compile(
    r"(?<![a-z0-9])(?:"
    r"(?P<mtcr>mtcr|missile technology control regime|ркрт)"
    r"(?:\s+annex)?(?:,?\s+(?:item|category|cat\.?|категори[яи]|пункт)\s*"
    r"(?P<mtcr_item>\d{1,2}(?:\.[a-e](?:\.\d{1,2})?)?|iii|ii|i)(?![a-z0-9]))?"
    r"|(?P<nsg>nsg|nuclear suppliers group|группы? ядерных поставщиков|гяп|核供应国集团)"
    r"(?:\s+(?:part|часть|partie|teil)\s*(?P<nsg_part>[12]|ii|i)(?![a-z0-9]))?"
    r"(?:,?\s+(?:item\s+)?(?P<nsg_item>\d\.[a-e]\.\d{1,2}))?"
    r"|(?P<ag>australia group|groupe (?:de l')?australie|australische gruppe|grupo australia|"
    r"австралийск\w* групп\w*|澳大利亚集团)"
    r"|(?P<wa>wassenaar(?: arrangement)?|вассенаар\w*|瓦森纳(?:安排)?)"
    r"(?:\s+(?:ml\s?(?P<wa_ml>\d{1,2})|category\s+(?P<wa_cat>\d)))?"
    r"|(?P<chpl>chpl|common high priority list)"
    r"|(?P<cwc>cwc|chemical weapons convention)(?:'s)?\s+schedule\s+(?P<cwc_schedule>[123])"
    r")(?![a-z])"
)
# The Common Military List's categories, ML1 to ML22, written as such: "ML10", "ML 8.a".
_MILITARY_LIST = re.compile(r"(?<![A-Za-z0-9])ML\s?(\d{1,2})(?:\.[a-z](?:\.\d+)?)?(?![0-9A-Za-z])")
# Words before a code that make a lower-case "5e001" an ECCN (not a number in e notation).
_ECCN_CONTEXT = re.compile(r"(?:eccn|ccl|ear|classif|annex i|dual[\s\-]use|control list)")


# Any of these in a field's fold, and the regime regex is run on it.
_REGIME_HINTS = (
    "mtcr", "missile technology", "nsg", "nuclear suppliers", "australi", "wassenaar", "chpl",
    "high priority", "cwc", "chemical weapons conv", "ркрт", "гяп", "ядерных поставщ",
    "австралийск", "вассенаар", "核供应国", "澳大利亚集团", "瓦森纳", "ml",
)  # fmt: skip


def _regime_codes(field: TextField) -> Iterator[Code]:
    for match in _REGIMES.finditer(field.folded):
        groups = match.groupdict()
        if groups["mtcr"]:
            item = groups["mtcr_item"]
            code = f"MTCR {item.upper()}" if item else "MTCR"
        elif groups["nsg"]:
            part = {"i": "1", "ii": "2"}.get(groups["nsg_part"] or "", groups["nsg_part"])
            item = groups["nsg_item"]
            if item and not part:
                part = "2"  # the items "2.B.1" are the dual-use list's, Part 2
            code = " ".join(
                filter(None, ["NSG", f"Part {part}" if part else "", (item or "").upper()])
            )
        elif groups["ag"]:
            code = "AG"
        elif groups["wa"]:
            if groups["wa_ml"]:
                code = f"ML{int(groups['wa_ml'])}"
            else:
                code = f"WA Cat {groups['wa_cat']}" if groups["wa_cat"] else "WA"
        elif groups["chpl"]:
            code = "CHPL"
        else:
            code = f"CWC Schedule {groups['cwc_schedule']}"
        yield Code("regime", code, _evidence(field, *match.span()))
    for found in _MILITARY_LIST.finditer(field.text):
        if 1 <= int(found.group(1)) <= 22:
            yield Code("regime", f"ML{int(found.group(1))}", _evidence(field, *found.span()))


def _codes(field: TextField, chpl: Mapping[str, int]) -> Iterator[Code]:
    for code, start, end in _hs_codes(field):
        if 1 <= int(code[:2]) <= 97:
            yield Code("hs", code, _evidence(field, start, end), chpl.get(code))
    for match in _ECCN.finditer(field.text):
        scheme = "eccn"
        if field.key not in _ECCN_FIELDS:
            if match.group(1)[1] == "e" and not _ECCN_CONTEXT.search(
                field.folded[max(0, match.start() - 40) : match.start()]
            ):
                continue  # "5e201", "1e100": a number, unless a word says it is a code
            # The nearer of an EU reference and a US one ("ECCN", "CCL", "EAR") decides.
            before = field.folded[max(0, match.start() - 60) : match.start()]
            eu = [m.end() for m in _EU_CONTEXT.finditer(before)]
            us = [m.end() for m in _US_CONTEXT.finditer(before)]
            if eu and (not us or eu[-1] > us[-1]):
                scheme = "eu_dual_use"
        yield Code(scheme, match.group(1).upper(), _evidence(field, *match.span()))
    for match in _EAR99.finditer(field.text):
        yield Code("eccn", "EAR99", _evidence(field, *match.span()))


# --------------------------------------------------------------------------- vessels, e-mail

_DIGIT = re.compile(r"\d")
_IMO = re.compile(r"(?<![a-z])imo(?:\s*(?:no\.?|number|#|:))*\s*(\d{7})(?!\d)")
# The lookbehind starts an address only at the start of its run of
# characters: without it a long run with no domain was rescanned from each.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"
)


def _imo_valid(number: str) -> bool:
    """The IMO check digit: the first six digits weighted 7..2, summed, last digit."""
    total = sum(
        int(digit) * weight for digit, weight in zip(number[:6], range(7, 1, -1), strict=True)
    )
    return total % 10 == int(number[6])


# --------------------------------------------------------------------------- parties

# Words that end a company name in free text: legal forms, and the trade words
# front companies are named with ("... Trading", "... Electronics").
_NAME_ENDINGS = sorted(
    {
        "Ltd", "Limited", "LLC", "L.L.C.", "LLP", "PLC", "Inc", "Incorporated", "Corp",
        "Corporation", "Co", "Company", "GmbH", "AG", "KG", "BV", "NV", "SA", "SAS", "SARL",
        "SRL", "SpA", "Pte", "Pvt", "Pty", "JSC", "OJSC", "CJSC", "PJSC", "OOO", "ZAO", "OAO",
        "AO", "FZE", "FZCO", "FZC", "FZ-LLC", "DMCC", "WLL", "Bhd", "Trading", "Industries",
        "Engineering", "Technologies", "Technology", "Electronics", "Shipping", "Logistics",
        "Bank", "Enterprises", "Group", "Holdings", "International",
    },
    key=lambda word: (-len(word), word),
)  # fmt: skip
_CAPITALISED = r"[A-Z0-9][\w'&\-]*\.?"
_COMPANY = re.compile(
    rf"(?<![\w-])((?:{_CAPITALISED}\s+(?:(?:and|&|of|for|de)\s+)?){{1,6}}?"
    rf"(?:{'|'.join(re.escape(word) for word in _NAME_ENDINGS)})\b\.?"
    rf"(?:,?\s+(?:Co\.,?\s+)?(?:Ltd|Limited|LLC|Inc|GmbH|FZE|FZCO|Pte\.?\s+Ltd)\b\.?)?)"
)
# Capitalised words that start sentences or name things, not companies.
_LEADING_NOISE = frozenset(
    {
        "the", "a", "an", "in", "on", "at", "by", "from", "to", "for", "via", "and", "with",
        "its", "their", "his", "her", "our", "this", "that", "these", "then", "when", "after",
        "before", "through", "between", "of", "as", "us", "u.s.", "defendant", "defendants",
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "mr", "mrs", "ms", "dr",
    }
)  # fmt: skip


def _free_text_parties(field: TextField) -> Iterator[tuple[str, int, int]]:
    if _ENDING_WORDS.isdisjoint(field.words):
        return  # no legal form or trade word: no company name to find
    for match in _COMPANY.finditer(field.text):
        start, name = match.start(1), match.group(1)
        words = name.split()
        # "Tehran-based Kalaye Electric Company": the place is not part of the name.
        while words and (
            words[0].lower().rstrip(",.") in _LEADING_NOISE
            or words[0].lower().endswith("-based")
            or words[0].rstrip(",.").isdigit()
        ):
            start = field.text.index(words[1], start + len(words[0])) if len(words) > 1 else start
            words = words[1:]
        if not words:
            continue
        name = field.text[start : match.end(1)].rstrip(",")
        if name.endswith(".") and name[:-1].split()[-1] in _TRADE_WORDS:
            name = name[:-1]  # the sentence's full stop, not an abbreviation
        tokens = name_tokens(name)
        # A bare legal form or trade word ("Bank", "International Trading") is not a name.
        if not tokens or all(t in LEGAL_FORMS or t in _GENERIC for t in tokens):
            continue
        yield name, start, start + len(name)


_ENDING_WORDS = frozenset(word for name in _NAME_ENDINGS for word in _WORD.findall(name.lower()))
_TRADE_WORDS = frozenset(word for word in _NAME_ENDINGS if len(word) > 4 and word.isalpha())
_GENERIC = frozenset(fold(word) for word in _NAME_ENDINGS) | {"central", "national", "state"}


# --------------------------------------------------------------------------- extract


def _party_key(name: str) -> str:
    return " ".join(name_tokens(name))


def extract(report: Mapping[str, Any], *, fields: Sequence[TextField] | None = None) -> Extraction:
    """The entities of a report body (tip, disclosure or later stage), each with its evidence.

    `fields` may pass `report_fields(report)` when the caller also fires the
    indicators, so the text is folded and tokenised once (nothing is cached
    across reports: a worker keeps no plaintext beyond the report at hand).
    """
    vocabulary = _vocabulary()
    fields = report_fields(report) if fields is None else fields
    by_path = {field.path: field for field in fields}

    parties: dict[str, Party] = {}
    # Structured parties first, so a name also met in the text keeps its role.
    for group in ("parties",):
        rows = report.get(group)
        if not isinstance(rows, Sequence) or isinstance(rows, str):
            continue
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                continue
            name_field = by_path.get(f"{group}[{index}].name")
            if name_field is None:
                continue
            country_field = by_path.get(f"{group}[{index}].country")
            country = country_code(country_field.text) if country_field else None
            key = _party_key(name_field.text)
            if key and key not in parties:
                role = str(row.get("role", "") or "").strip()
                parties[key] = Party(name_field.text.strip(), role, country, _whole(name_field))
    company = by_path.get("company")
    if company is not None:
        key = _party_key(company.text)
        if key and key not in parties:
            parties[key] = Party(company.text.strip(), "discloser", None, _whole(company))

    codes: list[Code] = []
    goods: dict[tuple[str, str], Good] = {}  # first mention of each term per field
    places: dict[tuple[str, str, str, str], Place] = {}
    vessels: dict[str, Evidence] = {}
    amounts: list[Amount] = []
    emails: dict[str, EmailDomain] = {}

    def add_place(
        country: str, zone: str | None, evidence: Evidence, kind: str = "country", name: str = ""
    ) -> None:
        places.setdefault(
            (country, zone or "", kind, name), Place(country, zone, evidence, kind, name)
        )

    def add_party(name: str, field: TextField, start: int, end: int) -> None:
        party_key = _party_key(name)
        if party_key and not any(_contains(k, party_key) for k in parties):
            parties[party_key] = Party(name, "", None, _evidence(field, start, end))

    # Free-text fields and the spans of their places, for the people in them.
    prose: list[tuple[TextField, list[tuple[int, int]]]] = []
    for field in fields:
        key = field.key
        if key.endswith(".country") or key == "country":
            country = country_code(field.text)
            if country is not None:
                add_place(country, None, _whole(field))
        # Codes, IMO numbers and amounts all need a digit; most fields have none.
        has_digit = _DIGIT.search(field.text) is not None
        if has_digit and not key.endswith(".role"):
            codes.extend(_codes(field, vocabulary.chpl))
        if not key.endswith(".role") and any(hint in field.folded for hint in _REGIME_HINTS):
            codes.extend(_regime_codes(field))
        if key.endswith(".country") or key.endswith(".role"):
            continue
        taken: list[tuple[int, int]] = []  # spans already read as countries or zones
        gazetteer = field.places
        cities = {(g.start, g.end, g.country): g for g in gazetteer if g.kind == "city"}
        for start, end, values in vocabulary.index.find(field):
            for value in values:
                if value < _COUNTRY_BASE:
                    term, domain = vocabulary.goods[value]
                    good = Good(term, domain, _evidence(field, start, end))
                    goods.setdefault((term, field.path), good)
                elif value < _ZONE_BASE:
                    country = vocabulary.country_codes[value - _COUNTRY_BASE]
                    # The vocabulary names a few cities as their country ("Dubai"): the
                    # gazetteer says it is a city.
                    city = cities.get((start, end, country))
                    kind, name = ("city", city.name) if city else ("country", "")
                    add_place(country, None, _evidence(field, start, end), kind, name)
                    taken.append((start, end))
                else:
                    zone, country = vocabulary.ftz[value - _ZONE_BASE]
                    add_place(country, zone, _evidence(field, start, end), "free_trade_zone", zone)
                    taken.append((start, end))
        for match in vocabulary.abbreviation_regex.finditer(field.text):
            add_place(
                vocabulary.abbreviations[match.group(1)], None, _evidence(field, *match.span())
            )
            taken.append(match.span())
        # Cities and country names in any script (triage/places.py), where the
        # vocabulary has not already read the same words.
        for found in gazetteer:
            if not any(found.start < end and start < found.end for start, end in taken):
                evidence = _evidence(field, found.start, found.end)
                add_place(found.country, None, evidence, found.kind, found.name)
        if has_digit and "imo" in field.folded:
            for match in _IMO.finditer(field.folded):
                if _imo_valid(match.group(1)):
                    vessels.setdefault(match.group(1), _evidence(field, *match.span()))
        amounts.extend(
            Amount(found.value, found.currency, _evidence(field, found.start, found.end))
            for found in find_amounts(field.folded)
        )
        for match in _EMAIL.finditer(field.text) if "@" in field.text else ():
            email_domain = match.group(1).lower().rstrip(".")
            emails.setdefault(
                email_domain,
                EmailDomain(
                    email_domain,
                    email_domain in vocabulary.webmail,
                    _evidence(field, *match.span()),
                ),
            )
        if not key.endswith(".name") and key != "company":
            for name, start, end in _free_text_parties(field):
                add_party(name, field, start, end)
            # Countries, demonyms and zones the vocabulary read, and the gazetteer's places.
            place_spans = [*taken, *((place.start, place.end) for place in field.places)]
            prose.append((field, place_spans))

    people = find_people([(field.text, spans) for field, spans in prose])
    found_in_prose = [
        (name, field, start, end)
        for (field, _), named in zip(prose, people, strict=True)
        for name, start, end in named
    ]
    # Each new party is checked against every party kept: a report naming
    # thousands of people would make that quadratic, and no real one needs more.
    for name, field, start, end in found_in_prose[:PROSE_PEOPLE_MAX]:
        add_party(name, field, start, end)

    order = {field.path: index for index, field in enumerate(fields)}

    def position(evidence: Evidence) -> tuple[int, int]:
        return order.get(evidence.field, -1), evidence.start

    # One entry per good term (its first mention), per code, per amount span.
    first_goods: dict[str, Good] = {}
    for good in sorted(goods.values(), key=lambda g: position(g.evidence)):
        first_goods.setdefault(good.term, good)
    unique_codes: dict[tuple[str, str], Code] = {}
    for code in sorted(codes, key=lambda c: position(c.evidence)):
        unique_codes.setdefault((code.scheme, code.code), code)
    return Extraction(
        parties=tuple(sorted(parties.values(), key=lambda p: position(p.evidence))),
        codes=tuple(unique_codes.values()),
        goods=tuple(sorted(first_goods.values(), key=lambda g: position(g.evidence))),
        places=tuple(sorted(places.values(), key=lambda p: position(p.evidence))),
        vessels=tuple(sorted(vessels.items(), key=lambda item: position(item[1]))),
        amounts=tuple(sorted(amounts, key=lambda a: position(a.evidence))),
        email_domains=tuple(sorted(emails.values(), key=lambda e: position(e.evidence))),
        language=detect_language(field.text for field in fields),
    )


def _contains(longer: str, shorter: str) -> bool:
    """Whether the words of `shorter` appear, in order, inside `longer` (same party)."""
    return f" {shorter} " in f" {longer} " or f" {longer} " in f" {shorter} "
