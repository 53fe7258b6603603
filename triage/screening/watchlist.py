"""An agency's own watchlist: a CSV file with a header row.

Columns (by header name, any order, case ignored): ``name`` and ``kind``
required; ``aliases``, ``country``, ``identifiers``, ``program`` and
``remarks`` optional. Another column is refused (a misspelt header would
otherwise lose its column without a word).

- ``kind``: ``person`` (or ``individual``), ``organisation`` (``organization``,
  ``entity``, ``company``), ``vessel`` or ``aircraft``;
- ``aliases``, ``country``, ``program``: several values separated by ``;``;
  a country is an ISO code or an English name;
- ``identifiers``: ``;``-separated, each ``TYPE: VALUE`` (``registration:
  1177053``), or ``IMO 9187629``; a bare seven-digit number on a vessel is
  its IMO number, any other bare value an ``id``.

The file is the agency's own, so it is read strictly: a row with an unknown
kind or country, an empty name, or the same name and kind as an earlier row
is refused with its line number, and the file must be UTF-8 (a BOM is
allowed). The entry id is ``WL-`` and 16 hex characters of a hash of the kind and
the name, so it stays the same across versions. The source is ``watchlist``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from triage.screening._common import bad_character, clean, file_sha256, is_name, version_label
from triage.screening.countries import country_code
from triage.screening.entries import (
    Alias,
    EntryKind,
    Identifier,
    ListEntry,
    ListFormatError,
    ParsedList,
)
from triage.text import fold

__all__ = ["COLUMNS", "SOURCE", "looks_like_watchlist", "parse_watchlist"]

SOURCE = "watchlist"
COLUMNS = ("name", "kind", "aliases", "country", "identifiers", "program", "remarks")
_REQUIRED = ("name", "kind")
_KINDS = {
    "person": EntryKind.INDIVIDUAL,
    "individual": EntryKind.INDIVIDUAL,
    "organisation": EntryKind.ENTITY,
    "organization": EntryKind.ENTITY,
    "entity": EntryKind.ENTITY,
    "company": EntryKind.ENTITY,
    "vessel": EntryKind.VESSEL,
    "aircraft": EntryKind.AIRCRAFT,
}
_LONE_CR = re.compile(r"\r(?!\n)")
_IMO = re.compile(r"^IMO\s*(?:no\.?|number)?\s*:?\s*(\d{7})$", re.IGNORECASE)


def _header(line: str) -> list[str]:
    return [cell.strip().lower() for cell in next(csv.reader([line]), [])]


def looks_like_watchlist(head: bytes) -> bool:
    """Whether a file's first line is a watchlist header (``name`` and ``kind`` columns)."""
    first = head.split(b"\n", 1)[0].split(b"\r", 1)[0].removeprefix(b"\xef\xbb\xbf")
    try:
        columns = _header(first.decode("utf-8"))
    except (UnicodeDecodeError, csv.Error):
        return False
    return all(column in columns for column in _REQUIRED)


def _split(value: str) -> list[str]:
    return [part for part in (clean(p) for p in value.split(";")) if part]


def _identifier(text: str, kind: EntryKind) -> Identifier:
    if match := _IMO.match(text):
        return Identifier("IMO", match.group(1))
    if ":" in text:
        label, value = (clean(part) for part in text.split(":", 1))
        if label and value:
            return Identifier("IMO" if label.lower() == "imo" else label, value)
    if kind is EntryKind.VESSEL and text.isdigit() and len(text) == 7:
        return Identifier("IMO", text)
    return Identifier("id", text)


def parse_watchlist(path: Path) -> ParsedList:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ListFormatError(
            f"{path.name}: line {line} is not UTF-8 (save the watchlist as UTF-8 CSV)"
        ) from None
    # A lone CR ends a line (old Mac files): csv reads it as a stray character.
    text = _LONE_CR.sub("\n", text)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
    except csv.Error as error:
        raise ListFormatError(f"{path.name}: line 1 is not CSV ({error})") from None
    missing = [column for column in _REQUIRED if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise ListFormatError(
            f"{path.name}: the watchlist header must name the columns "
            f"{', '.join(COLUMNS)} (name and kind required, each once)"
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
    entries = []
    seen: dict[tuple[str, str], int] = {}
    ids: dict[str, int] = {}
    while True:
        try:
            row = next(reader, None)
        except csv.Error as error:
            raise ListFormatError(
                f"{path.name}: line {reader.line_num} is not CSV ({error})"
            ) from None
        if row is None:
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        for cell in row:
            if problem := bad_character(cell):
                raise ListFormatError(f"{path.name}: line {line} has {problem}")
        if len(row) > len(header):
            raise ListFormatError(f"{path.name}: line {line} has more cells than the header")
        cells = dict(zip(header, (clean(cell) for cell in row), strict=False))
        name = cells.get("name", "")
        if not name:
            raise ListFormatError(f"{path.name}: line {line} has no name")
        aliases = [alias for alias in _split(cells.get("aliases", "")) if alias != name]
        for text in (name, *aliases):
            if not is_name(text):
                raise ListFormatError(
                    f"{path.name}: line {line}: the name {text!r} has no letter or digit"
                )
        kind = _KINDS.get(cells.get("kind", "").lower())
        if kind is None:
            raise ListFormatError(
                f"{path.name}: line {line}: kind {cells.get('kind', '')!r} is not one of"
                " person, organisation, vessel, aircraft"
            )
        countries = []
        for value in _split(cells.get("country", "")):
            code = country_code(value)
            if code is None:
                raise ListFormatError(f"{path.name}: line {line}: unknown country {value!r}")
            countries.append(code)
        key = (kind.value, " ".join(fold(name).split()))
        if key in seen:
            raise ListFormatError(
                f"{path.name}: line {line} lists {name!r} ({kind.value}) again (line {seen[key]})"
            )
        seen[key] = line
        entry_id = "WL-" + hashlib.sha256(f"{key[0]}\n{key[1]}".encode()).hexdigest()[:16]
        if entry_id in ids:
            raise ListFormatError(
                f"{path.name}: line {line} has the id {entry_id} of line {ids[entry_id]}"
            )
        ids[entry_id] = line
        entries.append(
            ListEntry(
                entry_id=entry_id,
                kind=kind,
                primary_name=name,
                aliases=tuple(dict.fromkeys(Alias(alias) for alias in aliases)),
                programs=tuple(dict.fromkeys(_split(cells.get("program", "")))),
                countries=tuple(sorted(set(countries))),
                identifiers=tuple(
                    dict.fromkeys(
                        _identifier(item, kind) for item in _split(cells.get("identifiers", ""))
                    )
                ),
                remarks=cells.get("remarks", ""),
            )
        )
    if not entries:
        raise ListFormatError(f"{path.name}: the watchlist has a header but no row")
    sha256 = file_sha256(path)
    return ParsedList(SOURCE, version_label(None, sha256), sha256, tuple(entries))
