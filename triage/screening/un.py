"""The UN Security Council Consolidated List (the UN's CONSOLIDATED_LIST XML).

An INDIVIDUAL's name is FIRST_NAME to FOURTH_NAME joined; an ENTITY's is
FIRST_NAME. Aliases: *_ALIAS/ALIAS_NAME with QUALITY "Good", "a.k.a." or
"f.k.a." (or none) are good, "Low" is low; NAME_ORIGINAL_SCRIPT is a good
alias too (a query in that script folds to the same words). The program is
UN_LIST_TYPE ("DPRK", "Iran", "Al-Qaida"...); countries come from
NATIONALITY and the addresses; identifiers from the documents and from IMO
numbers in COMMENTS1.

The file is untrusted input: it must be UTF-8 and hold no DOCTYPE (so no
entity expansion and no external entity can be declared) before it is parsed.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

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

SOURCE = "un"
MAX_BYTES = 64 * 1024 * 1024
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def read_untrusted_xml(path: Path) -> ElementTree.Element:
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise ListFormatError(f"{path.name}: larger than {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ListFormatError(f"{path.name}: not UTF-8") from None
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise ListFormatError(f"{path.name}: DOCTYPE and entity declarations are refused")
    try:
        return ElementTree.fromstring(text)  # noqa: S314 - no DTD can be declared, see above
    except ElementTree.ParseError as error:
        raise ListFormatError(f"{path.name}: malformed XML: {error}") from None


def _text(element: ElementTree.Element, tag: str) -> str:
    return clean(element.findtext(tag))


def _entry(element: ElementTree.Element, kind: EntryKind) -> ListEntry | None:
    if kind is EntryKind.INDIVIDUAL:
        name = " ".join(part for tag in _NAME_PARTS if (part := _text(element, tag)))
    else:
        name = _text(element, "FIRST_NAME")
    if not name:
        return None
    prefix = "INDIVIDUAL" if kind is EntryKind.INDIVIDUAL else "ENTITY"
    aliases: list[Alias] = []
    for alias in element.iter(f"{prefix}_ALIAS"):
        alias_name = _text(alias, "ALIAS_NAME").strip("\u201c\u201d\"' ")
        if alias_name:
            low = _text(alias, "QUALITY").lower() == "low"
            aliases.append(Alias(alias_name, AliasQuality.LOW if low else AliasQuality.GOOD))
    original = _text(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        aliases.append(Alias(original))
    countries = [clean(value.text) for value in element.findall("NATIONALITY/VALUE")]
    countries += [_text(address, "COUNTRY") for address in element.iter(f"{prefix}_ADDRESS")]
    identifiers = []
    for document in element.iter(f"{prefix}_DOCUMENT"):
        number = _text(document, "NUMBER")
        if number:
            kind_of = _text(document, "TYPE_OF_DOCUMENT") or "document"
            identifiers.append(Identifier(kind_of, number))
    remarks = _text(element, "COMMENTS1")
    identifiers += [Identifier("IMO", number) for number in imo_numbers(remarks)]
    reference = _text(element, "REFERENCE_NUMBER") or _text(element, "DATAID")
    program = _text(element, "UN_LIST_TYPE")
    return ListEntry(
        entry_id=reference,
        kind=kind,
        primary_name=name,
        aliases=tuple(dict.fromkeys(aliases)),
        programs=(program,) if program else (),
        countries=country_codes(c for c in countries if c.lower() != "na"),
        identifiers=tuple(dict.fromkeys(identifiers)),
        remarks=remarks,
    )


def parse_un(path: Path) -> ParsedList:
    root = read_untrusted_xml(path)
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(f"{path.name}: not a UN CONSOLIDATED_LIST")
    entries = [
        entry
        for tag, kind in (
            ("INDIVIDUALS/INDIVIDUAL", EntryKind.INDIVIDUAL),
            ("ENTITIES/ENTITY", EntryKind.ENTITY),
        )
        for element in root.findall(tag)
        if (entry := _entry(element, kind)) is not None
    ]
    sha256 = file_sha256(path)
    generated = root.get("dateGenerated", "")[:10] or None
    return ParsedList(SOURCE, version_label(generated, sha256), sha256, tuple(entries))
