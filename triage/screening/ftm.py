"""FollowTheMoney (FtM) entities as OpenSanctions publishes them: JSON lines.

Each line is one entity: ``{"id": ..., "schema": ..., "properties": {name:
[values]}, ...}``, with OpenSanctions' own members beside them (``caption``,
``datasets``, ``target``, ``first_seen``, ``last_seen``, ``last_change``).
Both of OpenSanctions' exports are read:

- ``entities.ftm.json`` (flat): a sanction is its own ``Sanction`` entity whose
  ``entity`` property names the listed entity's id; identity documents are
  ``Identification``/``Passport`` entities with a ``holder``; addresses are
  ``Address`` entities named by ``addressEntity``;
- ``targets.nested.json`` (nested): the same entities written inside the
  property that refers to them (``sanctions``, ``identifiers``,
  ``addressEntity``).

Listed entries are the entities of the schemas in `KINDS` (Person, Company,
Organization, LegalEntity, PublicBody, Vessel, Airplane); an entity that says
``"target": false`` (an owner or relative OpenSanctions publishes for context)
is not listed. Other schemas (Ownership, Directorship, Family ...) are skipped.

- names: ``caption`` (or the first ``name``) is the primary name; the other
  ``name`` values, ``alias``, ``previousName`` and ``abbreviation`` are good
  aliases, ``weakAlias`` low ones; a Person with no ``name`` gets one from its
  name parts;
- countries: the country-typed properties (``country``, ``nationality``,
  ``citizenship``, ``jurisdiction``, ``mainCountry``, ``flag``) and the
  addresses' ``country``; FtM writes ISO codes in lower case, and codes of
  places that are not countries (``suhh``, ``ge-ab``) are left out;
- identifiers: `IDENTIFIER_PROPERTIES` (``imoNumber`` as ``IMO``, with the
  digits only), identity documents (their ``type`` or the schema), addresses;
- programs: each sanction's ``program`` and ``programId``, and the entity's own
  ``program``;
- remarks: topics, datasets, sanction authorities and the first note.

The schema and property names are those of the FtM model (followthemoney
4.x); docs/triage.md, "Importers", says why this module reads them itself
rather than through the ``followthemoney`` package. The entry id is the FtM
id; the version label is the latest ``last_change`` (or ``last_seen``) date
with the start of the file's SHA-256.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from triage.screening._common import bad_character, clean, file_sha256, is_name, version_label
from triage.screening.countries import country_code
from triage.screening.entries import (
    Alias,
    AliasQuality,
    EntryKind,
    Identifier,
    ListEntry,
    ListFormatError,
    ParsedList,
)

__all__ = ["KINDS", "SOURCE", "looks_like_ftm", "parse_ftm"]

SOURCE = "opensanctions"

KINDS: dict[str, EntryKind] = {
    "Person": EntryKind.INDIVIDUAL,
    "Company": EntryKind.ENTITY,
    "Organization": EntryKind.ENTITY,
    "LegalEntity": EntryKind.ENTITY,
    "PublicBody": EntryKind.ENTITY,
    "Vessel": EntryKind.VESSEL,
    "Airplane": EntryKind.AIRCRAFT,
}
_SANCTION = "Sanction"
_DOCUMENTS = {"Identification": "", "Passport": "passport"}
_ADDRESS = "Address"

_GOOD_NAMES = ("name", "alias", "previousName", "abbreviation")
_NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
_COUNTRY_PROPERTIES = (
    "country",
    "nationality",
    "citizenship",
    "jurisdiction",
    "mainCountry",
    "flag",
)
# Identifier-typed properties of the FtM model and the type each is stored as.
IDENTIFIER_PROPERTIES: dict[str, str] = {
    "imoNumber": "IMO",
    "registrationNumber": "registration",
    "idNumber": "id",
    "taxNumber": "tax",
    "vatCode": "vat",
    "passportNumber": "passport",
    "innCode": "INN",
    "ogrnCode": "OGRN",
    "leiCode": "LEI",
    "dunsCode": "DUNS",
    "swiftBic": "SWIFT/BIC",
    "uniqueEntityId": "UEI",
    "cageCode": "CAGE",
    "callSign": "call_sign",
    "mmsi": "MMSI",
    "icaoCode": "ICAO",
    "serialNumber": "serial",
}
_DIGITS7 = re.compile(r"(?<!\d)(\d{7})(?!\d)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_MAX_ID = 200  # screening_entries.external_id


def looks_like_ftm(head: bytes) -> bool:
    """Whether a file's first bytes are a JSON line of an FtM entity."""
    first = head.split(b"\n", 1)[0]
    return first.startswith(b"{") and b'"schema"' in first and b'"properties"' in head


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            try:
                data = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise ListFormatError(f"{path.name}: line {number} is not UTF-8") from None
            except json.JSONDecodeError as error:
                raise ListFormatError(
                    f"{path.name}: line {number} is not JSON ({error.msg})"
                ) from None
            except RecursionError:
                raise ListFormatError(
                    f"{path.name}: line {number} is not JSON (nested too deeply)"
                ) from None
            except ValueError as error:
                # An integer longer than Python converts (4,300 digits).
                raise ListFormatError(f"{path.name}: line {number} is not JSON ({error})") from None
            if problem := _malformed(data):
                raise ListFormatError(
                    f"{path.name}: line {number} is not a FollowTheMoney entity ({problem})"
                )
            # Only a \u escape can write a NUL or a lone surrogate in valid JSON.
            if b"\\u" in raw and (problem := _bad_string(data)):
                raise ListFormatError(f"{path.name}: line {number} has {problem}")
            yield number, data


