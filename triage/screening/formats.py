"""Which importer reads a file: `detect_format` and `parse_list`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from triage.screening.bis import parse_bis
from triage.screening.entries import ListFormatError, ParsedList
from triage.screening.ofac import parse_ofac
from triage.screening.un import parse_un

__all__ = ["FORMATS", "detect_format", "parse_list"]

FORMATS: dict[str, Callable[[Path], ParsedList]] = {
    "un": parse_un,
    "ofac_sdn": parse_ofac,
    "bis_dpl": parse_bis,
}


def detect_format(path: Path) -> str:
    """ "un", "ofac_sdn" or "bis_dpl", from the file's first bytes (or a folder's sdn.csv)."""
    if path.is_dir():
        if (path / "sdn.csv").is_file():
            return "ofac_sdn"
        raise ListFormatError(f"{path}: a folder without sdn.csv")
    if not path.is_file():
        raise ListFormatError(f"{path}: no such file")
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"CONSOLIDATED_LIST" in head:
        return "un"
    if head.startswith(b'"Name"\t') or head.startswith(b"Name\t"):
        return "bis_dpl"
    first = head.split(b"\n", 1)[0]
    if path.name.lower() == "sdn.csv" or (first[:1].isdigit() and b"," in first):
        if path.name.lower() in {"alt.csv", "add.csv"}:
            raise ListFormatError(f"{path}: import the folder or its sdn.csv, not {path.name}")
        return "ofac_sdn"
    raise ListFormatError(f"{path}: not a UN XML, OFAC SDN CSV or BIS DPL file")


def parse_list(path: Path) -> ParsedList:
    return FORMATS[detect_format(path)](path)
