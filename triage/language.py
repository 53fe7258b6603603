"""The language a report is written in, from its text alone, offline.

`detect_language(texts) -> str | None` answers with one of `LANGUAGES`
(ISO 639-1), the languages triage's indicator phrases and goods vocabulary
are written in, or `None` when the text is too short to tell or is in none
of them. It is a script-and-function-word detector, deterministic and
instant (docs/triage.md, "Language", says why no statistical model):

- the script of most letters decides between Chinese (Han characters; a
  text with Japanese kana is not Chinese), Russian (Cyrillic), Arabic script
  and Latin script;
- Arabic script is Persian when the letters Arabic lacks (peh, tcheh, zheh,
  gaf) or Persian's own yeh and keheh, and Persian function words, outweigh
  the letters Persian lacks (ta marbuta, Arabic yeh and kaf) and Arabic's
  function words; else Arabic;
- Latin script is the language of English, German, French or Spanish whose
  function words (articles, prepositions, pronouns, auxiliaries) are the most
  frequent among the words; none of them when under one word in twenty is
  such a word (Dutch, Turkish, Indonesian ...).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

__all__ = ["LANGUAGES", "detect_language"]

LANGUAGES: tuple[str, ...] = ("ar", "de", "en", "es", "fa", "fr", "ru", "zh")

# Fewer letters than this say too little to name a language.
MIN_LETTERS = 12

_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        ["the", "and", "of", "to", "in", "is", "was", "that", "for", "with", "as", "on", "by",
         "from", "this", "are", "were", "have", "has", "had", "which", "not", "but", "they",
         "their", "he", "she", "it", "we", "our", "you", "be", "been", "at", "an", "or", "who"]
    ),
    "de": frozenset(
        ["der", "die", "das", "und", "ist", "nicht", "ein", "eine", "einen", "einem", "einer",
         "mit", "von", "den", "dem", "des", "auf", "für", "fur", "sich", "auch", "wir", "ich",
         "sie", "es", "zu", "im", "bei", "aus", "nach", "wurde", "wurden", "hat", "haben",
         "oder", "über", "uber", "dass", "daß"]
    ),
    "fr": frozenset(
        ["le", "la", "les", "et", "est", "des", "une", "un", "du", "dans", "pour", "que", "qui",
         "pas", "ne", "sur", "au", "aux", "par", "avec", "nous", "je", "il", "elle", "sont",
         "ont", "été", "ete", "cette", "ce", "ces", "leur", "son", "sa"]
    ),
    "es": frozenset(
        ["el", "la", "los", "las", "y", "es", "del", "una", "un", "en", "por", "para", "que",
         "con", "no", "se", "su", "sus", "al", "como", "pero", "nosotros", "yo", "fue",
         "fueron", "está", "esta", "son", "han", "ha", "este", "estos"]
    ),
}  # fmt: skip
_LATIN_WORD = re.compile(r"[^\W\d_]+")
_ARABIC_WORD = re.compile("[\u0600-\u06ff\u200c]+")
# Letters of one language of the Arabic script and not the other.
_PERSIAN_LETTERS = frozenset("\u067e\u0686\u0698\u06af\u06cc\u06a9")  # peh tcheh zheh gaf yeh keheh
_ARABIC_LETTERS = frozenset("\u0629\u064a\u0643\u0649")  # ta marbuta, yeh, kaf, alef maksura
_PERSIAN_WORDS = frozenset(
    {"\u0627\u0633\u062a", "\u0631\u0627", "\u0627\u06cc\u0646", "\u06a9\u0647", "\u0628\u0627"}
)  # ast, ra, in, ke, ba
_ARABIC_WORDS = frozenset(
    {"\u0641\u064a", "\u0627\u0644\u062a\u064a", "\u0627\u0644\u0630\u064a", "\u0647\u0630\u0627"}
)  # fi, allati, alladhi, hadha


def _script(char: str) -> str | None:
    code = ord(char)
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return "han"
    if 0x3040 <= code <= 0x30FF:
        return "kana"
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic"
    if 0x0600 <= code <= 0x06FF or 0xFB50 <= code <= 0xFEFF:
        return "arabic"
    if (code < 0x0250 or 0x1E00 <= code <= 0x1EFF) and char.isalpha():
        return "latin"
    return None


def _letters_of(script: str) -> re.Pattern[str]:
    """Runs of the characters `_script` counts as `script` (counted in C, not char by char)."""
    ranges = (
        ((0x0000, 0x024F), (0x1E00, 0x1EFF))
        if script == "latin"
        else ((0x0400, 0x04FF), (0x0600, 0x06FF), (0x3040, 0x30FF), (0x3400, 0x4DBF),
              (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFB50, 0xFEFF))
    )  # fmt: skip
    codes = [code for low, high in ranges for code in range(low, high + 1)]
    runs: list[list[int]] = []  # consecutive code points of the script, as [first, last]
    for code in codes:
        if _script(chr(code)) != script:
            continue
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    members = "".join(
        re.escape(chr(low)) + ("-" + re.escape(chr(high)) if high > low else "")
        for low, high in runs
    )
    return re.compile(f"[{members}]+")


_SCRIPT_LETTERS = {
    script: _letters_of(script) for script in ("han", "kana", "cyrillic", "arabic", "latin")
}
_ASCII_LETTER_BYTES = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))
# ASCII text: every character but a letter becomes a space, so `split` gives the words.
_ASCII_NOT_LETTERS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalpha()})


def _script_counts(text: str) -> dict[str, int]:
    """How many letters of each script `text` has (the scripts it has any of)."""
    if text.isascii():
        latin = len(text) - len(text.encode("ascii").translate(None, _ASCII_LETTER_BYTES))
        return {"latin": latin} if latin else {}
    counts = {
        script: sum(map(len, letters.findall(text))) for script, letters in _SCRIPT_LETTERS.items()
    }
    return {script: count for script, count in counts.items() if count}


def _arabic_or_persian(text: str) -> str:
    persian = sum(map(text.count, _PERSIAN_LETTERS))
    arabic = sum(map(text.count, _ARABIC_LETTERS))
    for word in _ARABIC_WORD.findall(text):
        if word in _PERSIAN_WORDS:
            persian += 2
        elif word in _ARABIC_WORDS:
            arabic += 2
    return "fa" if persian > arabic else "ar"


def _latin(text: str) -> str | None:
    words: Counter[str] = Counter()
    if text.isascii():
        words.update(text.lower().translate(_ASCII_NOT_LETTERS).split())
    else:
        for word, count in Counter(_LATIN_WORD.findall(text)).items():
            words[word.lower()] += count
    scores = {
        language: sum(words.get(word, 0) for word in function_words)
        for language, function_words in _FUNCTION_WORDS.items()
    }
    best = max(scores.values())
    if best * 20 < sum(words.values()):
        return None  # under one word in twenty is a function word of these: another language
    # Ties go to the first in LANGUAGES order, so the answer is deterministic.
    return min(language for language, score in scores.items() if score == best)


def detect_language(texts: str | Iterable[str]) -> str | None:
    """The ISO 639-1 code of the language `texts` are written in, or None (see above)."""
    text = texts if isinstance(texts, str) else "\n".join(texts)
    scripts = Counter(_script_counts(text))
    # One Han character carries about a word: weigh it as three letters.
    weighted = {
        script: count * (3 if script in {"han", "kana"} else 1) for script, count in scripts.items()
    }
    if sum(scripts.values()) < MIN_LETTERS and scripts["han"] < MIN_LETTERS // 3:
        return None
    script = max(sorted(weighted), key=lambda name: weighted[name])
    if script in {"han", "kana"}:
        return "zh" if scripts["kana"] * 10 < scripts["han"] else None
    if script == "cyrillic":
        return "ru"
    if script == "arabic":
        return _arabic_or_persian(text)
    return _latin(text)
