"""Dates a report gives: when its events happened, as far as the text says.

`find_dates(texts, language=None) -> list[DateSpan]` reads full dates
(`24 February 2022`, `February 24, 2022`, `2022-02-24`, `24.02.2022`,
`2022年2月24日`), month and year (`March 2023`, `марте 2023`, `آذار 2023`)
and bare years (`since 2019`, `в 2015 году`), with month names in English,
Arabic, German, Spanish, Persian, French and Russian, and Arabic-Indic or
Persian digits. Each is an interval: a bare year is the whole year, a month
the whole month, so a rule that asks "is any event on or after this date?"
errs towards yes. A Persian report's years 1300-1499 are Solar Hijri years
(1401 is March 2022 to March 2023) and become their Gregorian interval.

Only years from 1950 to 2049 are read, and a number that is part of a code
(`8542.31`, `3A001`, an HS heading) or an amount is not a year.

`events_before(dates, cutoff)` answers whether a report's dates all end
before `cutoff`; no dates at all is not "before" (nothing says so).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from triage.text import CYRILLIC, plain

__all__ = ["DateSpan", "events_before", "find_dates"]


@dataclass(frozen=True)
class DateSpan:
    """An interval of days a text names, and the text that names it."""

    first: date
    last: date
    text: str
    start: int  # offsets in the text it was found in
    end: int


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        # en, de, fr, es, ru (stems: any case ending follows), ar (Levantine and
        # Gregorian-transliterated), fa (the Gregorian months as Iranians write them)
        "january jan januar janvier enero январ كانون_الثاني يناير ژانویه",
        "february feb februar fevrier febrero феврал شباط فبراير فوریه",
        "march mar marz mars marzo март آذار مارس مارس",
        "april apr avril abril апрел نيسان أبريل ابريل آوریل",
        "may mai mayo мая мае маи أيار مايو مه",
        "june jun juni juin junio июн حزيران يونيو ژوئن",
        "july jul juli juillet julio июл تموز يوليو ژوئیه",
        "august aug aout agosto август آب أغسطس اغسطس اوت",
        "september sep sept septembre septiembre сентябр أيلول سبتمبر سپتامبر",
        "october oct oktober octobre octubre октябр تشرين_الأول أكتوبر اكتوبر اکتبر",
        "november nov novembre noviembre ноябр تشرين_الثاني نوفمبر نوامبر",
        "december dec dezember decembre diciembre декабр كانون_الأول ديسمبر دسامبر",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name.replace("_", " ")] = _number

_MONTHS = {plain(name): number for name, number in _MONTHS.items()}
_RU_STEMS = tuple(
    (name, n) for name, n in _MONTHS.items() if CYRILLIC.match(name) and len(name) > 3
)

# Digits of every script the reports use, folded to ASCII (one character for one).
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_YEAR = r"(?<![\w.,/-])(19[5-9]\d|20[0-4]\d)(?![\w%]|[.,]\d)"
_YEAR_ZH = r"(?<![\d.])(19[5-9]\d|20[0-4]\d)年(?:(\d{1,2})月(?:(\d{1,2})日)?)?"
_FA_YEAR = r"(?<![\w.,/-])(1[34]\d\d)(?![\w%]|[.,]\d)"
_ISO = re.compile(r"(?<![\w.])(19[5-9]\d|20[0-4]\d)[-/.](\d{1,2})[-/.](\d{1,2})(?![\w.]\d)")
_DMY = re.compile(r"(?<![\w.])(\d{1,2})[./-](\d{1,2})[./-](19[5-9]\d|20[0-4]\d)(?!\w)")
# A word starts where no letter precedes it: without the lookbehind a long run of
# letters is retried from each of its positions (quadratic backtracking).
_WORD = r"(?<![^\W\d_])[^\W\d_]+(?: [^\W\d_]+)?"
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(?:(\d{{1,2}})\.?(?:er|st|nd|rd|th)? )?(?:de )?({_WORD}),? (?:de )?{_YEAR}"
)
_MONTH_DAY_YEAR = re.compile(rf"({_WORD}) (\d{{1,2}})(?:st|nd|rd|th)?, {_YEAR}")
_ZH = re.compile(_YEAR_ZH)
_BARE = re.compile(_YEAR)
_FA_BARE = re.compile(_FA_YEAR)
# Every form above names a year, four digits in a row (any script's digits): a
# text without four digits in a row names no date, and most fields have none.
_FOUR_DIGITS = re.compile(r"\d{4}")


def _month(words: str) -> int | None:
    """The month a word (or two, for Levantine names) names; Russian by stem."""
    words = plain(words)
    parts = words.split()
    if not parts:
        # A mark that folds to nothing (U+FE70, U+037A) names no month.
        return None
    for candidate in (words, parts[-1], parts[0]):
        if candidate in _MONTHS:
            return _MONTHS[candidate]
        if CYRILLIC.match(candidate):
            # Russian month names decline (февраля, марте): match the stem.
            for stem, number in _RU_STEMS:
                if candidate.startswith(stem):
                    return number
    return None


def _span(year: int, month: int | None = None, day: int | None = None) -> tuple[date, date]:
    if month is None or not 1 <= month <= 12:
        return date(year, 1, 1), date(year, 12, 31)
    last_day = calendar.monthrange(year, month)[1]
    if day is None or not 1 <= day <= last_day:
        return date(year, month, 1), date(year, month, last_day)
    return date(year, month, day), date(year, month, day)


def _find(text: str, language: str | None) -> list[DateSpan]:
    if not _FOUR_DIGITS.search(text):
        return []
    plain = text.translate(_DIGITS)
    found: list[DateSpan] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, first: date, last: date) -> None:
        if any(start < b and a < end for a, b in taken):
            return
        taken.append((start, end))
        found.append(DateSpan(first, last, text[start:end], start, end))

    def number(group: str | None) -> int | None:
        return int(group) if group else None

    for match in _ISO.finditer(plain):
        add(match.start(), match.end(), *_span(int(match[1]), int(match[2]), int(match[3])))
    for match in _DMY.finditer(plain):
        add(match.start(), match.end(), *_span(int(match[3]), int(match[2]), int(match[1])))
    for match in _ZH.finditer(plain):
        add(match.start(), match.end(), *_span(int(match[1]), number(match[2]), number(match[3])))
    for match in _MONTH_DAY_YEAR.finditer(plain):
        named = _month(match[1])
        if named is not None:
            add(match.start(), match.end(), *_span(int(match[3]), named, int(match[2])))
    for match in _DAY_MONTH_YEAR.finditer(plain):
        named = _month(match[2])
        if named is not None:
            add(match.start(), match.end(), *_span(int(match[3]), named, number(match[1])))
    for match in _BARE.finditer(plain):
        add(match.start(1), match.end(1), *_span(int(match.group(1))))
    if language == "fa":
        for match in _FA_BARE.finditer(plain):
            # Solar Hijri year Y runs from about 21 March of Y + 621 to 20 March of Y + 622.
            year = int(match.group(1)) + 621
            add(match.start(1), match.end(1), date(year, 3, 21), date(year + 1, 3, 20))
    return sorted(found, key=lambda d: (d.start, d.end))


def find_dates(texts: Iterable[str], language: str | None = None) -> list[DateSpan]:
    """Every date, month or year named in `texts`, each text's in order of position."""
    out: list[DateSpan] = []
    for text in texts:
        out += _find(text, language)
    return out


def events_before(dates: Iterable[DateSpan], cutoff: date) -> bool:
    """True when there are dates and every one of them ends before `cutoff`."""
    spans = list(dates)
    return bool(spans) and all(span.last < cutoff for span in spans)
