"""`vigil triage file` with several reports (and stdin): one JSON line each, or nothing at all."""

from __future__ import annotations

import json

import pytest

from tests.pinned_cli import run_vigil
from tests.triage.worker.support import tip_body

STEEL = tip_body(
    what_happened="Maraging steel bars were shipped through Jebel Ali to Iran.",
    parties=[{"name": "Korea Mining Development Trading Corporation", "country": "KP"}],
)
BAKERY = tip_body(what_happened="The bakery next door overcharges for bread.")


@pytest.fixture
def reports(tmp_path):
    paths = []
    for name, body in (("steel.json", STEEL), ("bakery.json", BAKERY)):
        path = tmp_path / name
        path.write_text(json.dumps(body), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_several_files_and_stdin_give_one_json_line_each(reports, lists_dir):
    lists = str(lists_dir / "opensanctions_sample.ftm.json")
    result = run_vigil(
        "triage", "file", *reports, "-", "--json", "--lists", lists,
        stdin=json.dumps(STEEL).encode(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [line["file"] for line in lines] == [*reports, "-"]
    assert [hit["entry_id"] for hit in lines[0]["hits"]] == ["NK-komid"]
    assert lines[1]["hits"] == []
    assert lines[2]["hits"] == lines[0]["hits"]
    assert lines[0]["versions"]["lists"].startswith("opensanctions:")
    assert lines[0]["assessment"]["priority"] == "P1"


def test_text_output_names_each_file(reports):
    result = run_vigil("triage", "file", *reports)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert text.startswith(f"== {reports[0]}\npriority ")
    assert f"\n\n== {reports[1]}\npriority " in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"form": "tip", "format": 1, "what_happened": "Caf\xe9"}', "not UTF-8"),
        (b'{"form": "letter", "format": 1}', "is not a report body"),
        (b"{not json", "is not a report body"),
        (b'{"form": "tip", "format": ' + b"9" * 5000 + b"}", "is not a report body"),
        (b"[" * 100_000 + b"]" * 100_000, "is not a report body: nested too deeply"),
    ],
)
def test_one_bad_file_stops_all_before_any_output(reports, tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = run_vigil("triage", "file", reports[0], str(bad), reports[1], "--json")
    assert result.returncode == 1
    assert result.stdout == b""
    stderr = result.stderr.decode()
    assert f"{bad} {message}" in stderr or message in stderr
    assert str(bad) in stderr
    assert "Traceback" not in stderr


def test_missing_file_and_stdin_twice(reports, tmp_path):
    missing = run_vigil("triage", "file", reports[0], str(tmp_path / "none.json"), "--json")
    assert missing.returncode == 1
    assert missing.stdout == b""
    assert b"cannot read" in missing.stderr
    twice = run_vigil("triage", "file", "-", "-", stdin=json.dumps(STEEL).encode())
    assert twice.returncode == 2
    assert b"can be given once" in twice.stderr
    for result in (missing, twice):
        assert b"Traceback" not in result.stderr
