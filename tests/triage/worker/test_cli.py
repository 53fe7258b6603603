"""`vigil triage file` and `vigil triage worker` as an operator runs them: real processes."""

import json
import os
import signal
import subprocess
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import PasswordCost, PrivateKey, PublicKey
from reporting.accounts.enrolment import create_user
from reporting.cli.bootstrap import DEFAULT_QUEUES
from reporting.core.db import create_db_engine
from reporting.core.models import (
    HolderKind,
    IntakeKey,
    Queue,
    QueueMembership,
    Report,
    Role,
    TriageState,
    current_hour,
)
from tests.pinned_cli import vigil_command
from tests.triage.worker.support import submit, tip_body

PASSPHRASE = "correct horse battery staple"

REPORT = tip_body(
    what_happened=(
        "Maraging steel and frequency changers were shipped through the Jebel Ali Free Zone"
        " to Iran; the buyer paid USD 450,000 by letter of credit."
    ),
    parties=[
        {
            "name": "Korea Mining Development Trading Corporation",
            "country": "KP",
            "role": "end_user",
        }
    ],
    conflicts=["Erin Export"],
)


def run_vigil(*args, env, timeout=120):
    return subprocess.run(
        [*vigil_command(), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def no_instance_env():
    return {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}


@pytest.fixture
def report_file(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(REPORT), encoding="utf-8")
    return path


def test_triage_file_without_an_instance_uses_default_rules_and_no_lists(
    report_file, no_instance_env, tmp_path
):
    result = run_vigil("triage", "file", str(report_file), "--json", env=no_instance_env)
    assert result.returncode == 0, result.stderr
    assert "not screened" in result.stderr
    data = json.loads(result.stdout)
    assert data["hits"] == []
    assert data["versions"]["lists"] == ""
    assert data["versions"]["ruleset"] == "0"
    assert data["routing"]["ruleset_version"] == 0
    assert data["routing"]["queue"] in {slug for slug, _, _ in DEFAULT_QUEUES}
    assert data["routing"]["excluded_names"] == ["Erin Export"]
    assert "nuclear" in data["assessment"]["domains"]
    assert not (tmp_path / "instance").exists()

    text = run_vigil("triage", "file", str(report_file), env=no_instance_env)
    assert text.returncode == 0, text.stderr
    assert f"queue: {data['routing']['queue']}" in text.stdout
    assert "versions: " in text.stdout


def test_triage_file_screens_against_given_lists(report_file, no_instance_env, lists_dir):
    lists = str(lists_dir / "un_sc_consolidated.xml")
    result = run_vigil(
        "triage", "file", str(report_file), "--json", "--lists", lists, env=no_instance_env
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "KPe.001" in {hit["entry_id"] for hit in data["hits"]}
    assert data["routing"]["queue"] == "sanctions"
    assert data["versions"]["lists"].startswith("un:")


def test_triage_file_refuses_what_is_not_a_report_body(tmp_path, no_instance_env):
    path = tmp_path / "bad.json"
    path.write_text('{"form": "letter", "format": 1}')
    result = run_vigil("triage", "file", str(path), env=no_instance_env)
    assert result.returncode == 1
    assert "is not a report body" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def instance_with_a_report(tmp_path, database_url):
    """An initialised instance (real `vigil init`), two investigators in every queue, one report."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
    env.update(
        VIGIL_INSTANCE=str(tmp_path / "instance"),
        VIGIL_DATABASE_URL=database_url,
        VIGIL_PASSWORD_COST="minimal",
        VIGIL_INTAKE_PASSPHRASE=PASSPHRASE,
    )
    assert run_vigil("init", env=env).returncode == 0
    engine = create_db_engine(database_url)
    with Session(engine) as session:
        intake = PublicKey(session.scalars(select(IntakeKey.public_key)).one())
        erin, emma = (
            create_user(
                session,
                username=username,
                display_name=display_name,
                role=Role.INVESTIGATOR,
                cost=PasswordCost.MIN,
            ).user_id
            for username, display_name in (("erin", "Erin Export"), ("emma", "Emma Engineer"))
        )
        # Both in every queue, wherever the report routes: Erin is named in
        # the report's conflicts, so only Emma may get it.
        for user_id in (erin, emma):
            for queue in session.scalars(select(Queue)):
                session.add(QueueMembership(user_id=user_id, queue_id=queue.id))
        keys = SimpleNamespace(
            intake_key=SimpleNamespace(public_key=intake), reporter_key=PrivateKey.generate()
        )
        report_id = submit(session, keys, REPORT).id
        session.commit()
    yield SimpleNamespace(env=env, engine=engine, report_id=report_id, emma=emma)
    engine.dispose()


def assert_triaged(instance):
    with Session(instance.engine) as session:
        report = session.get_one(Report, instance.report_id)
        assert report.triage_state is TriageState.DONE
        assert report.findings is not None
        holders = {(wrap.holder_kind, wrap.user_id) for wrap in report.wraps}
        assert holders == {(HolderKind.REPORTER, None), (HolderKind.USER, instance.emma)}


def test_triage_worker_once_triages_what_is_waiting(instance_with_a_report):
    instance = instance_with_a_report
    result = run_vigil("triage", "worker", "--once", "--name", "cli-test", env=instance.env)
    assert result.returncode == 0, result.stderr
    assert "triaged 1," in result.stdout
    assert f"report {instance.report_id} triaged" in result.stderr
    assert "Maraging" not in result.stderr
    assert_triaged(instance)

    wrong = dict(instance.env, VIGIL_INTAKE_PASSPHRASE="wrong")
    refused = run_vigil("triage", "worker", "--once", env=wrong)
    assert refused.returncode == 1
    assert "wrong passphrase" in refused.stderr


def test_triage_worker_runs_until_sigterm_and_then_stops_cleanly(instance_with_a_report):
    instance = instance_with_a_report
    with Session(instance.engine) as session:
        # Received this hour: only --no-hold triages it before the hour is over.
        session.get_one(Report, instance.report_id).received_hour = current_hour()
        session.commit()
    worker = subprocess.Popen(
        [*vigil_command(), "triage", "worker", "--name", "looping", "--no-hold"],
        env=instance.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with Session(instance.engine) as session:
                state = session.get_one(Report, instance.report_id).triage_state
            if state is TriageState.DONE:
                break
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    assert "triaged 1," in out
    assert_triaged(instance)
