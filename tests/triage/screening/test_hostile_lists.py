"""Hostile list files: every defect is a ListFormatError naming its line, never another error."""

from __future__ import annotations

import json

import pytest

from triage.screening import ListFormatError, parse_list
from triage.screening.ftm import parse_ftm
from triage.screening.watchlist import parse_watchlist

GOOD = {"id": "good", "schema": "Company", "properties": {"name": ["Good Trading"]}}


def _ftm(tmp_path, line: bytes):
    path = tmp_path / "entities.ftm.json"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n" + line + b"\n")
    return path


def _entity(**fields: object) -> bytes:
    return json.dumps({"id": "x", "schema": "Company", **fields}).encode()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (_entity(properties={"name": ["Acme\udc00 Trading"]}), "line 2 has a lone surrogate"),
        (_entity(properties={"name": ["Acme\x00 Trading"]}), "line 2 has a NUL character"),
        (
            _entity(properties={"name": ["Acme"], "sanctions": [{"properties": {}}]}),
            "line 2 is not a FollowTheMoney entity .*without a schema",
        ),
        (
            json.dumps({"id": ["a"], "schema": "Company", "properties": {}}).encode(),
            "line 2 .*id that is not a string",
        ),
        (
            _entity(
                properties={
                    "name": ["Acme"],
                    "sanctions": [{"schema": ["Sanction"], "properties": {}}],
                }
            ),
            "line 2 .*without a schema",
        ),
        (
            _entity(
                properties={
                    "name": ["Acme"],
                    "sanctions": [{"id": ["s"], "schema": "Sanction", "properties": {}}],
                }
            ),
            "line 2 .*id that is not a string",
        ),
        (b'{"id": "x", "schema": "Company", "n": ' + b"9" * 5000 + b"}", "line 2 is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "line 2 is not JSON .*nested too deeply"),
        (_entity(properties={"name": ["-.-"]}), "line 2: the name '-.-' has no letter or digit"),
    ],
)
def test_ftm_hostile_lines_are_refused_with_their_number(tmp_path, line, message):
    with pytest.raises(ListFormatError, match=message):
        parse_ftm(_ftm(tmp_path, line))


def test_ftm_aliases_of_punctuation_alone_are_left_out(tmp_path):
    line = _entity(properties={"name": ["Acme"], "alias": ["...", "Acme Co"]})
    parsed = parse_ftm(_ftm(tmp_path, line))
    acme = next(entry for entry in parsed.entries if entry.entry_id == "x")
    assert [alias.name for alias in acme.aliases] == ["Acme Co"]


def _watchlist(tmp_path, content: str):
    path = tmp_path / "watchlist.csv"
    path.write_bytes(content.encode("utf-8", "surrogatepass"))
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,kind\nGood,person\nAcme\x00 Trading,organisation\n", "line 3 has a NUL"),
        ("name,kind\nGood,person\nAcme," + "x" * 140_000 + "\n", "line 3 is not CSV"),
        ("name,kind\nGood,person\n'--',organisation\n", "line 3: the name \"'--'\" has no"),
        ("name,kind,aliases\nGood,person,Bon;?!\n", "line 2: the name '\\?!' has no letter"),
    ],
)
def test_watchlist_hostile_rows_are_refused_with_their_line(tmp_path, content, message):
    with pytest.raises(ListFormatError, match=message):
        parse_watchlist(_watchlist(tmp_path, content))


def test_watchlist_lone_surrogate_is_refused(tmp_path):
    # UTF-8 cannot carry one: the bytes of an encoded surrogate are not UTF-8.
    path = _watchlist(tmp_path, "name,kind\nGood,person\nAcme\udc00 Trading,organisation\n")
    with pytest.raises(ListFormatError, match="line 3 is not UTF-8"):
        parse_watchlist(path)


def test_watchlist_with_cr_line_endings_is_read(tmp_path):
    path = _watchlist(tmp_path, "name,kind\rAcme Trading,organisation\rJohn Doe,person\r")
    parsed = parse_list(path)
    assert [entry.primary_name for entry in parsed.entries] == ["Acme Trading", "John Doe"]


def test_watchlist_ids_are_16_hex_characters(tmp_path):
    parsed = parse_watchlist(_watchlist(tmp_path, "name,kind\nAcme,organisation\n"))
    (entry,) = parsed.entries
    assert len(entry.entry_id) == len("WL-") + 16
    int(entry.entry_id[3:], 16)
