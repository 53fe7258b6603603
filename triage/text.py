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

from anyascii import anyascii

__all__ = ["LEGAL_FORMS", "fold", "name_tokens"]

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
