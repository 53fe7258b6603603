"""List versions in the database (both backends) and the `vigil lists` / `vigil screen` commands."""

import json
import os
import shutil

import pytest
from sqlalchemy import func, select

from reporting.core.models import AuditEntry, ScreeningEntry, ScreeningList
from reporting.pipeline.screening_lists import (
    NoListsImported,
    current_list_versions,
    import_list_file,
    list_versions,
    load_parsed_lists,
    load_screener,
)
from tests.cli.test_cli import PASSPHRASE, run_vigil


def entry_count(session):
    return session.scalar(select(func.count()).select_from(ScreeningEntry))


def test_import_is_a_list_version_and_idempotent(db_session, lists_dir, un_list):
    path = lists_dir / "un_sc_consolidated.xml"
    first = import_list_file(db_session, path)
    assert first.created
    assert (first.source, first.version_label, first.sha256) == (
        "un",
        un_list.version_label,
        un_list.sha256,
    )
    assert first.entry_count == entry_count(db_session) == 1003
    again = import_list_file(db_session, path)
    assert not again.created
    assert again.list_id == first.list_id
    assert entry_count(db_session) == 1003
    assert db_session.scalar(select(func.count()).select_from(ScreeningList)) == 1
    (audit,) = db_session.scalars(select(AuditEntry)).all()
    assert (audit.action, audit.target) == ("screening.import", f"list:{first.list_id}")
    assert audit.details["sha256"] == un_list.sha256


def test_a_new_file_is_a_new_current_version(db_session, lists_dir, tmp_path, bis_list):
    old = import_list_file(db_session, lists_dir / "bis_dpl.txt")
    lines = (lists_dir / "bis_dpl.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    newer = tmp_path / "dpl.txt"
    newer.write_text("".join(lines[:-50]), encoding="utf-8")
    new = import_list_file(db_session, newer)
    assert new.created
    assert new.list_id != old.list_id
    assert new.entry_count < old.entry_count
    versions = list_versions(db_session)
    assert [(v.list_id, v.current) for v in versions] == [(new.list_id, True), (old.list_id, False)]
    assert current_list_versions(db_session) == {"bis_dpl": new.version_label}
    screener = load_screener(db_session)
    assert len(screener) == new.entry_count
    assert screener.versions == {"bis_dpl": new.version_label}
    # Importing the old file again changes nothing: it stays an old version.
    assert not import_list_file(db_session, lists_dir / "bis_dpl.txt").created
    assert current_list_versions(db_session) == {"bis_dpl": new.version_label}
    assert bis_list.version_label == old.version_label


def test_stored_lists_load_as_parsed(db_session, lists_dir, un_list, ofac_list, bis_list):
    for name in ("un_sc_consolidated.xml", "ofac_sdn", "bis_dpl.txt"):
        import_list_file(db_session, lists_dir / name)
    loaded = {parsed.source: parsed for parsed in load_parsed_lists(db_session)}
    for parsed in (un_list, ofac_list, bis_list):
        assert loaded[parsed.source] == parsed
    assert current_list_versions(db_session) == {
        "bis_dpl": bis_list.version_label,
        "ofac_sdn": ofac_list.version_label,
        "un": un_list.version_label,
    }
    screener = load_screener(db_session)
    (hit, *_) = screener.screen("Korea Mining Development Trading Corp", country="KP")
    assert hit.score == 1.0
    assert {"NPWMD", "DPRK2"} <= set(hit.programs) or hit.programs == ("DPRK",)


def test_no_lists(db_session):
    assert list_versions(db_session) == []
    assert current_list_versions(db_session) == {}
    with pytest.raises(NoListsImported, match="vigil lists import"):
        load_screener(db_session)


# ---------------------------------------------------------------- command line


@pytest.fixture
def vigil_env(tmp_path, database_url):
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
    env.update(
        VIGIL_INSTANCE=str(tmp_path / "instance"),
        VIGIL_DATABASE_URL=database_url,
        VIGIL_PASSWORD_COST="minimal",
        VIGIL_INTAKE_PASSPHRASE=PASSPHRASE,
    )
    return env


def test_lists_and_screen_commands(vigil_env, lists_dir, tmp_path):
    assert run_vigil("init", env=vigil_env).returncode == 0
    before = run_vigil("screen", "KOMID", env=vigil_env)
    assert before.returncode == 1
    assert "no screening list imported" in before.stderr
    empty = run_vigil("lists", "status", env=vigil_env)
    assert "no screening list imported" in empty.stdout

    un = run_vigil("lists", "import", str(lists_dir / "un_sc_consolidated.xml"), env=vigil_env)
    assert un.returncode == 0, un.stderr
    assert "imported un version 2026-02-27." in un.stdout
    assert "1003 entries" in un.stdout
    ofac = tmp_path / "ofac"
    shutil.copytree(lists_dir / "ofac_sdn", ofac)
    sdn = run_vigil("lists", "import", str(ofac / "sdn.csv"), env=vigil_env)
    assert "8976 entries" in sdn.stdout, sdn.stderr
    again = run_vigil("lists", "import", str(ofac), env=vigil_env)
    assert again.returncode == 0
    assert "already imported" in again.stdout
    bad = tmp_path / "notes.txt"
    bad.write_text("not a list\n")
    refused = run_vigil("lists", "import", str(bad), env=vigil_env)
    assert refused.returncode == 1
    assert "not a UN XML" in refused.stderr
    assert "Traceback" not in refused.stderr

    status = run_vigil("lists", "status", env=vigil_env).stdout.splitlines()
    assert status[0].split()[:3] == ["source", "version", "entries"]
    assert [line.split()[0] for line in status[1:]] == ["ofac_sdn", "un"]
    assert all(line.endswith("current") for line in status[1:])

    text = run_vigil("screen", "Korea Mining Developement Trading Co Ltd", env=vigil_env)
    assert text.returncode == 0, text.stderr
    assert "ofac_sdn 9345  KOREA MINING DEVELOPMENT TRADING CORPORATION  [NPWMD, DPRK2]" in (
        text.stdout
    )
    assert "un KPe.001" in text.stdout
    result = run_vigil(
        "screen", "Korea Mining Development Trading", "--country", "DE", "--json", env=vigil_env
    )
    document = json.loads(result.stdout)
    assert document["threshold"] == 0.85
    assert set(document["list_versions"]) == {"un", "ofac_sdn"}
    hit = document["hits"][0]
    plain = run_vigil("screen", "Korea Mining Development Trading", "--json", env=vigil_env)
    plain_hit = json.loads(plain.stdout)["hits"][0]
    assert plain_hit["entry_id"] == hit["entry_id"]
    # The legal form left out costs a little; the country outside the listed ones, 0.1.
    assert 0.9 < plain_hit["score"] < 1.0
    assert hit["score"] == pytest.approx(plain_hit["score"] - 0.1, abs=1e-4)
    assert "not among the listed" in hit["reasons"][-1]
    none = run_vigil("screen", "Lakeside Bakery", env=vigil_env)
    assert none.stdout.strip() == "no hit (threshold 0.85)"
    unknown = run_vigil("screen", "KOMID", "--country", "Narnia", env=vigil_env)
    assert unknown.returncode == 2
    assert "unknown country" in unknown.stderr
