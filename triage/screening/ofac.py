"""The OFAC SDN list in its legacy CSV set: sdn.csv, alt.csv, add.csv.

No header row; ``-0-`` means empty; the files may end with a DOS end-of-file
byte (0x1A). Columns:

- sdn.csv: ent_num, name, type (``individual``, ``vessel``, ``aircraft``;
  empty for an entity), programs (``NPWMD] [DPRK2``), title, call sign,
  vessel type, tonnage, GRT, vessel flag, vessel owner, remarks;
- alt.csv: ent_num, alt_num, type (aka, fka, nka), alias, remarks;
- add.csv: ent_num, add_num, address, city/state/postal code, country, remarks.

Aliases and addresses join on ent_num. The alias file's names are good
aliases; the single-quoted ``a.k.a. 'X'`` names in the remarks are OFAC's
weak aliases (low). Addresses are kept as ``address`` identifiers and give
countries, with the vessel flag and ``nationality``/``citizen`` in the remarks.
IMO numbers come from the remarks ("Vessel Registration Identification IMO
9187629").

The version's SHA-256 is that of the text ``"<name>:<sha256 of the file>\\n"``
for each of the three files present, in the order sdn, alt, add.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from pathlib import Path

from triage.screening._common import (
    clean,
    country_codes,
    file_sha256,
    imo_numbers,
    version_label,
)
from triage.screening.entries import (
    Alias,
    AliasQuality,
    EntryKind,
    Identifier,
    ListEntry,
    ListFormatError,
    ParsedList,
)

SOURCE = "ofac_sdn"
FILES = ("sdn.csv", "alt.csv", "add.csv")
_KINDS = {
    "individual": EntryKind.INDIVIDUAL,
    "vessel": EntryKind.VESSEL,
    "aircraft": EntryKind.AIRCRAFT,
}
_WEAK_AKA = re.compile(r"a\.k\.a\.,?\s*'([^']+)'", re.IGNORECASE)
_NATIONALITY = re.compile(r"\b(?:nationality|citizen)\s+([A-Za-z][A-Za-z ,.'()-]*?)\s*(?:;|$|\.$)")


def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8", errors="replace").replace("\x1a", "")
    rows = []
    for row in csv.reader(io.StringIO(text)):
        cells = [clean(cell) for cell in row]
        rows.append(["" if cell == "-0-" else cell for cell in cells])
    return [row for row in rows if any(row)]


def ofac_files(path: Path) -> dict[str, Path]:
    """The files of the set: `path` is the folder or its sdn.csv."""
    folder = path if path.is_dir() else path.parent
    files = {name: folder / name for name in FILES if (folder / name).is_file()}
    if "sdn.csv" not in files:
        raise ListFormatError(f"{path}: no sdn.csv")
    return files


def parse_ofac(path: Path) -> ParsedList:
    files = ofac_files(path)
    digest = hashlib.sha256()
    for name, file in files.items():
        digest.update(f"{name}:{file_sha256(file)}\n".encode())
    sha256 = digest.hexdigest()

    aliases: dict[str, list[Alias]] = defaultdict(list)
    if "alt.csv" in files:
        for row in _rows(files["alt.csv"]):
            if len(row) >= 4 and row[3]:
                aliases[row[0]].append(Alias(row[3]))
    addresses: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if "add.csv" in files:
        for row in _rows(files["add.csv"]):
            if len(row) >= 5:
                text = ", ".join(part for part in (row[2], row[3], row[4]) if part)
                addresses[row[0]].append((text, row[4]))

    entries = []
    for row in _rows(files["sdn.csv"]):
        if len(row) < 12 or not row[0].isdigit():
            raise ListFormatError(f"{path}: sdn.csv row is not an OFAC SDN record: {row[:2]}")
        ent_num, name, kind, program, remarks = row[0], row[1], row[2], row[3], row[11]
        programs = tuple(p for p in (part.strip("[] ") for part in program.split("]")) if p)
        weak = [Alias(a.strip(), AliasQuality.LOW) for a in _WEAK_AKA.findall(remarks)]
        own_addresses = addresses.get(ent_num, [])
        countries = [country for _, country in own_addresses]
        countries += [row[9], *_NATIONALITY.findall(remarks)]
        identifiers = [Identifier("IMO", number) for number in imo_numbers(remarks)]
        if row[5]:
            identifiers.append(Identifier("call_sign", row[5]))
        identifiers += [Identifier("address", text) for text, _ in own_addresses if text]
        entries.append(
            ListEntry(
                entry_id=ent_num,
                kind=_KINDS.get(kind.lower(), EntryKind.ENTITY),
                primary_name=name,
                aliases=tuple(dict.fromkeys([*aliases.get(ent_num, []), *weak])),
                programs=programs,
                countries=country_codes(countries),
                identifiers=tuple(dict.fromkeys(identifiers)),
                remarks=remarks,
            )
        )
    return ParsedList(SOURCE, version_label(None, sha256), sha256, tuple(entries))
