"""The OpenSanctions (FollowTheMoney) and watchlist importers, end to end.

The fixtures in tests/data/lists (`opensanctions_sample.ftm.json`,
`agency_watchlist.csv`) are small files in the published shapes, written from
public listings; the variants here (the nested export, broken files) are
built in each test's own folder.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.admin.lists import import_uploaded_list
from reporting.core.models import AuditEntry, Role
from reporting.pipeline.screening_lists import (
    current_list_versions,
    import_list_file,
    load_screener,
)
from tests.triage.worker.support import add_user, make_instance
from triage.screening import (
    AliasQuality,
    EntryKind,
    Identifier,
    ListFormatError,
    Screener,
    detect_format,
    parse_list,
)

FTM = "opensanctions_sample.ftm.json"
WATCHLIST = "agency_watchlist.csv"


@pytest.fixture(scope="module")
def ftm_list(lists_dir: Path):
    return parse_list(lists_dir / FTM)


@pytest.fixture(scope="module")
def watchlist(lists_dir: Path):
    return parse_list(lists_dir / WATCHLIST)


def by_id(parsed):
    return {entry.entry_id: entry for entry in parsed.entries}


# ------------------------------------------------------------ detection


def test_formats_are_detected(lists_dir):
    assert detect_format(lists_dir / FTM) == "opensanctions"
    assert detect_format(lists_dir / WATCHLIST) == "watchlist"
    # The official formats are still told apart.
    assert detect_format(lists_dir / "un_sc_consolidated.xml") == "un"
    assert detect_format(lists_dir / "bis_dpl.txt") == "bis_dpl"
    assert detect_format(lists_dir / "ofac_sdn" / "sdn.csv") == "ofac_sdn"


def test_a_json_file_that_is_no_entity_and_a_csv_without_the_header_are_refused(tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}\n', encoding="utf-8")
    with pytest.raises(ListFormatError, match="watchlist CSV"):
        detect_format(other)
    headerless = tmp_path / "names.csv"
    headerless.write_text("Acme Trading,organisation\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="not a UN XML"):
        detect_format(headerless)


# ------------------------------------------------------------ FollowTheMoney


def test_ftm_listed_entities_only(ftm_list):
    assert ftm_list.source == "opensanctions"
    assert ftm_list.version_label.startswith("2026-02-27.")
    # Sanctions, the address, the identification, the directorship and the
    # person marked "target": false are not entries.
    assert list(by_id(ftm_list)) == [
        "NK-komid",
        "NK-artavil",
        "NK-yun-ho-jin",
        "NK-kcst",
        "NK-leader-hk",
        "NK-mahan-air",
    ]
    kinds = {entry.entry_id: entry.kind for entry in ftm_list.entries}
    assert kinds["NK-artavil"] is EntryKind.VESSEL
    assert kinds["NK-yun-ho-jin"] is EntryKind.INDIVIDUAL
    assert kinds["NK-kcst"] is kinds["NK-mahan-air"] is EntryKind.ENTITY


def test_ftm_names_programs_countries_identifiers(ftm_list):
    entries = by_id(ftm_list)
    komid = entries["NK-komid"]
    assert komid.primary_name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    qualities = {alias.name: alias.quality for alias in komid.aliases}
    assert qualities["KOMID"] is AliasQuality.GOOD
    assert qualities["Changgwang"] is AliasQuality.LOW  # weakAlias
    # From two flat Sanction entities (UN and OFAC).
    assert komid.programs == ("DPRK", "UN-SCDPRK", "NPWMD", "DPRK2")
    assert komid.countries == ("KP",)
    assert Identifier("address", "Central District, Pyongyang, Korea, North") in komid.identifiers
    assert "United Nations Security Council" in komid.remarks

    vessel = entries["NK-artavil"]
    assert vessel.imo_numbers == {"9187629"}  # written "IMO9187629"
    assert {alias.name for alias in vessel.aliases} == {"ABADAN", "SHONA"}  # previousName
    assert vessel.countries == ("IR",)  # the flag
    assert vessel.programs == ("IRAN",)

    person = entries["NK-yun-ho-jin"]
    assert person.primary_name == "YUN HO-JIN"  # the caption
    assert {alias.name for alias in person.aliases} == {"Yun Ho-chin", "Ho-jin Yun"}

    assert "KCST" in {alias.name for alias in entries["NK-kcst"].aliases}  # abbreviation
    leader = entries["NK-leader-hk"]
    assert Identifier("Company registration number", "1177053") in leader.identifiers
    assert leader.countries == ("HK",)  # jurisdiction


def test_ftm_nested_export_reads_the_same(tmp_path, lists_dir, ftm_list):
    """targets.nested.json: sanctions, documents and addresses inside their entity."""
    entities = [json.loads(line) for line in (lists_dir / FTM).read_text().splitlines()]
    ids = {entity["id"]: entity for entity in entities}
    nested = []
    for entity in entities:
        if entity["schema"] not in {"Company", "Vessel", "Person", "Organization", "LegalEntity"}:
            continue
        entity = json.loads(json.dumps(entity))
        properties = entity["properties"]
        for other in entities:
            refs = other["properties"].get("entity", []) + other["properties"].get("holder", [])
            if entity["id"] in refs:
                key = "sanctions" if other["schema"] == "Sanction" else "identifiers"
                properties.setdefault(key, []).append(other)
        properties["addressEntity"] = [ids[ref] for ref in properties.get("addressEntity", [])]
        nested.append(entity)
    path = tmp_path / "targets.nested.json"
    path.write_text("".join(json.dumps(e) + "\n" for e in nested), encoding="utf-8")

    parsed = parse_list(path)
    assert parsed.source == "opensanctions"
    assert by_id(parsed) == by_id(ftm_list)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"id": "x", "schema": "Person", "properties": {"name": ["Caf\xe9 Owner"]}}', "UTF-8"),
        (b'{"id": "x", "schema": "Person", "properties": ', "not JSON"),
        (b'["Person"]', "not a FollowTheMoney entity"),
    ],
)
def test_ftm_bad_lines_are_refused_with_their_number(tmp_path, lists_dir, line, message):
    path = tmp_path / "entities.ftm.json"
    path.write_bytes((lists_dir / FTM).read_bytes() + line + b"\n")
    with pytest.raises(ListFormatError, match=rf"line 18 .*{message}|line 18 is {message}"):
        parse_list(path)


def test_ftm_the_same_entity_twice_is_refused(tmp_path, lists_dir):
    first = (lists_dir / FTM).read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "entities.ftm.json"
    path.write_text(f"{first}\n{first}\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="NK-komid is written twice"):
        parse_list(path)


def test_ftm_entries_screen(ftm_list):
    screener = Screener([ftm_list])
    [hit] = screener.screen("Korea Mining Development Trading Corp", country="KP")
    assert (hit.list_source, hit.entry_id) == ("opensanctions", "NK-komid")
    assert hit.programs[0] == "DPRK"
    # A renamed tanker is found by its IMO number.
    [vessel] = screener.screen("Sea Pride", identifiers=["IMO 9187629"])
    assert vessel.entry_id == "NK-artavil"
    assert screener.screen("Kim Chol Nam") == []  # not a target


# ------------------------------------------------------------ watchlist


def test_watchlist_rows(watchlist):
    assert watchlist.source == "watchlist"
    entries = watchlist.entries
    assert [e.kind for e in entries] == [
        EntryKind.ENTITY,
        EntryKind.VESSEL,
        EntryKind.ENTITY,
        EntryKind.INDIVIDUAL,
        EntryKind.ENTITY,
    ]
    leader, vessel, hapjanggang, broker, _ = entries
    assert [a.name for a in leader.aliases] == ["Leader International Trading Ltd", "Leader HK"]
    assert leader.identifiers == (Identifier("registration", "1177053"),)
    assert leader.programs == ("NATIONAL-WMD",)
    assert leader.remarks.startswith("Front company for KOMID shipments; open case")
    assert vessel.countries == ("KH",)  # "Cambodia"
    assert vessel.imo_numbers == {"8518572"}
    # A company number is not a vessel's IMO number.
    assert hapjanggang.identifiers == (Identifier("IMO company number", "5787684"),)
    assert hapjanggang.imo_numbers == frozenset()
    assert broker.countries == ("AE", "RU")
    assert broker.identifiers == (Identifier("passport", "75 4410932"),)
    assert all(entry.entry_id.startswith("WL-") for entry in entries)
    assert len({entry.entry_id for entry in entries}) == 5


def test_watchlist_ids_stay_across_versions(tmp_path, lists_dir, watchlist):
    lines = (lists_dir / WATCHLIST).read_text(encoding="utf-8").splitlines(keepends=True)
    newer = tmp_path / "watchlist.csv"
    newer.write_text(lines[0] + "".join(reversed(lines[1:])), encoding="utf-8")
    parsed = parse_list(newer)
    assert parsed.sha256 != watchlist.sha256
    assert by_id(parsed) == by_id(watchlist)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,kind\nAcme,shop\n", r"line 2: kind 'shop' is not one of"),
        ("name,kind,country\nAcme,organisation,Narnia\n", r"line 2: unknown country 'Narnia'"),
        ("name,kind\n,person\n", "line 2 has no name"),
        ("name,kind\nAcme Ltd,organisation\nACME LTD,organisation\n", r"line 3 .* \(line 2\)"),
        ("name,kind,alias\nAcme,organisation,A\n", "unknown: alias"),
        ("name,kind\n", "no row"),
        ("name,kind\nAcme,person,extra\n", "more cells than the header"),
    ],
)
def test_watchlist_mistakes_are_refused_with_their_line(tmp_path, content, message):
    path = tmp_path / "watchlist.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ListFormatError, match=message):
        parse_list(path)


def test_watchlist_must_be_utf8(tmp_path):
    path = tmp_path / "watchlist.csv"
    path.write_bytes("name,kind\nAcme,organisation\nCaf\u00e9 Noir,person\n".encode("latin-1"))
    with pytest.raises(ListFormatError, match="line 3 is not UTF-8"):
        parse_list(path)


def test_watchlist_with_bom_and_crlf(tmp_path):
    path = tmp_path / "watchlist.csv"
    path.write_bytes(b"\xef\xbb\xbfName,Kind,Country\r\nAcme Optics,organisation,DE\r\n")
    assert detect_format(path) == "watchlist"
    [entry] = parse_list(path).entries
    assert (entry.primary_name, entry.countries) == ("Acme Optics", ("DE",))


# ------------------------------------------------------------ into the database


def test_both_import_as_list_versions_and_screen(db_session, lists_dir, tmp_path):
    ftm = import_list_file(db_session, lists_dir / FTM)
    watch = import_list_file(db_session, lists_dir / WATCHLIST)
    assert (ftm.source, ftm.entry_count, ftm.created) == ("opensanctions", 6, True)
    assert (watch.source, watch.entry_count, watch.created) == ("watchlist", 5, True)
    assert not import_list_file(db_session, lists_dir / WATCHLIST).created
    assert current_list_versions(db_session) == {
        "opensanctions": ftm.version_label,
        "watchlist": watch.version_label,
    }
    screener = load_screener(db_session)
    hits = screener.screen("Leader International Trading Limited", country="HK")
    leader = parse_list(lists_dir / WATCHLIST).entries[0].entry_id
    assert {(hit.list_source, hit.entry_id) for hit in hits} >= {
        ("opensanctions", "NK-leader-hk"),
        ("watchlist", leader),
    }
    [vessel] = screener.screen("Jie Shun", identifiers=["8518572"])
    assert vessel.list_source == "watchlist"

    # A new version of the watchlist is a new current version.
    newer = tmp_path / "watchlist.csv"
    newer.write_text(
        (lists_dir / WATCHLIST).read_text(encoding="utf-8")
        + "Zagros Valve Trading FZE,organisation,,AE,,BROKER-WATCH,\n",
        encoding="utf-8",
    )
    again = import_list_file(db_session, newer)
    assert again.created
    assert again.entry_count == 6
    assert current_list_versions(db_session)["watchlist"] == again.version_label


def test_the_admins_upload_takes_both(engine, lists_dir, tmp_path):
    instance = make_instance(engine)
    admin = add_user(instance, "ada", "Ada Admin", role=Role.ADMIN)
    with Session(engine) as session:
        for name, source in ((FTM, "opensanctions"), (WATCHLIST, "watchlist")):
            upload = io.BytesIO((lists_dir / name).read_bytes())
            result = import_uploaded_list(
                session, upload, work_dir=tmp_path / "instance", actor_user_id=admin
            )
            assert (result.source, result.created) == (source, True)
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions.count("admin.list_import") == 2
    assert not list((tmp_path / "instance").iterdir())  # the uploads are deleted
