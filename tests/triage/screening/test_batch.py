"""Screening a file of names: triage/screening/batch.py and `vigil screen --batch`."""

from __future__ import annotations

import json
import os

import pytest

from tests.pinned_cli import run_vigil
from triage.screening import Screener, parse_list
from triage.screening.batch import BatchInputError, read_batch, screen_batch

NAMES = (
    "Korea Mining Development Trading Corp\tKP\n"
    "\n"
    "Lakeside Bakery\n"
    "Leader International Trading Ltd\tHong Kong\r\n"
    "Korea Mining Development Trading Corp\tKP\n"
    "Sea Pride\n"
)


def test_read_batch_takes_names_and_countries():
    queries = read_batch(("\ufeff" + NAMES).encode())
    assert [(q.line, q.name, q.country) for q in queries] == [
        (1, "Korea Mining Development Trading Corp", "KP"),
        (3, "Lakeside Bakery", None),
        (4, "Leader International Trading Ltd", "HK"),
        (5, "Korea Mining Development Trading Corp", "KP"),
        (6, "Sea Pride", None),
    ]


def test_read_batch_reports_every_bad_line():
    data = b"Acme\tNarnia\nCaf\xe9 Noir\n\tDE\nA\tDE\textra\nGood Name\tFR\n"
    with pytest.raises(BatchInputError) as raised:
        read_batch(data, label="customers.txt")
    assert raised.value.problems == [
        "customers.txt, line 1: unknown country 'Narnia'",
        "customers.txt, line 2: not UTF-8",
        "customers.txt, line 3: no name before the tab",
        "customers.txt, line 4: more than one tab (expected NAME or NAME<TAB>COUNTRY)",
    ]


def test_read_batch_caps_the_errors_it_lists():
    with pytest.raises(BatchInputError) as raised:
        read_batch(b"Acme\tXX\n" * 25)
    assert len(raised.value.problems) == 10
    assert raised.value.total == 25
    assert str(raised.value).endswith("... and 15 more")


def test_screen_batch_gives_what_screen_gives_in_order(lists_dir):
    screener = Screener([parse_list(lists_dir / "opensanctions_sample.ftm.json")])
    queries = read_batch(NAMES.encode())
    results = list(screen_batch(screener, queries))
    assert [query.line for query, _ in results] == [1, 3, 4, 5, 6]
    for query, hits in results:
        assert hits == screener.screen(query.name, country=query.country)
    assert [hit.entry_id for hit in results[0][1]] == ["NK-komid"]
    assert results[1][1] == []


# ------------------------------------------------------------ the command


@pytest.fixture
def env_with_lists(tmp_path, database_url, lists_dir):
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
    env.update(
        VIGIL_INSTANCE=str(tmp_path / "instance"),
        VIGIL_DATABASE_URL=database_url,
        VIGIL_PASSWORD_COST="minimal",
        VIGIL_INTAKE_PASSPHRASE="correct horse battery staple",
    )
    assert run_vigil("init", env=env).returncode == 0
    for name in ("opensanctions_sample.ftm.json", "agency_watchlist.csv"):
        imported = run_vigil("lists", "import", str(lists_dir / name), env=env)
        assert imported.returncode == 0, imported.stderr
    return env


def test_batch_json_one_line_per_name(env_with_lists, tmp_path):
    path = tmp_path / "customers.txt"
    path.write_text(NAMES, encoding="utf-8")
    result = run_vigil("screen", "--batch", str(path), "--json", env=env_with_lists)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [(d["line"], d["name"], d["country"]) for d in lines] == [
        (1, "Korea Mining Development Trading Corp", "KP"),
        (3, "Lakeside Bakery", None),
        (4, "Leader International Trading Ltd", "HK"),
        (5, "Korea Mining Development Trading Corp", "KP"),
        (6, "Sea Pride", None),
    ]
    [komid] = lines[0]["hits"]
    assert (komid["list_source"], komid["entry_id"]) == ("opensanctions", "NK-komid")
    assert komid["score"] >= 0.85
    # The per-feature explanation: the name's score, then the country's part.
    assert komid["reasons"][0].startswith("name 'Korea Mining Development Trading Corp' ~ ")
    assert "country KP is a listed country (+0.05)" in komid["reasons"]
    assert lines[1]["hits"] == []
    assert {hit["list_source"] for hit in lines[2]["hits"]} == {"opensanctions", "watchlist"}


def test_batch_from_stdin_as_a_table(env_with_lists):
    result = run_vigil("screen", "--batch", "-", env=env_with_lists, stdin=NAMES.encode())
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "     1  Korea Mining Development Trading Corp  [KP]" in text
    assert "opensanctions NK-komid  KOREA MINING DEVELOPMENT TRADING CORPORATION" in text
    assert "     3  Lakeside Bakery\n        no hit" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Acme Optics\tNarnia\n", "line 1: unknown country 'Narnia'"),
        (b"Acme Optics\nCaf\xe9 Noir\tFR\n", "line 2: not UTF-8"),
    ],
)
def test_batch_bad_input_prints_nothing_and_fails(env_with_lists, tmp_path, content, message):
    path = tmp_path / "customers.txt"
    path.write_bytes(content)
    result = run_vigil("screen", "--batch", str(path), "--json", env=env_with_lists)
    assert result.returncode == 1
    assert result.stdout == b""
    stderr = result.stderr.decode()
    assert message in stderr
    assert "Traceback" not in stderr


def test_batch_usage_mistakes(env_with_lists, tmp_path):
    missing = run_vigil("screen", "--batch", str(tmp_path / "none.txt"), env=env_with_lists)
    assert missing.returncode == 2
    assert b"does not exist" in missing.stderr
    both = run_vigil("screen", "KOMID", "--batch", "-", env=env_with_lists)
    assert both.returncode == 2
    assert b"--batch takes no NAME" in both.stderr
    neither = run_vigil("screen", env=env_with_lists)
    assert neither.returncode == 2
    assert b"give a NAME or --batch FILE" in neither.stderr
    for result in (missing, both, neither):
        assert b"Traceback" not in result.stderr
        assert result.stdout == b""
