"""The BIS Denied Persons List: tab-separated, one header row.

Columns: Name, Street_Address, City, State, Country, Postal_Code,
Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action,
FR_Citation. One denial order often has a row per address of the same party:
rows with the same name, effective date and Federal Register citation make one
entry. The DPL has no entry ids; an entry's id is ``DPL-`` and the start of a
hash of that name, date and citation, so it stays the same across versions.
Whether a party is a person or an organisation is not stated: a name with a
legal form or an organisation word is an entity. The program is ``DPL``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from triage.screening._common import clean, country_codes, file_sha256, version_label
from triage.screening.entries import EntryKind, Identifier, ListEntry, ListFormatError, ParsedList
from triage.text import LEGAL_FORMS, fold

SOURCE = "bis_dpl"
PROGRAM = "DPL"
HEADER = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code", "Effective_Date")
_ORGANISATION_WORDS = frozenset(
    {
        "airlines", "airline", "aviation", "trading", "trade", "industries", "industrial",
        "international", "technology", "technologies", "solutions", "systems", "group",
        "enterprises", "enterprise", "services", "electronics", "engineering", "export",
        "exports", "import", "imports", "freight", "logistics", "shipping", "supply", "supplies",
        "products", "manufacturing", "sales", "store", "zone", "bank", "aerospace", "cargo",
    }
)  # fmt: skip


def _kind(name: str) -> EntryKind:
    words = set(fold(name).split())
    if words & (LEGAL_FORMS | _ORGANISATION_WORDS):
        return EntryKind.ENTITY
    return EntryKind.INDIVIDUAL


def parse_bis(path: Path) -> ParsedList:
    text = path.read_bytes().decode("utf-8", errors="replace")
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    if tuple(reader.fieldnames or ())[: len(HEADER)] != HEADER:
        raise ListFormatError(f"{path.name}: not a BIS Denied Persons List (header)")
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for raw in reader:
        row = {key: clean(value) for key, value in raw.items() if key}
        if not row.get("Name"):
            continue
        key = (
            " ".join(row["Name"].split()),
            row.get("Effective_Date", ""),
            row.get("FR_Citation", ""),
        )
        groups.setdefault(key, []).append(row)
    entries = []
    for (name, effective, citation), rows in groups.items():
        reference = hashlib.sha256(f"{name}\n{effective}\n{citation}".encode()).hexdigest()
        addresses = [
            ", ".join(
                part
                for part in (r.get("Street_Address"), r.get("City"), r.get("State"),
                             r.get("Postal_Code"), r.get("Country"))
                if part
            )
            for r in rows
        ]  # fmt: skip
        # A US state with no country is a US address.
        countries = [r.get("Country") or ("US" if r.get("State") else "") for r in rows]
        entries.append(
            ListEntry(
                entry_id=f"DPL-{reference[:10]}",
                kind=_kind(name),
                primary_name=name,
                programs=(PROGRAM,),
                countries=country_codes(countries),
                identifiers=tuple(
                    dict.fromkeys(Identifier("address", a) for a in addresses if a)
                ),
                remarks="; ".join(
                    part for part in (f"effective {effective}" if effective else "", citation)
                    if part
                ),
            )
        )  # fmt: skip
    sha256 = file_sha256(path)
    # No date in the label: Last_Update has typos (a year 3017 in the 2021 file).
    return ParsedList(SOURCE, version_label(None, sha256), sha256, tuple(entries))
