"""Which importer reads a file: `detect_format` and `parse_list`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from triage.screening.bis import parse_bis
from triage.screening.entries import ListFormatError, ParsedList
from triage.screening.ftm import looks_like_ftm, parse_ftm
from triage.screening.ofac import parse_ofac
from triage.screening.un import parse_un
from triage.screening.watchlist import looks_like_watchlist, parse_watchlist

__all__ = ["FORMATS", "detect_format", "parse_list"]

FORMATS: dict[str, Callable[[Path], ParsedList]] = {
    "un": parse_un,
    "ofac_sdn": parse_ofac,
    "bis_dpl": parse_bis,
    "opensanctions": parse_ftm,
    "watchlist": parse_watchlist,
}


def detect_format(path: Path) -> str:
    """A key of `FORMATS`, from the file's first bytes (or a folder's sdn.csv).

    "un" (the UN XML), "ofac_sdn" (a folder with sdn.csv, or a headerless CSV
    whose first cell is a number), "bis_dpl" (tab-separated, ``Name`` first),
    "opensanctions" (JSON lines of FollowTheMoney entities), "watchlist" (a
    CSV whose header has ``name`` and ``kind`` columns).
    """
    if path.is_dir():
        if (path / "sdn.csv").is_file():
            return "ofac_sdn"
        raise ListFormatError(f"{path}: a folder without sdn.csv")
    if not path.is_file():
        raise ListFormatError(f"{path}: no such file")
    with path.open("rb") as handle:
        head = handle.read(65536).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"CONSOLIDATED_LIST" in head:
        return "un"
    if head.startswith(b'"Name"\t') or head.startswith(b"Name\t"):
        return "bis_dpl"
    if looks_like_ftm(head):
        return "opensanctions"
    if looks_like_watchlist(head):
        return "watchlist"
    first = head.split(b"\n", 1)[0]
    if path.name.lower() == "sdn.csv" or (first[:1].isdigit() and b"," in first):
        if path.name.lower() in {"alt.csv", "add.csv"}:
            raise ListFormatError(f"{path}: import the folder or its sdn.csv, not {path.name}")
        return "ofac_sdn"
    raise ListFormatError(
        f"{path}: not a UN XML, OFAC SDN CSV, BIS DPL, OpenSanctions (FollowTheMoney JSON"
        " lines) or watchlist CSV (header: name,kind,aliases,country,identifiers,program,"
        "remarks) file"
    )


def parse_list(path: Path) -> ParsedList:
    return FORMATS[detect_format(path)](path)
