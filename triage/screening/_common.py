"""Helpers the importers share."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from triage.screening.countries import country_code

_SURROGATE = re.compile("[\ud800-\udfff]")
_IMO = re.compile(r"\bIMO\)?\s*(?:number|no\.?|#)?\s*:?\s*(\d{7})\b", re.IGNORECASE)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def imo_numbers(text: str) -> list[str]:
    """IMO numbers written in free text ("IMO 9187629", "IMO number: 5342883")."""
    return list(dict.fromkeys(_IMO.findall(text)))


def country_codes(names: Iterable[str]) -> tuple[str, ...]:
    codes = {code for name in names if name and (code := country_code(name))}
    return tuple(sorted(codes))


def clean(value: str | None) -> str:
    """A field's text with whitespace collapsed ("" for None)."""
    return " ".join((value or "").split())


def version_label(date: str | None, sha256: str) -> str:
    return f"{date}.{sha256[:12]}" if date else sha256[:12]


def bad_character(text: str) -> str | None:
    """What makes a list's text unstorable: a NUL (PostgreSQL refuses it) or a
    lone surrogate (not a Unicode character: sealing findings would fail)."""
    if "\x00" in text:
        return "a NUL character"
    if _SURROGATE.search(text):
        return "a lone surrogate (not a Unicode character)"
    return None


def is_name(text: str) -> bool:
    """Whether a name has a letter or digit (a name of punctuation alone matches nothing)."""
    return any(character.isalnum() for character in text)
