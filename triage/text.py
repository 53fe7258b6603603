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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from anyascii import anyascii
from rigour.names import extract_org_types

__all__ = [
    "CYRILLIC",
    "IGNORED_MARK",
    "LEGAL_FORMS",
    "PhraseMatcher",
    "Token",
    "Words",
    "entry_phrases",
    "fold",
    "match_fold",
    "name_tokens",
    "org_types",
    "plain",
    "tokens",
    "word_key",
    "words_of",
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


def plain(word: str) -> str:
    """Lower case without accents or hamza marks: `Février` -> `fevrier`, `أيار` -> `ايار`."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The generic types (rigour's) of the spelt-out company forms `name_tokens`
# drops: companies, partnerships, sole traders, state enterprises. Not
# "Charitable Organization" or "National Association", which are as much
# the name as its type.
_SPELT_OUT_TYPES = frozenset({"jsc", "llc", "lp", "llp", "plc", "sp", "soe"})


def org_types(name: str) -> list[tuple[str, str]]:
    """The legal forms rigour's table of organisation types finds in `name`,
    as (text, generic form: llc, jsc ...). The table holds its forms in lower
    case: "Anonim Şirketi" is found only as "anonim şirketi"."""
    return extract_org_types(name.casefold(), generic=True)


def _without_spelt_out_forms(name: str, words: list[str]) -> list[str]:
    """`words` (the fold of `name`) without the company forms of several words
    rigour's table of organisation types finds in it ("Société Anonyme",
    "Anonim Şirketi", "Obshchestvo s Ogranichennoy Otvetstvennostyu"). Forms
    of one word are `LEGAL_FORMS`' to judge: the table's also holds words
    that are names ("Se", "Stg"); and so are forms in initials, which can be
    a person's ("S. A. Khan")."""
    forms = [
        form_words
        for text, generic in org_types(name)
        if generic in _SPELT_OUT_TYPES
        and len(form_words := fold(text).split()) > 1
        and max(map(len, form_words)) > 3
    ]
    for form in forms:
        size = len(form)
        for at in range(len(words) - size + 1):
            if words[at : at + size] == form:
                words = words[:at] + words[at + size :]
                break
    return words


def name_tokens(name: str) -> tuple[str, ...]:
    """The folded words of `name` without legal forms (kept if nothing else is left)."""
    words = fold(name).split()
    kept = [word for word in _without_spelt_out_forms(name, words) if word not in LEGAL_FORMS]
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

IGNORED_MARK = "\u0640"  # inside-word marks (harakat, tatweel, joiners) fold to this
_FOLD_MAP = {
    **dict.fromkeys("\u0649\u06cc\u06d2\u0626\u06d0", "\u064a"),  # the yehs
    **dict.fromkeys("\u06a9\u06aa", "\u0643"),  # the kafs
    # alef with hamza, madda or wasla
    **dict.fromkeys("\u0623\u0625\u0622\u0671\u0672\u0673", "\u0627"),
    **dict.fromkeys("\u0629\u06c0\u06d5\u06be\u06c1", "\u0647"),  # ta marbuta and the hehs
    "\u0624": "\u0648",  # waw with hamza
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    "\u200c": IGNORED_MARK,  # zero-width non-joiner: Persian's stem-suffix joint
    "\u200d": IGNORED_MARK,
    "\u00ad": IGNORED_MARK,
}
_CJK_CHAR = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK_CHAR}]|(?:(?![{_CJK_CHAR}])[^\W_]|{IGNORED_MARK})+")
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d5\u06fa-\u06ff]")
CYRILLIC = re.compile("[\u0400-\u04ff]")  # a Cyrillic letter
_LATIN_END = re.compile("[a-z\u00df-\u024f]$")

