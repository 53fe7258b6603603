"""Text normalisation shared by extraction and screening.

The API is small on purpose and stable:

- `fold(text)`: lower case, ASCII (diacritics stripped, other scripts
  transliterated with `anyascii`), punctuation turned into single spaces
  (apostrophes dropped, dotted acronyms such as ``S.A.`` or ``U.S.A.`` closed
  up, ``&`` spelled ``and``), whitespace collapsed. Two spellings of a name
  that differ only in case, accents, script conventions or punctuation fold
  to the same string.
- `name_tokens(name)`: the folded words of a party's name without its legal
  forms (``Ltd``, ``LLC``, ``GmbH``, ``Co.``, ``JSC``, ``OOO`` ...), wherever
  they stand; a name made only of legal forms keeps them.
- `LEGAL_FORMS`: the folded legal-form words that `name_tokens` drops.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from anyascii import anyascii

__all__ = [
    "LEGAL_FORMS",
    "PhraseMatcher",
    "Token",
    "entry_phrases",
    "fold",
    "match_fold",
    "name_tokens",
    "tokens",
    "word_key",
]

# Folded, so "S.A." is "sa", "Co.,Ltd." is "co ltd" and "GmbH & Co. KG" is
# "gmbh and co kg" (the "and" is dropped only when a legal form follows it).
LEGAL_FORMS: frozenset[str] = frozenset(
    {
        # English-speaking and common-law
        "ltd", "limited", "llc", "llp", "lp", "plc", "inc", "incorporated", "corp",
        "corporation", "co", "company", "cos", "pty", "pte", "pvt",
        # German, Dutch, Nordic, Swiss
        "gmbh", "ag", "kg", "ohg", "ug", "mbh", "bv", "nv", "vof", "ab", "as", "asa", "oy", "oyj",
        # Romance languages
        "sa", "sarl", "sas", "sasu", "srl", "spa", "sl", "sau", "slu", "ltda", "sac", "sab", "cv",
        "eirl", "snc",
        # Russian and post-Soviet (transliterated)
        "ooo", "oao", "zao", "pao", "ao", "jsc", "ojsc", "cjsc", "pjsc", "tov", "fgup",
        "gup", "mup",
        # Middle East, Asia
        "fze", "fzco", "fzc", "fzllc", "fz", "dmcc", "wll", "kk", "bhd", "sdn", "tbk", "pt",
        "jv",
    }
)  # fmt: skip

# Apostrophes and modifier letters used as apostrophes vanish ("Ma'an" is "maan").
_APOSTROPHES = re.compile("['\u2018\u2019\u201b\u02bc\u02bb\u02be\u02bf\u0060\u00b4]")
# Single letters joined by dots close up: "s.a.", "u.s.a", "l.l.c." (not numbers).
_DOTTED_ACRONYM = re.compile(r"\b(?:[a-z]\.)+[a-z]\b\.?")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII words of `text` separated by single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = anyascii(text).lower()
    text = _APOSTROPHES.sub("", text)
    text = text.replace("&", " and ")
    text = _DOTTED_ACRONYM.sub(lambda match: match.group(0).replace(".", ""), text)
    return _NOT_WORD.sub(" ", text).strip()


def name_tokens(name: str) -> tuple[str, ...]:
    """The folded words of `name` without legal forms (kept if nothing else is left)."""
    words = fold(name).split()
    kept = [word for word in words if word not in LEGAL_FORMS]
    # "GmbH & Co. KG" leaves a dangling "and" between two legal forms.
    while kept and kept[-1] == "and" and len(kept) < len(words):
        kept.pop()
    return tuple(kept) if kept else tuple(words)


# --------------------------------------------------------------------------- phrase matching
#
# Phrase matching for every script a report may be written in. Matching runs
# on a *same-length* fold of the text (one character for one character), so a
# match's offsets are offsets in the original text:
#
# - Latin, Greek and Cyrillic: lower case, diacritics stripped (e acute is
#   "e", Cyrillic yo is ie, short i is i);
# - Arabic script: the letters Arabic and Persian writers swap fold alike
#   (Arabic and Persian yeh and alef maksura, Arabic and Persian kaf, the
#   hamza and madda forms of alef, ta marbuta and heh, waw and yeh with
#   hamza), Arabic-Indic and Persian digits are digits, and diacritics
#   (harakat), tatweel and joiners are ignored inside a word, the
#   zero-width non-joiner Persian writers put between a stem and its prefix
#   or suffix included (so the clitic rules below see one word);
# - Chinese (and Japanese kana): every character is a word, since the script
#   has no spaces: a phrase is matched as a sequence of characters.
#
# A word's key is its folded form, except that a Cyrillic word is cut to its
# stem (the longest common Russian ending removed) and an Arabic-script word
# loses its article (al-). In the text, an Arabic-script word is also tried
# without its attached conjunction, preposition and pronoun or plural suffix
# (wa-bi-l-uqubat, "and with the sanctions", is tried as uqubat), so a phrase
# is written once, bare. A
# phrase's last Latin word also matches with a plural ending ("s", "es"), and
# a German phrase's with the endings of its cases ("-e", "-en", "-er" ...).

_IGNORED = "\u0640"  # inside-word marks (harakat, tatweel, joiners) fold to this
_FOLD_MAP = {
    **dict.fromkeys("\u0649\u06cc\u06d2\u0626\u06d0", "\u064a"),  # the yehs
    **dict.fromkeys("\u06a9\u06aa", "\u0643"),  # the kafs
    # alef with hamza, madda or wasla
    **dict.fromkeys("\u0623\u0625\u0622\u0671\u0672\u0673", "\u0627"),
    **dict.fromkeys("\u0629\u06c0\u06d5\u06be\u06c1", "\u0647"),  # ta marbuta and the hehs
    "\u0624": "\u0648",  # waw with hamza
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    "\u200c": _IGNORED,  # zero-width non-joiner: Persian's stem-suffix joint
    "\u200d": _IGNORED,
    "\u00ad": _IGNORED,
}
_CJK_CHAR = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK_CHAR}]|(?:(?![{_CJK_CHAR}])[^\W_]|{_IGNORED})+")
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d5\u06fa-\u06ff]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN_END = re.compile("[a-z\u00df-\u024f]$")

# Russian endings (after the fold, short i is i), longest first; a stem keeps
# three letters.
_RU_ENDINGS = tuple(
    sorted(
        (
            "иями", "ями", "ами", "иях", "ях", "ах", "ием", "ией", "иею", "ию", "ия",  # noqa: RUF001
            "ие", "ии", "ого", "его", "ому", "ему", "ыми", "ими", "ои", "еи", "ыи",  # noqa: RUF001
            "ая", "яя", "ое", "ее", "ую", "юю", "ых", "их", "ов", "ев", "ам", "ям",  # noqa: RUF001
            "ом", "ем", "ья", "ье", "ью", "ьи", "ешь", "ете", "ать", "ять", "ить",
            "ыть", "ал", "ала", "али", "ало", "ил", "ила", "или", "ило", "ут", "ют",
            "ат", "ят", "ет", "ит", "ым", "им", "ою", "ею", "а", "я", "о", "е", "ы", "и",  # noqa: RUF001
            "у", "ю", "ь",  # noqa: RUF001
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
# Arabic-script clitics tried off a text word: conjunction, preposition, the
# article, Persian verb prefixes; pronoun, plural and Persian suffixes.
_AR_PREFIXES = tuple(
    sorted(
        {
            conj + prep
            for conj in ("", "و", "ف")
            for prep in ("", "ب", "ل", "ك", "لل", "س")
            if conj + prep
        }
        | {"مي", "نمي", "ب"},
        key=len,
        reverse=True,
    )
)
_AR_SUFFIXES = tuple(
    sorted(
        {"ها", "هاي", "هايي", "هما", "هم", "كم", "نا", "ه", "ي", "اي", "يي", "ش", "شان", "ان",  # noqa: RUF001
         "ات", "ين", "ون", "تان", "مان"},
        key=len,
        reverse=True,
    )
)  # fmt: skip
# German phrase words also match with these endings (cases and plurals).
_DE_ENDINGS = ("e", "n", "en", "er", "es", "s", "em", "ern", "ns")
_LATIN_PLURALS = ("s", "es")


@lru_cache(maxsize=8192)
def _match_char(char: str) -> str:
    mapped = _FOLD_MAP.get(char)
    if mapped is not None:
        return mapped
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    folded = base[0] if base else (char.lower()[:1] or char)
    folded = _FOLD_MAP.get(folded, folded)
    if unicodedata.combining(folded) or folded == "\u0640":
        return _IGNORED
    return folded


def match_fold(text: str) -> str:
    """`text` folded for phrase matching, one character for each character of `text`."""
    if text.isascii():
        return text.lower()
    return "".join(_match_char(char) for char in text)


def _stem_ru(word: str) -> str:
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _bare_ar(word: str) -> str:
    return word[2:] if word.startswith("ال") and len(word) >= 5 else word


def word_key(word: str) -> str:
    """The key a folded word is indexed and looked up by (see above)."""
    if _CYRILLIC.match(word):
        return _stem_ru(word)
    if _ARABIC_LETTER.match(word):
        return _bare_ar(word)
    return word


def _arabic_variants(word: str) -> frozenset[str]:
    """A text word's keys with its clitics off, each at least three letters long."""
    stems = {word}
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            rest = word[len(prefix) :]
            stems.add(rest)
            if prefix.endswith("لل"):
                stems.add("ال" + rest)
    for stem in list(stems):
        for suffix in _AR_SUFFIXES:
            if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
                stems.add(stem[: -len(suffix)])
    return frozenset(_bare_ar(stem) for stem in stems)


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a text: the keys it is looked up by, and its span in the original text."""

    keys: tuple[str, ...]
    start: int
    end: int


def tokens(text: str) -> tuple[Token, ...]:
    """The words of `text` with their keys; spans are offsets in `text` itself."""
    out: list[Token] = []
    for match in _TOKEN.finditer(match_fold(text)):
        word = match.group(0)
        if _IGNORED in word:
            word = word.replace(_IGNORED, "")
            if not word:
                continue
        start, end = match.span()
        if _ARABIC_LETTER.match(word):
            out.append(Token(tuple(sorted(_arabic_variants(word))), start, end))
        else:
            out.append(Token((word_key(word),), start, end))
    return tuple(out)


def _phrase_keys(phrase: str, language: str) -> list[tuple[str, ...]]:
    """The key sequences a phrase is indexed under (with its inflected last word)."""
    words = [match.group(0).replace(_IGNORED, "") for match in _TOKEN.finditer(match_fold(phrase))]
    keys = [word_key(word) for word in words if word]
    if not keys:
        return []
    variants = [tuple(keys)]
    last = keys[-1]
    if _LATIN_END.search(last):
        endings = _DE_ENDINGS if language == "de" else _LATIN_PLURALS
        variants += [(*keys[:-1], last + ending) for ending in endings]
    return variants


class _Node:
    __slots__ = ("children", "values")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.values: frozenset[int] = frozenset()


class HasText(Protocol):
    @property
    def text(self) -> str: ...


class PhraseMatcher:
    """Many phrases of any script looked up at once, word by word, over a trie.

    `phrases` are `(phrase, value)` or `(phrase, value, language)` pairs; the
    language (ISO 639-1, "" when unknown) only chooses the endings a phrase's
    last word may take. Matches are `(start, end, values)` spans of the text.
    """

    def __init__(self, phrases: Iterable[tuple[str, int] | tuple[str, int, str]]) -> None:
        self._root = _Node()
        for entry in phrases:
            language = entry[2] if len(entry) > 2 else ""
            for keys in _phrase_keys(entry[0], language):
                node = self._root
                for key in keys:
                    node = node.children.setdefault(key, _Node())
                node.values = node.values | {entry[1]}

    def _matches_at(self, words: Sequence[Token], index: int) -> dict[int, set[int]]:
        """The phrases starting at word `index`: last word's index -> values."""
        found: dict[int, set[int]] = {}
        stack = [(self._root, index)]
        while stack:
            node, at = stack.pop()
            if at >= len(words):
                continue
            for key in words[at].keys:
                child = node.children.get(key)
                if child is None:
                    continue
                if child.values:
                    found.setdefault(at, set()).update(child.values)
                if child.children:
                    stack.append((child, at + 1))
        return found

    def find(self, field: HasText | str) -> list[tuple[int, int, tuple[int, ...]]]:
        """Non-overlapping longest matches: (start, end, values)."""
        words = tokens(field if isinstance(field, str) else field.text)
        out: list[tuple[int, int, tuple[int, ...]]] = []
        index = 0
        while index < len(words):
            found = self._matches_at(words, index) if self._starts(words[index]) else {}
            if not found:
                index += 1
                continue
            last = max(found)
            out.append((words[index].start, words[last].end, tuple(sorted(found[last]))))
            index = last + 1
        return out

    def find_all(self, field: HasText | str) -> list[tuple[int, int, tuple[int, ...]]]:
        """Every match, overlapping ones included."""
        words = tokens(field if isinstance(field, str) else field.text)
        out: list[tuple[int, int, tuple[int, ...]]] = []
        for index, word in enumerate(words):
            if not self._starts(word):
                continue
            for last, values in sorted(self._matches_at(words, index).items()):
                out.append((word.start, words[last].end, tuple(sorted(values))))
        return out

    def _starts(self, word: Token) -> bool:
        children = self._root.children
        return any(key in children for key in word.keys)


def entry_phrases(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A data entry's phrases with their language: `phrases` (English) and `phrases_i18n`."""
    out = [(phrase, "en") for phrase in entry.get("phrases", ())]
    for language, phrases in sorted(entry.get("phrases_i18n", {}).items()):
        out += [(phrase, language) for phrase in phrases]
    return out