def _malformed(data: object) -> str | None:
    """Why a line is not an entity whose nested entities are entities too, or None."""
    if not isinstance(data, dict):
        return "not an object"
    properties = data.get("properties")
    for entity in [data, *_nested(properties if isinstance(properties, dict) else {})]:
        if not isinstance(entity.get("schema"), str):
            return "an entity without a schema name"
        if not isinstance(entity.get("properties"), dict):
            return "an entity without properties"
        if not isinstance(entity.get("id"), str | None):
            return "an id that is not a string"
    return None


def _bad_string(data: object) -> str | None:
    """The first unstorable character of any string in a line's data (not recursive:
    the data can be nested as deep as the JSON decoder goes)."""
    stack: list[object] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if problem := bad_character(item):
                return problem
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _strings(properties: dict[str, Any], name: str) -> list[str]:
    values = properties.get(name)
    if not isinstance(values, list):
        return []
    return [text for value in values if isinstance(value, str) and (text := clean(value))]


def _nested(properties: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Entities written inside another's properties (the nested export)."""
    for values in properties.values():
        if isinstance(values, list):
            for value in values:
                if isinstance(value, dict) and isinstance(value.get("properties"), dict):
                    yield value


class _Related:
    """Sanctions, documents and addresses, by the id of the entity they belong to."""

    def __init__(self) -> None:
        self.sanctions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.documents: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        self.addresses: dict[str, dict[str, Any]] = {}
        self.owned_addresses: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add(self, entity: dict[str, Any], owner: str | None = None) -> None:
        schema, properties = entity["schema"], entity["properties"]
        if schema == _SANCTION:
            for target in [owner] if owner else _strings(properties, "entity"):
                self.sanctions[target].append(properties)
        elif schema in _DOCUMENTS:
            for holder in [owner] if owner else _strings(properties, "holder"):
                self.documents[holder].append((schema, properties))
        elif schema == _ADDRESS:
            if owner:
                self.owned_addresses[owner].append(properties)
            elif isinstance(entity.get("id"), str):
                self.addresses[entity["id"]] = properties


def _names(entity: dict[str, Any]) -> tuple[str, list[Alias]]:
    properties = entity["properties"]
    names = _strings(properties, "name")
    caption = clean(entity.get("caption")) if isinstance(entity.get("caption"), str) else ""
    # The caption is OpenSanctions' display name: one of the names, or made
    # from a Person's name parts when it has no `name`.
    primary = caption if caption and (caption in names or not names) else (names or [""])[0]
    good = [name for prop in _GOOD_NAMES for name in _strings(properties, prop)]
    if not names and entity["schema"] == "Person":
        parts = [part for prop in _NAME_PARTS for part in _strings(properties, prop)[:1]]
        good += [" ".join(parts)] if parts else []
        primary = primary or (good or [""])[0]
    aliases = [Alias(name) for name in good if name != primary]
    aliases += [Alias(name, AliasQuality.LOW) for name in _strings(properties, "weakAlias")]
    return primary, list(dict.fromkeys(aliases))


def _country(value: str) -> str | None:
    if len(value) == 2 and value.isalpha():
        return country_code(value.upper())
    return None if "-" in value or len(value) == 4 else country_code(value)


def _identifiers(properties: dict[str, Any]) -> list[Identifier]:
    found = []
    for prop, kind in IDENTIFIER_PROPERTIES.items():
        for value in _strings(properties, prop):
            if kind == "IMO":
                found += [Identifier("IMO", digits) for digits in _DIGITS7.findall(value)]
            else:
                found.append(Identifier(kind, value))
    return found


def _entry(entity: dict[str, Any], related: _Related) -> ListEntry | None:
    entity_id = entity.get("id")
    kind = KINDS[entity["schema"]]
    primary, aliases = _names(entity)
    if not isinstance(entity_id, str) or not entity_id or not primary:
        return None
    if not is_name(primary):
        raise ValueError(f"the name {primary!r} has no letter or digit")
    # An alias of punctuation alone would match nothing: it is left out.
    aliases = [alias for alias in aliases if is_name(alias.name)]
    properties = entity["properties"]
    sanctions = related.sanctions.get(entity_id, [])
    documents = related.documents.get(entity_id, [])
    addresses = [
        related.addresses[ref]
        for ref in _strings(properties, "addressEntity")
        if ref in related.addresses
    ] + related.owned_addresses.get(entity_id, [])
    countries = [value for prop in _COUNTRY_PROPERTIES for value in _strings(properties, prop)]
    countries += [value for address in addresses for value in _strings(address, "country")]

    identifiers = _identifiers(properties)
    for schema, document in documents:
        number_type = _strings(document, "type")
        label = number_type[0] if number_type else _DOCUMENTS[schema] or "id"
        numbers = _strings(document, "number") + _strings(document, "passportNumber")
        identifiers += [Identifier(label, number) for number in dict.fromkeys(numbers)]
    for address in addresses:
        identifiers += [Identifier("address", full) for full in _strings(address, "full")]
    identifiers += [Identifier("address", text) for text in _strings(properties, "address")]

    programs = [
        program
        for sanction in sanctions
        for prop in ("program", "programId")
        for program in _strings(sanction, prop)
    ]
    programs += _strings(properties, "program")
    authorities = [a for sanction in sanctions for a in _strings(sanction, "authority")]
    remarks = []
    if topics := _strings(properties, "topics"):
        remarks.append("topics: " + ", ".join(topics))
    datasets = entity.get("datasets")
    if isinstance(datasets, list) and datasets:
        remarks.append("datasets: " + ", ".join(str(d) for d in datasets))
    if authorities:
        remarks.append("sanctioned by: " + "; ".join(dict.fromkeys(authorities)))
    remarks += _strings(properties, "notes")[:1]
    return ListEntry(
        entry_id=entity_id[:_MAX_ID],
        kind=kind,
        primary_name=primary,
        aliases=tuple(aliases),
        programs=tuple(dict.fromkeys(programs)),
        countries=tuple(sorted({c for v in countries if (c := _country(v))})),
        identifiers=tuple(dict.fromkeys(identifiers)),
        remarks=". ".join(remarks),
    )


def parse_ftm(path: Path) -> ParsedList:
    related = _Related()
    listed: list[tuple[int, dict[str, Any]]] = []
    latest = ""
    for number, entity in _lines(path):
        if entity["schema"] in KINDS:
            if entity.get("target") is not False:
                listed.append((number, entity))
            for nested in _nested(entity["properties"]):
                related.add(nested, owner=entity.get("id"))
        else:
            related.add(entity)
        for stamp in (entity.get("last_change"), entity.get("last_seen")):
            if isinstance(stamp, str) and _DATE.match(stamp):
                latest = max(latest, stamp[:10])
                break
    entries = []
    for number, entity in listed:
        try:
            entry = _entry(entity, related)
        except ValueError as error:
            raise ListFormatError(f"{path.name}: line {number}: {error}") from None
        if entry is not None:
            entries.append(entry)
    seen: set[str] = set()
    for entry in entries:
        if entry.entry_id in seen:
            raise ListFormatError(f"{path.name}: entity {entry.entry_id} is written twice")
        seen.add(entry.entry_id)
    if not entries:
        raise ListFormatError(
            f"{path.name}: no listed Person, Company, Organization, LegalEntity, PublicBody,"
            " Vessel or Airplane entity"
        )
    sha256 = file_sha256(path)
    return ParsedList(SOURCE, version_label(latest or None, sha256), sha256, tuple(entries))
