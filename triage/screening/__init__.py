"""Sanctions and denied-party screening: importers and the `Screener`.

- `parse_list(path)` / `detect_format(path)`: the UN consolidated XML
  (`un`), the OFAC SDN CSV set (`ofac_sdn`, a folder or its sdn.csv) and the
  BIS Denied Persons List (`bis_dpl`), OpenSanctions' FollowTheMoney entities
  (`opensanctions`, JSON lines) and an agency's own CSV watchlist
  (`watchlist`), each to a `ParsedList` of `ListEntry`.
- `Screener(lists).screen(name, country=None, identifiers=())`: hits, best first.
"""

from triage.screening.entries import (
    Alias,
    AliasQuality,
    EntryKind,
    Identifier,
    ListEntry,
    ListFormatError,
    ParsedList,
)
from triage.screening.formats import FORMATS, detect_format, parse_list
from triage.screening.screener import HIT_THRESHOLD, Screener

__all__ = [
    "FORMATS",
    "HIT_THRESHOLD",
    "Alias",
    "AliasQuality",
    "EntryKind",
    "Identifier",
    "ListEntry",
    "ListFormatError",
    "ParsedList",
    "Screener",
    "detect_format",
    "parse_list",
]