# Russian endings (after the fold, short i is i), longest first; a stem keeps
# three letters.
_RU_ENDINGS = tuple(
    sorted(
        (
            "иями", "ями", "ами", "иях", "ях", "ах", "ием", "ией", "иею", "ию", "ия",
            "ие", "ии", "ого", "его", "ому", "ему", "ыми", "ими", "ои", "еи", "ыи",
            "ая", "яя", "ое", "ее", "ую", "юю", "ых", "их", "ов", "ев", "ам", "ям",
            "ом", "ем", "ья", "ье", "ью", "ьи", "ешь", "ете", "ать", "ять", "ить",
            "ыть", "ал", "ала", "али", "ало", "ил", "ила", "или", "ило", "ут", "ют",
            "ат", "ят", "ет", "ит", "ым", "им", "ою", "ею", "а", "я", "о", "е", "ы", "и",
            "у", "ю", "ь",
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
        {"ها", "هاي", "هايي", "هما", "هم", "كم", "نا", "ه", "ي", "اي", "يي", "ش", "شان", "ان",
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
    if "\uac00" <= char <= "\ud7a3":
        return char  # a Hangul syllable decomposes into letters: it is kept whole
    mapped = _FOLD_MAP.get(char)
    if mapped is not None:
        return mapped
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    folded = base[0] if base else (char.lower()[:1] or char)
    folded = _FOLD_MAP.get(folded, folded)
    if unicodedata.combining(folded) or folded == "\u0640":
        return IGNORED_MARK
    return folded


# The characters a fold table remembers; the rest are folded each time they are met.
FOLD_TABLE_LIMIT = 65_536


class _FoldTable(dict[int, str]):
    """`str.translate`'s table for `match_fold`, filled one character at a time as met."""

    def __missing__(self, code: int) -> str:
        folded = _match_char(chr(code))
        # Bounded: one hostile report naming every code point would otherwise
        # grow the table by hundreds of MB for the life of the process.
        if len(self) < FOLD_TABLE_LIMIT:
            self[code] = folded
        return folded


_MATCH_TABLE = _FoldTable()


def match_fold(text: str) -> str:
    """`text` folded for phrase matching, one character for each character of `text`."""
    if text.isascii():
        return text.lower()
    return text.translate(_MATCH_TABLE)


def _by_length(affixes: Iterable[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Affixes grouped by length, longest first: one set probe per length, not per affix."""
    lengths = sorted({len(affix) for affix in affixes}, reverse=True)
    return tuple((n, frozenset(a for a in affixes if len(a) == n)) for n in lengths)


_RU_ENDINGS_BY_LENGTH = _by_length(_RU_ENDINGS)
_AR_PREFIXES_BY_LENGTH = _by_length(_AR_PREFIXES)
_AR_SUFFIXES_BY_LENGTH = _by_length(_AR_SUFFIXES)


def _stem_ru(word: str) -> str:
    # The longest ending that leaves three letters (one ending of each length can match).
    size = len(word)
    for length, endings in _RU_ENDINGS_BY_LENGTH:
        if size - length >= 3 and word[-length:] in endings:
            return word[:-length]
    return word


def _bare_ar(word: str) -> str:
    return word[2:] if word.startswith("ال") and len(word) >= 5 else word


def word_key(word: str) -> str:
    """The key a folded word is indexed and looked up by (see above)."""
    if CYRILLIC.match(word):
        return _stem_ru(word)
    if _ARABIC_LETTER.match(word):
        return _bare_ar(word)
    return word


def _arabic_variants(word: str) -> frozenset[str]:
    """A text word's keys with its clitics off, each at least three letters long."""
    stems = {word}
    size = len(word)
    for length, prefixes in _AR_PREFIXES_BY_LENGTH:
        if size - length >= 3 and word[:length] in prefixes:
            rest = word[length:]
            stems.add(rest)
            if word[:length].endswith("لل"):
                stems.add("ال" + rest)
    for stem in list(stems):
        for length, suffixes in _AR_SUFFIXES_BY_LENGTH:
            if len(stem) - length >= 3 and stem[-length:] in suffixes:
                stems.add(stem[:-length])
    return frozenset(_bare_ar(stem) for stem in stems)


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a text: the keys it is looked up by, and its span in the original text."""

    keys: tuple[str, ...]
    start: int
    end: int


_ASCII_WORD = re.compile(r"[a-z0-9]+")
# Lower-case ASCII text: every character but [a-z0-9] becomes a space, so `split` gives
# the words `_ASCII_WORD` finds.
_ASCII_NOT_WORD = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


class Words:
    """The words of one text, folded and keyed once for every `PhraseMatcher` that reads it.

    `flat` holds every key of every word, in order; `owner` says which word
    each key is of, or is None when every word has exactly one key (any text
    without Arabic script, where `flat[i]` is word i's key). `keyset` lets a
    matcher skip a text none of whose words starts a phrase with one set
    intersection. Spans are computed only when a phrase matched.
    """

    __slots__ = ("_folded", "_spans", "flat", "keys", "keyset", "owner")

    def __init__(self, text: str) -> None:
        self._spans: list[tuple[int, int]] | None = None
        self.owner: list[int] | None = None
        self.keys: list[tuple[str, ...]] | None = None
        if text.isascii():
            # ASCII: the fold is lower case, a word is [a-z0-9]+ and its own key.
            self._folded = text.lower()
            self.flat: list[str] = self._folded.translate(_ASCII_NOT_WORD).split()
        else:
            self._folded = ""
            self._tokenise(match_fold(text))
        self.keyset = frozenset(self.flat)

    def _tokenise(self, folded: str) -> None:
        keys: list[tuple[str, ...]] = []
        spans: list[tuple[int, int]] = []
        known: dict[str, tuple[str, ...]] = {}  # this text's repeated words
        for match in _TOKEN.finditer(folded):
            word = match.group(0)
            found = known.get(word)
            if found is None:
                bare = word.replace(IGNORED_MARK, "") if IGNORED_MARK in word else word
                if not bare:
                    found = ()
                elif _ARABIC_LETTER.match(bare):
                    found = tuple(sorted(_arabic_variants(bare)))
                else:
                    found = (word_key(bare),)
                known[word] = found
            if found:
                keys.append(found)
                spans.append(match.span())
        self._spans = spans
        if all(len(found) == 1 for found in keys):
            self.flat = [found[0] for found in keys]
        else:
            self.keys = keys
            self.flat = [key for found in keys for key in found]
            self.owner = [index for index, found in enumerate(keys) for _ in found]

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Each word's (start, end) in the original text."""
        if self._spans is None:
            self._spans = [match.span() for match in _ASCII_WORD.finditer(self._folded)]
        return self._spans

    def tokens(self) -> tuple[Token, ...]:
        keys = self.keys or [(key,) for key in self.flat]
        return tuple(
            Token(found, start, end) for found, (start, end) in zip(keys, self.spans, strict=True)
        )


def tokens(text: str) -> tuple[Token, ...]:
    """The words of `text` with their keys; spans are offsets in `text` itself."""
    return Words(text).tokens()


def _phrase_keys(phrase: str, language: str) -> list[tuple[str, ...]]:
    """The key sequences a phrase is indexed under (with its inflected last word)."""
    words = [
        match.group(0).replace(IGNORED_MARK, "") for match in _TOKEN.finditer(match_fold(phrase))
    ]
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


def words_of(field: HasText | str) -> Words:
    """A field's `Words`: its own `match_words` when it keeps them (one tokenisation a field)."""
    if isinstance(field, str):
        return Words(field)
    kept = getattr(field, "match_words", None)
    return kept if isinstance(kept, Words) else Words(field.text)


class PhraseMatcher:
    """Many phrases of any script looked up at once, word by word, over a trie.

    `phrases` are `(phrase, value)` or `(phrase, value, language)` pairs; the
    language (ISO 639-1, "" when unknown) only chooses the endings a phrase's
    last word may take. Matches are `(start, end, values)` spans of the text.

    A text is read as `Words` (folded and keyed once, shared by every matcher
    that reads the same field); the trie is walked only from the words whose
    key starts a phrase, found by intersecting the text's keys with the
    first words of the phrases, so a script the phrases of which a text does
    not contain costs nothing.
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
        self._first = frozenset(self._root.children)

    def _candidates(self, words: Words) -> list[int]:
        """The words a phrase may start at, in order."""
        hits = self._first.intersection(words.keyset)
        if not hits:
            return []
        flat = words.flat
        if words.owner is None:
            return [index for index, key in enumerate(flat) if key in hits]
        owner = words.owner
        return sorted({owner[index] for index, key in enumerate(flat) if key in hits})

    def _matches_at(self, words: Words, index: int) -> dict[int, frozenset[int] | set[int]]:
        """The phrases starting at word `index`: last word's index -> values."""
        found: dict[int, frozenset[int] | set[int]] = {}
        keys = words.keys
        if keys is None:  # one key a word: a single path down the trie
            flat = words.flat
            count = len(flat)
            node: _Node | None = self._root
            at = index
            while at < count and node is not None:
                node = node.children.get(flat[at])
                if node is None:
                    break
                if node.values:
                    found[at] = node.values
                if not node.children:
                    break
                at += 1
            return found
        many: dict[int, set[int]] = {}
        stack = [(self._root, index)]
        while stack:
            parent, at = stack.pop()
            if at >= len(keys):
                continue
            for key in keys[at]:
                child = parent.children.get(key)
                if child is None:
                    continue
                if child.values:
                    many.setdefault(at, set()).update(child.values)
                if child.children:
                    stack.append((child, at + 1))
        found.update(many)
        return found

    def find(self, field: HasText | str) -> list[tuple[int, int, tuple[int, ...]]]:
        """Non-overlapping longest matches: (start, end, values)."""
        words = words_of(field)
        out: list[tuple[int, int, tuple[int, ...]]] = []
        following = 0  # the first word after the last match
        for index in self._candidates(words):
            if index < following:
                continue
            found = self._matches_at(words, index)
            if not found:
                continue
            last = max(found)
            spans = words.spans
            out.append((spans[index][0], spans[last][1], tuple(sorted(found[last]))))
            following = last + 1
        return out

    def find_all(self, field: HasText | str) -> list[tuple[int, int, tuple[int, ...]]]:
        """Every match, overlapping ones included."""
        words = words_of(field)
        out: list[tuple[int, int, tuple[int, ...]]] = []
        for index in self._candidates(words):
            found = self._matches_at(words, index)
            if not found:
                continue
            spans = words.spans
            for last, values in sorted(found.items()):
                out.append((spans[index][0], spans[last][1], tuple(sorted(values))))
        return out


def entry_phrases(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A data entry's phrases with their language: `phrases` (English) and `phrases_i18n`."""
    out = [(phrase, "en") for phrase in entry.get("phrases", ())]
    for language, phrases in sorted(entry.get("phrases_i18n", {}).items()):
        out += [(phrase, language) for phrase in phrases]
    return out
