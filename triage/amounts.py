"""Amounts of money as reporters write them, in figures or in words, in any language.

`find_amounts(folded) -> Iterator[FoundAmount]`: each amount's value, ISO 4217
currency and span in `folded` (a same-length fold of the text, so spans are
spans of the text). Read:

- figures with a currency before or after them: "US$1.2 million", "€ 12.000,00",
  "2,500,000 AED", "150 000 roubles", "RMB 800k";
- figures or number words with multiplier words, then a currency word, in
  English, German, French, Spanish, Russian, Arabic, Persian and Turkish:
  "two million dollars", "1,4 Millionen Euro", "deux millions d'euros",
  "dos millones de dólares", "три миллиона долларов", "مليوني دولار",
  "دو میلیون دلار", "5 milyon dolar"; Arabic-Indic and Persian digits count
  as digits ("۲ میلیون دلار");
- Chinese and Korean numerals and units before the currency: "两百万美元",
  "1.2亿元", "300万人民币", "3억 원", "200만 달러".

The search is anchored on what is rare (digits before a currency sign, then
currency words) and reads a short window before each, so a long report costs
one pass; a bounded number of multiplier words keeps every match linear.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from triage.text import plain

__all__ = ["FoundAmount", "find_amounts", "usd_estimate"]


@dataclass(frozen=True, slots=True)
class FoundAmount:
    value: float
    currency: str  # ISO 4217 (USDT for Tether)
    start: int
    end: int


# US dollars per unit, to the order of magnitude: enough to tell whether an
# amount is large (a red flag at a million dollars), never for accounting.
# A currency not here counts at face value.
_USD_PER_UNIT = {
    "USD": 1.0, "USDT": 1.0, "EUR": 1.0, "GBP": 1.0, "CHF": 1.0, "SGD": 0.7, "AED": 0.3,
    "CNY": 0.1, "HKD": 0.1, "TRY": 0.03, "RUB": 0.01, "INR": 0.01, "JPY": 0.01,
    "KRW": 0.001, "KPW": 0.001, "IRR": 0.00002,
}  # fmt: skip


def usd_estimate(value: float, currency: str) -> float:
    """`value` in `currency` as US dollars, to the order of magnitude."""
    return value * _USD_PER_UNIT.get(currency, 1.0)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(set(words), key=lambda w: (-len(w), w)))


# Currency words as written after an amount, folded; a value is (currency, factor).
_CURRENCY_WORDS: dict[str, tuple[str, float]] = {
    plain(word): (code, factor)
    for code, factor, words in (
        ("USD", 1.0, "usd dollar dollars dolar dolares dólar dólares dollaro doller "
                     "доллар доллара долларов доллары долл دولار دولارات دولارا دلار"),
        ("EUR", 1.0, "eur euro euros евро يورو یورو avro"),
        ("GBP", 1.0, "gbp pound pounds pfund sterling фунтов фунта فوند پوند sterlin"),
        ("CNY", 1.0, "cny rmb yuan renminbi юаней юаня юань يوان یوان"),
        ("AED", 1.0, "aed dirham dirhams dirhams дирхам дирхамов дирхама درهم درهما"),
        ("RUB", 1.0, "rub rouble roubles ruble rubles rubel рубль рубля рублей روبل"),
        ("IRR", 1.0, "irr rial rials риал риалов ريال ریال"),
        ("IRR", 10.0, "toman tomans туман туманов تومان"),
        ("TRY", 1.0, "lira liras tl лир ليرة لیر"),
        ("JPY", 1.0, "jpy yen иен ين"),
        ("KRW", 1.0, "krw won вон"),
        ("HKD", 1.0, "hkd"),
        ("SGD", 1.0, "sgd"),
        ("INR", 1.0, "inr rupees рупий"),
        ("CHF", 1.0, "chf francs franken"),
        ("KPW", 1.0, "kpw"),
        ("USDT", 1.0, "usdt tether"),
    )
    for word in words.split()
}  # fmt: skip
# Chinese and Korean currency words follow their numeral without a space.
_EAST_CURRENCIES: dict[str, tuple[str, float]] = {
    "美元": ("USD", 1.0), "美金": ("USD", 1.0), "欧元": ("EUR", 1.0), "英镑": ("GBP", 1.0),
    "人民币": ("CNY", 1.0), "元": ("CNY", 1.0), "港元": ("HKD", 1.0), "港币": ("HKD", 1.0),
    "日元": ("JPY", 1.0), "韩元": ("KRW", 1.0), "卢布": ("RUB", 1.0), "迪拉姆": ("AED", 1.0),
    "里亚尔": ("IRR", 1.0), "里拉": ("TRY", 1.0),
    "달러": ("USD", 1.0), "유로": ("EUR", 1.0), "원": ("KRW", 1.0), "위안": ("CNY", 1.0),
    "루블": ("RUB", 1.0), "파운드": ("GBP", 1.0),
}  # fmt: skip
_PREFIX_CURRENCIES = {
    "$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP",
    "¥": "CNY", "cny": "CNY", "rmb": "CNY", "jpy": "JPY", "chf": "CHF", "aed": "AED",
    "rub": "RUB", "hkd": "HKD", "hk$": "HKD", "sgd": "SGD", "s$": "SGD", "inr": "INR",
    "krw": "KRW", "irr": "IRR", "kpw": "KPW", "usdt": "USDT",
}  # fmt: skip

# Multiplier words, folded; Arabic duals carry their two ("مليونا", "مليوني").
_MULTIPLIERS: dict[str, float] = {
    plain(word): value
    for value, words in (
        (1e2, "hundred hundert cent cien cientos сто сотни صد yüz"),
        (1e3, "thousand thousands k tausend mille mil тыс тысяча тысячи тысяч ألف الف آلاف "
              "هزار bin"),
        (2e3, "ألفا ألفي"),
        (1e6, "million millions mn mio millionen millon millones миллион миллиона миллионов "
              "млн مليون ملايين میلیون milyon"),
        (2e6, "مليونا مليوني"),
        (1e9, "billion billions bn milliarde milliarden mrd milliard milliards millardo "
              "millardos миллиард миллиарда миллиардов млрд مليار مليارات میلیارد milyar"),
    )
    for word in words.split()
}  # fmt: skip
_NUMBER_WORDS: dict[str, float] = {
    plain(word): float(value)
    for value, words in (
        (1, "a one ein eine einer einem un une uno una один одна одного واحد یک bir"),
        (2, "two zwei deux dos два две اثنان اثنين دو iki"),
        (3, "three drei trois tres три ثلاثة ثلاث سه üç"),
        (4, "four vier quatre cuatro четыре أربعة اربعة چهار dört"),
        (5, "five fünf cinq cinco пять خمسة خمس پنج beş"),
        (6, "six sechs seis шесть ستة شش altı"),
        (7, "seven sieben sept siete семь سبعة هفت yedi"),
        (8, "eight acht huit ocho восемь ثمانية هشت sekiz"),
        (9, "nine neun neuf nueve девять تسعة نه dokuz"),
        (10, "ten zehn dix diez десять عشرة ده on"),
        (12, "twelve zwölf douze doce двенадцать"),
        (15, "fifteen fünfzehn quinze quince пятнадцать"),
        (20, "twenty zwanzig vingt veinte двадцать عشرين عشرون بیست yirmi"),
        (30, "thirty dreißig trente treinta тридцать ثلاثين ثلاثون سی otuz"),
        (40, "forty vierzig quarante cuarenta сорок أربعين أربعون چهل kırk"),
        (50, "fifty fünfzig cinquante cincuenta пятьдесят خمسين خمسون پنجاه elli"),
        (60, "sixty sechzig soixante sesenta шестьдесят ستين شصت altmış"),
        (70, "seventy siebzig setenta семьдесят سبعين هفتاد yetmiş"),
        (80, "eighty achtzig ochenta восемьдесят ثمانين هشتاد seksen"),
        (90, "ninety neunzig noventa девяносто تسعين نود doksan"),
    )
    for word in words.split()
}  # fmt: skip

# Arabic-Indic and Persian digits, and the Arabic decimal and thousands
# separators, one character for one.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
# The thousands groups are bounded (up to 10^21): unbounded, a long run of
# space-separated groups ("1 000 000 ...") was rescanned from every group.
_NUMBER = r"(\d{1,3}(?:[,.\s]\d{3}){1,6}(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?)"
# After figures, one letter is a multiplier too: "EUR 3.5m", "RMB 800k", "5bn".
_FIGURE_MULTIPLIERS = {**_MULTIPLIERS, "m": 1e6, "b": 1e9}
_SHORT_MULT = rf"(?:\s?({_alternation(_FIGURE_MULTIPLIERS)})(?![^\W\d_]))?"
_AMOUNT_PREFIX = re.compile(
    rf"(?<![^\W\d_])({_alternation(_PREFIX_CURRENCIES)})\s?{_NUMBER}{_SHORT_MULT}"
)
_NUMBER_START = re.compile(r"(?<![\d.,])\d")
_BOUNDARY = r"(?<![^\W\d_])"  # not inside a word: no letter before
_CURRENCY = re.compile(rf"{_BOUNDARY}(?:{_alternation(_CURRENCY_WORDS)})(?![^\W\d_])")
_EAST_CURRENCY = re.compile(_alternation(_EAST_CURRENCIES))
_WORD_MULT = _alternation(word for word in _MULTIPLIERS if len(word) > 1)
# What may stand before a currency word: a numeral (figures, with a one-letter
# multiplier, or a word), up to three multiplier words, and "of", "de", "d'"
# or "us" ("US dollars").
_BEFORE_CURRENCY = re.compile(
    rf"{_BOUNDARY}(?:(?<![\d.,]){_NUMBER}([kmb](?![^\W\d_]))?|({_alternation(_NUMBER_WORDS)}))?"
    rf"((?:[\s-]?(?:{_WORD_MULT})\.?(?![^\W\d_])){{0,3}})"
    rf"\s?(?:(?:of|de|d'|us)\s?)?$"
)
_CJK_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
    "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CJK_UNITS = {"十": 1e1, "百": 1e2, "千": 1e3, "천": 1e3, "백": 1e2}
_CJK_LARGE = {"万": 1e4, "만": 1e4, "亿": 1e8, "억": 1e8}
_BEFORE_EAST_CURRENCY = re.compile(
    r"(\d+(?:[.,]\d+)*)?\s?([零〇一二两三四五六七八九十百千万亿천백만억]*)\s?$"
)
_WINDOW = 48  # characters read before a currency word
# A number in words that goes on before the words read: a hyphen, or a word
# that is itself a number, a multiplier or a compound numeral's ending.
_COMPOUND_BEFORE = re.compile(
    rf"(?:-|(?<![^\W\d_])(?:{_alternation(_NUMBER_WORDS)}|{_WORD_MULT}|\w+(?:zig|ßig|ssig|"
    rf"hundert|tausend|дцать|десят|сот)|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|"
    rf"(?:thir|four|fif|six|seven|eigh|nine)teen)\s)\s*$"
)


def _number(text: str) -> float | None:
    text = text.replace(" ", "")
    if "," in text and "." in text:
        # Whichever separator comes last is the decimal one.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        parts = text.split(",")
        text = text.replace(",", "") if len(parts[-1]) == 3 else text.replace(",", ".")
    elif text.count(".") > 1 or (text.count(".") == 1 and len(text.split(".")[-1]) == 3):
        text = text.replace(".", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _multiplier(words: str) -> float:
    value = 1.0
    for word in re.split(r"[\s.-]+", words.strip()):
        value *= _MULTIPLIERS.get(word, 1.0)
    return value


def _cjk_numeral(figures: str | None, numeral: str) -> float | None:
    """ "两百万" 2,000,000; "1.2" and "亿" 120,000,000; "3" and "千万" 30,000,000."""
    if figures:
        value = _number(figures)
        if value is None:
            return None
        for char in numeral:
            value *= _CJK_UNITS.get(char) or _CJK_LARGE.get(char) or 1.0
        return value
    if not numeral or numeral[0] in _CJK_LARGE:
        return None
    total = section = number = 0.0
    for char in numeral:
        if char in _CJK_DIGITS:
            number = _CJK_DIGITS[char]
        elif char in _CJK_UNITS:
            section += (number or 1) * _CJK_UNITS[char]
            number = 0
        elif char in _CJK_LARGE:
            unit = _CJK_LARGE[char]
            # 亿 multiplies all before it; 万 only its own section ("一亿五千万").
            total = (
                (total + section + number) * unit
                if unit > total
                else total + (section + number) * unit
            )
            section = number = 0
    return total + section + number


def _prefixed(text: str) -> Iterator[FoundAmount]:
    """A currency sign or code before figures: "US$1.2 million", "EUR 3.5m"."""
    done = -1
    for number in _NUMBER_START.finditer(text):
        position = number.start()
        if position < done:
            continue
        for begin in range(max(0, position - 5), position):
            match = _AMOUNT_PREFIX.match(text, begin)
            if match is not None and match.start(2) == position:
                value = _number(match.group(2))
                if value is not None:
                    value *= _FIGURE_MULTIPLIERS.get(match.group(3) or "", 1.0)
                    currency = _PREFIX_CURRENCIES[match.group(1)]
                    done = match.end()
                    yield FoundAmount(value, currency, match.start(), match.end())
                break


def _worded(text: str) -> Iterator[FoundAmount]:
    """A numeral and multiplier words before a currency word: "two million dollars"."""
    for currency in _CURRENCY.finditer(text):
        window_start = max(0, currency.start() - _WINDOW)
        before = _BEFORE_CURRENCY.search(text, window_start, currency.start())
        if before is None:
            continue
        figures, letter, word, multipliers = before.groups()
        if figures is None and not multipliers.strip():
            # "the dollar fell", "spent on dollars": no amount, or one too small
            # to matter written as a word alone
            continue
        value = _number(figures) if figures else _NUMBER_WORDS.get(word or "", 1.0)
        if value is None:
            continue
        start = before.start() + len(before.group()) - len(before.group().lstrip())
        if figures is None and _COMPOUND_BEFORE.search(text, max(0, start - _WINDOW), start):
            # "twenty-five million", "two hundred fifty thousand", "fünfundzwanzig
            # Millionen": the words read are the end of a longer number, and a
            # part of it would understate the sum. No amount rather than a wrong one.
            continue
        value *= _FIGURE_MULTIPLIERS.get(letter or "", 1.0)
        code, factor = _CURRENCY_WORDS[currency.group()]
        value *= _multiplier(multipliers) * factor
        yield FoundAmount(value, code, start, currency.end())


def _east(text: str) -> Iterator[FoundAmount]:
    """Chinese and Korean numerals before their currency: "两百万美元", "3억 원"."""
    for currency in _EAST_CURRENCY.finditer(text):
        window_start = max(0, currency.start() - _WINDOW)
        before = _BEFORE_EAST_CURRENCY.search(text, window_start, currency.start())
        if before is None or not before.group().strip():
            continue
        figures, numeral = before.group(1), before.group(2)
        if not figures and not any(char in _CJK_UNITS or char in _CJK_LARGE for char in numeral):
            continue  # "二元化学武器": a numeral word, not two yuan
        value = _cjk_numeral(figures, numeral)
        if value is None or not value:
            continue
        code, factor = _EAST_CURRENCIES[currency.group()]
        start = before.start() + len(before.group()) - len(before.group().lstrip())
        yield FoundAmount(value * factor, code, start, currency.end())


def find_amounts(folded: str) -> list[FoundAmount]:
    """The amounts `folded` names, in order; of overlapping readings, the longest."""
    text = folded.translate(_DIGITS)
    # Of overlapping readings the longest, and of two as long the currency
    # first: "In 2019 USD 5 million" and "Invoice 2024 EUR 3.5m" are not
    # 2019 dollars and 2024 euros (a stable sort keeps `_prefixed` first).
    # A value past a float's range ("9" * 300 "billion") is none.
    found = sorted(
        (a for a in (*_prefixed(text), *_worded(text), *_east(text)) if math.isfinite(a.value)),
        key=lambda a: a.start - a.end,
    )
    taken = bytearray(len(text))  # the characters a kept reading covers
    kept: list[FoundAmount] = []
    for amount in found:
        if not any(taken[amount.start : amount.end]):
            taken[amount.start : amount.end] = b"\x01" * (amount.end - amount.start)
            kept.append(amount)
    return sorted(kept, key=lambda a: a.start)
