"""The importers on the real lists, and on hostile or wrong files."""

import csv
import hashlib

import pytest

from triage.screening import (
    AliasQuality,
    EntryKind,
    Identifier,
    ListFormatError,
    detect_format,
    parse_list,
)


def by_id(parsed):
    return {entry.entry_id: entry for entry in parsed.entries}


# ---------------------------------------------------------------- UN


def test_un_entries_and_version(un_list, lists_dir):
    path = lists_dir / "un_sc_consolidated.xml"
    kinds = [entry.kind for entry in un_list.entries]
    assert kinds.count(EntryKind.INDIVIDUAL) == 730
    assert kinds.count(EntryKind.ENTITY) == 273
    assert un_list.source == "un"
    assert un_list.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert un_list.version_label == f"2026-02-27.{un_list.sha256[:12]}"
    assert len({entry.entry_id for entry in un_list.entries}) == 1003


def test_un_entry_fields(un_list):
    entries = by_id(un_list)
    komid = entries["KPe.001"]
    assert komid.primary_name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert komid.programs == ("DPRK",)
    assert komid.countries == ("KP",)
    assert ("KOMID", AliasQuality.GOOD) in [(a.name, a.quality) for a in komid.aliases]
    assert "1790183" in entries["KPe.020"].imo_numbers  # from COMMENTS1
    # Individuals: the name parts joined; documents as identifiers.
    assert entries["CDi.001"].primary_name == "ERIC BADEGE"
    assert entries["CDi.001"].countries == ("CD", "RW")
    # Low-quality aliases are kept as such; original-script names are good aliases.
    qualities = [alias.quality for entry in un_list.entries for alias in entry.aliases]
    assert qualities.count(AliasQuality.LOW) == 615
    assert any(not alias.name.isascii() for entry in un_list.entries for alias in entry.aliases)
    assert any(i.type == "Passport" for entry in un_list.entries for i in entry.identifiers)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol2;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>&xxe;</FIRST_NAME></ENTITY></ENTITIES>
