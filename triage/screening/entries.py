"""What an importer gives: the typed entries of one version of one list."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Alias",
    "AliasQuality",
    "EntryKind",
    "Identifier",
    "ListEntry",
    "ListFormatError",
    "ParsedList",
]


class ListFormatError(ValueError):
    """The file is not a list in a format Vigil reads, or not the one it claims to be."""


class EntryKind(StrEnum):
    """What a listed entry names; stored as it is in screening_entries.kind."""

    INDIVIDUAL = "individual"
    ENTITY = "entity"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"


class AliasQuality(StrEnum):
    """GOOD: an alias the list gives as identifying (UN "Good", "a.k.a.", "f.k.a.";
    OFAC's alias file). LOW: one the list calls weak (UN "Low"; the single-quoted
    a.k.a.s in OFAC's remarks), which matches with a penalty."""

    GOOD = "good"
    LOW = "low"


@dataclass(frozen=True)
class Alias:
    name: str
    quality: AliasQuality = AliasQuality.GOOD


@dataclass(frozen=True)
class Identifier:
    """A typed identifier: ("IMO", "9123456"), ("Passport", "AB850901"), ("address", "...")."""

    type: str
    value: str


@dataclass(frozen=True)
class ListEntry:
    entry_id: str  # the list's own reference: UN reference number, OFAC ent_num, DPL key
    kind: EntryKind
    primary_name: str
    aliases: tuple[Alias, ...] = ()
    programs: tuple[str, ...] = ()  # e.g. ("NPWMD", "DPRK2"), ("DPRK",), ("DPL",)
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2, sorted
    identifiers: tuple[Identifier, ...] = ()
    remarks: str = ""

    @property
    def imo_numbers(self) -> frozenset[str]:
        return frozenset(i.value for i in self.identifiers if i.type == "IMO")


@dataclass(frozen=True)
class ParsedList:
    source: str  # "un", "ofac_sdn", "bis_dpl"
    version_label: str  # the list's date when it gives one, and the start of the SHA-256
    sha256: str  # hex digest of the imported file (OFAC: of its three files, see ofac.py)
    entries: tuple[ListEntry, ...]