</CONSOLIDATED_LIST>"""

SMALL_UN = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-02T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<REFERENCE_NUMBER>KPi.999</REFERENCE_NUMBER><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
<FIRST_NAME>Ri</FIRST_NAME><SECOND_NAME>Sŏng-ho</SECOND_NAME>
<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>“Mr Ri”</ALIAS_NAME></INDIVIDUAL_ALIAS>
<NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE></NATIONALITY>
</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["bomb", "xxe"])
def test_un_refuses_dtds(tmp_path, content):
    path = tmp_path / "list.xml"
    path.write_bytes(content.replace(b"<CONSOLIDATED_LIST>", b"<CONSOLIDATED_LIST >"))
    with pytest.raises(ListFormatError, match="DOCTYPE"):
        parse_list(path)


def test_un_small_file(tmp_path):
    path = tmp_path / "un.xml"
    path.write_text(SMALL_UN, encoding="utf-8")
    assert detect_format(path) == "un"
    (entry,) = parse_list(path).entries
    assert entry.entry_id == "KPi.999"
    assert entry.primary_name == "Ri Sŏng-ho"
    assert [(a.name, a.quality) for a in entry.aliases] == [("Mr Ri", AliasQuality.LOW)]
    assert entry.countries == ("KP",)


@pytest.mark.parametrize(
    "content",
    [
        "\ufeff<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>".encode(),  # truncated
        b"<CONSOLIDATED_LIST>\xff\xfe</CONSOLIDATED_LIST>",  # not UTF-8
    ],
)
def test_un_refuses_broken_files(tmp_path, content):
    path = tmp_path / "un.xml"
    path.write_bytes(content)
    with pytest.raises(ListFormatError):
        parse_list(path)


# ---------------------------------------------------------------- OFAC


def test_ofac_entries_and_version(ofac_list, lists_dir):
    assert ofac_list.source == "ofac_sdn"
    assert len(ofac_list.entries) == 8976
    files = [lists_dir / "ofac_sdn" / name for name in ("sdn.csv", "alt.csv", "add.csv")]
    text = "".join(f"{f.name}:{hashlib.sha256(f.read_bytes()).hexdigest()}\n" for f in files)
    assert ofac_list.sha256 == hashlib.sha256(text.encode()).hexdigest()
    # The folder or its sdn.csv: the same version.
    assert parse_list(lists_dir / "ofac_sdn" / "sdn.csv").sha256 == ofac_list.sha256
    fields = [
        value
        for entry in ofac_list.entries
        for value in (entry.primary_name, *entry.programs, *(a.name for a in entry.aliases))
    ]
    assert "-0-" not in fields
    assert "" not in fields


def test_ofac_aliases_and_addresses_are_joined(ofac_list, lists_dir):
    entries = by_id(ofac_list)
    with (lists_dir / "ofac_sdn" / "alt.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if len(row) > 3]
    alt = {(row[0], " ".join(row[3].split())) for row in rows}
    good = {
        (entry.entry_id, alias.name)
        for entry in ofac_list.entries
        for alias in entry.aliases
        if alias.quality is AliasQuality.GOOD
    }
    assert good == alt
    komid = entries["9345"]
    assert komid.programs == ("NPWMD", "DPRK2")
    assert "CHANGGWANG SINYONG CORPORATION" in [a.name for a in komid.aliases]
    # OFAC's weak a.k.a.s, from the remarks.
    assert ("KOMID", AliasQuality.LOW) in [(a.name, a.quality) for a in komid.aliases]
    assert Identifier("address", "Central District, Pyongyang, Korea, North") in komid.identifiers
    assert {"KP", "CN", "RU", "IR", "SY"} <= set(komid.countries)
    vessel = entries["15036"]
    assert vessel.kind is EntryKind.VESSEL
    assert vessel.imo_numbers == {"9187629"}
    programs = {program for entry in ofac_list.entries for program in entry.programs}
    assert {"NPWMD", "IFSR", "DPRK", "DPRK2", "DPRK3", "IRAN"} <= programs
    assert sum("NPWMD" in entry.programs for entry in ofac_list.entries) > 300


def test_ofac_without_alias_files(tmp_path, lists_dir):
    sdn = (lists_dir / "ofac_sdn" / "sdn.csv").read_bytes()
    (tmp_path / "sdn.csv").write_bytes(sdn)
    parsed = parse_list(tmp_path / "sdn.csv")
    assert len(parsed.entries) == 8976
    assert all(a.quality is AliasQuality.LOW for e in parsed.entries for a in e.aliases)


# ---------------------------------------------------------------- BIS DPL


def test_bis_entries(bis_list, lists_dir):
    with (lists_dir / "bis_dpl.txt").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert bis_list.source == "bis_dpl"
    assert {" ".join(row["Name"].split()) for row in rows} == {
        entry.primary_name for entry in bis_list.entries
    }
    # Rows of one order (same name, date and citation) are one entry with its addresses.
    assert len(bis_list.entries) < len(rows)
    assert sum(
        sum(i.type == "address" for i in entry.identifiers) for entry in bis_list.entries
    ) == len({tuple(row.values()) for row in rows})
    assert all(entry.programs == ("DPL",) for entry in bis_list.entries)
    assert len({entry.entry_id for entry in bis_list.entries}) == len(bis_list.entries)
    assert any("CN" in entry.countries for entry in bis_list.entries)  # "PRC"
    kinds = {entry.primary_name: entry.kind for entry in bis_list.entries}
    assert kinds["AARON ABRAHAM VILLA"] is EntryKind.INDIVIDUAL
    assert kinds["ADVANCED TECH SOLUTIONS"] is EntryKind.ENTITY


# ---------------------------------------------------------------- detection


def test_detect_format(lists_dir, tmp_path):
    assert detect_format(lists_dir / "un_sc_consolidated.xml") == "un"
    assert detect_format(lists_dir / "ofac_sdn") == "ofac_sdn"
    assert detect_format(lists_dir / "ofac_sdn" / "sdn.csv") == "ofac_sdn"
    assert detect_format(lists_dir / "bis_dpl.txt") == "bis_dpl"
    with pytest.raises(ListFormatError, match=r"not alt\.csv"):
        detect_format(lists_dir / "ofac_sdn" / "alt.csv")
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    with pytest.raises(ListFormatError, match="not a UN XML"):
        detect_format(other)
    with pytest.raises(ListFormatError, match="no such file"):
        detect_format(tmp_path / "missing.xml")
    with pytest.raises(ListFormatError, match=r"without sdn\.csv"):
        detect_format(tmp_path)
