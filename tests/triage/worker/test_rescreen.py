"""Re-screening stored reports after a new list version (reporting/pipeline/rescreen.py); its CLI.

A report is triaged by the real worker and pipeline with no list imported;
then a small UN list (the real CONSOLIDATED_LIST format, its one entry cut
from the UN list) that names one of the report's parties is imported. Only an
investigator's key can open the report after triage, so re-screening runs
with one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crypto import (
    PasswordCost,
    PrivateKey,
    PublicKey,
    RecordKind,
    open_record,
    unwrap_report_key,
)
from reporting.accounts.enrolment import create_user
from reporting.core.db import create_db_engine
from reporting.core.models import (
    AuditEntry,
    HolderKind,
    IntakeKey,
    Priority,
    Queue,
    QueueMembership,
    Report,
    Role,
    User,
    Wrap,
)
from reporting.pipeline.rescreen import (
    StaleScreener,
    current_versions_label,
    is_due,
    reports_due,
    rescreen_case,
)
from reporting.pipeline.rescreen_held import (
    RescreenRefused,
    rescreen_for_user,
    unlock_for_rescreen,
)
from reporting.pipeline.screening_lists import import_list_file, load_current_screener
from reporting.pipeline.worker import InstanceTriage, run_worker
from tests.pinned_cli import vigil_command
from tests.triage.worker.support import add_user, make_instance, submit, tip_body
from triage.screening import Screener

PARTY = "Leader International Trading Ltd"

# Maraging steel to a Hong Kong trading house: export control, P4, with no
# list loaded. The consignee is (an alias of) UN entry KPe.017.
REPORT = tip_body(
    what_happened="Maraging steel bars were shipped to a trading house.",
    parties=[{"name": PARTY, "country": "HK", "role": "consignee"}],
)

# The UN Security Council consolidated list's own format, with one entry as
# the UN publishes it (KPe.017, cut from the real list).
UN_LIST = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:noNamespaceSchemaLocation="https://www.un.org/sc/resources/sc-sanctions.xsd" \
dateGenerated="2026-03-01T00:00:09.554Z">
  <INDIVIDUALS/>
  <ENTITIES>
    <ENTITY>
      <DATAID>690768</DATAID>
      <VERSIONNUM>1</VERSIONNUM>
      <FIRST_NAME>LEADER (HONG KONG) INTERNATIONAL</FIRST_NAME>
      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
      <REFERENCE_NUMBER>KPe.017</REFERENCE_NUMBER>
      <LISTED_ON>2013-01-22</LISTED_ON>
      <COMMENTS1>Facilitates shipments on behalf of the Korea Mining Development Trading \
Corporation (KOMID). Hong Kong company registration number 1177053.</COMMENTS1>
      <LIST_TYPE>
        <VALUE>UN List</VALUE>
      </LIST_TYPE>
      <LAST_DAY_UPDATED>
        <VALUE>2014-06-20</VALUE>
      </LAST_DAY_UPDATED>
      <ENTITY_ALIAS>
        <QUALITY>a.k.a.</QUALITY>
        <ALIAS_NAME>Leader International Trading Limited</ALIAS_NAME>
      </ENTITY_ALIAS>
      <ENTITY_ALIAS>
        <QUALITY>a.k.a.</QUALITY>
        <ALIAS_NAME>Leader (Hong Kong) International Trading Limited</ALIAS_NAME>
      </ENTITY_ALIAS>
      <ENTITY_ADDRESS>
        <STREET>LM-873, RM B, 14/F, Wah Hen Commercial Centre, 383 Hennessy Road, Wanchai</STREET>
        <COUNTRY>China, Hong Kong Special Administrative Region</COUNTRY>
        <NOTE>China, Hong Kong Special Administrative Region</NOTE>
      </ENTITY_ADDRESS>
      <SORT_KEY/>
      <SORT_KEY_LAST_MOD/>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"""


@pytest.fixture
def un_list_file(tmp_path: Path) -> Path:
    path = tmp_path / "un_small.xml"
    path.write_text(UN_LIST, encoding="utf-8")
    return path


@pytest.fixture
def case(engine, un_list_file):
    """A report triaged with no list, then the small UN list imported.

    erin (export-control) holds the report; sam and sara (sanctions) do not,
    and sara declared a conflict with the listed party; paul works finance.
    """
    instance = make_instance(engine)
    erin = add_user(instance, "erin", "Erin Export", ("export-control",))
    sam = add_user(instance, "sam", "Sam Sanctions", ("sanctions",))
    sara = add_user(instance, "sara", "Sara Sanctions", ("sanctions",), declared=(PARTY,))
    paul = add_user(instance, "paul", "Paul Payments", ("financial-intelligence",))
    with Session(engine) as session:
        report_id = submit(session, instance, REPORT).id
        session.commit()
    stats = run_worker(
        engine,
        intake_key=instance.intake_key,
        triage=InstanceTriage(engine),
        name="w",
        once=True,
    )
    assert stats.triaged == [report_id]
    with Session(engine) as session:
        report = session.get_one(Report, report_id)
        assert (report.list_versions, report.priority.value) == ("", "P4")
        assert report.queue.slug == "export-control"
        assert "sanctions" not in report.categories
        assert reports_due(session) == []  # screened against the (no) current lists
        import_list_file(session, un_list_file)
    return SimpleNamespace(
        instance=instance,
        engine=engine,
        report_id=report_id,
        erin=erin,
        sam=sam,
        sara=sara,
        paul=paul,
    )


def report_key(case, username):
    with Session(case.engine) as session:
        wrapped = session.scalars(
            select(Wrap.wrapped_key).where(
                Wrap.report_id == case.report_id, Wrap.user_id == case.instance.users[username]
            )
        ).one()
    return unwrap_report_key(wrapped, case.instance.user_key(username))


def rescreen_as(case, username):
    key = report_key(case, username)
    with Session(case.engine) as session:
        report = session.get_one(Report, case.report_id)
        outcome = rescreen_case(
            session,
            report,
            key,
            screener=load_current_screener(session),
            actor_user_id=case.instance.users[username],
        )
        session.commit()
    return outcome


def snapshot(case):
    """Everything re-screening may change, as stored."""
    with Session(case.engine) as session:
        report = session.get_one(Report, case.report_id)
        wraps = sorted(
            (wrap.holder_kind.value, wrap.user_id or 0, wrap.wrapped_key) for wrap in report.wraps
        )
        audits = session.scalar(select(func.count()).select_from(AuditEntry))
        return (
            report.list_versions,
            report.findings,
            report.priority,
            list(report.categories),
            list(report.domains),
            report.queue_id,
            wraps,
            audits,
        )


def rescreen_audits(case):
    with Session(case.engine) as session:
        return session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "report.rescreen")
            .order_by(AuditEntry.seq)
        ).all()


def test_a_new_list_version_makes_triaged_reports_due(case):
    with Session(case.engine) as session:
        assert current_versions_label(session).startswith("un:2026-03-01.")
        assert reports_due(session) == [case.report_id]
        assert is_due(session, session.get_one(Report, case.report_id))


def test_rescreening_adds_the_hit_raises_priority_and_moves_the_case(case):
    outcome = rescreen_as(case, "erin")

    assert outcome.changed
    assert (outcome.old_priority, outcome.new_priority) == ("P4", "P1")
    assert (outcome.old_queue, outcome.new_queue) == ("export-control", "sanctions")
    assert outcome.hits == 1
    # Sara declared a conflict with the listed party: only Sam is added.
    assert outcome.granted_user_ids == (case.sam,)

    with Session(case.engine) as session:
        report = session.get_one(Report, case.report_id)
        assert report.list_versions == current_versions_label(session)
        assert report.priority.value == "P1"
        assert "sanctions" in report.categories
        assert report.queue.slug == "sanctions"
        holders = {(wrap.holder_kind, wrap.user_id) for wrap in report.wraps}
        assert reports_due(session) == []
    # Erin keeps hers; no intake wrap comes back; Paul and Sara get none.
    assert holders == {
        (HolderKind.REPORTER, None),
        (HolderKind.USER, case.erin),
        (HolderKind.USER, case.sam),
    }
    # Sam can open the report and its new findings, which carry the hit.
    key = report_key(case, "sam")
    findings = open_record(key, RecordKind.FINDINGS, report.findings)
    assert [hit["entry_id"] for hit in findings["hits"]] == ["KPe.017"]
    assert findings["versions"]["lists"] == report.list_versions
    assert findings["routing"]["queue"] == "sanctions"

    [audit] = rescreen_audits(case)
    assert audit.actor_user_id == case.erin
    assert audit.target == f"report:{case.report_id}"
    assert audit.details == {
        "old_list_versions": "",
        "new_list_versions": report.list_versions,
        "old_priority": "P4",
        "new_priority": "P1",
        "old_queue": "export-control",
        "new_queue": "sanctions",
        "hits": 1,
        "overridden": False,
        "granted_user_ids": [case.sam],
        "excluded": 1,
    }
    assert "Leader" not in str(audit.details)


def test_rescreening_again_changes_nothing(case):
    rescreen_as(case, "erin")
    before = snapshot(case)

    again = rescreen_as(case, "erin")
    by_sam = rescreen_as(case, "sam")

    assert not again.changed
    assert not by_sam.changed
    assert not again.moved
    assert not again.priority_changed
    assert snapshot(case) == before
    assert len(rescreen_audits(case)) == 1


def test_an_overridden_report_keeps_its_categories_and_priority(case):
    with Session(case.engine) as session:
        report = session.get_one(Report, case.report_id)
        report.triage_overridden = True
        report.categories = ["finance"]
        report.domains = []
        report.priority = Priority.P3
        session.commit()

    outcome = rescreen_as(case, "erin")

    assert outcome.changed
    assert outcome.overridden
    assert (outcome.old_priority, outcome.new_priority) == ("P3", "P3")
    assert outcome.hits == 1
    # The override is of categories and priority: the new routing still moves the case.
    assert (outcome.old_queue, outcome.new_queue) == ("export-control", "sanctions")
    with Session(case.engine) as session:
        report = session.get_one(Report, case.report_id)
        assert report.categories == ["finance"]
        assert report.domains == []
        assert report.priority.value == "P3"
        assert report.list_versions == current_versions_label(session)
        findings_blob = report.findings
    # The new findings are stored all the same: they show the hit.
    findings = open_record(report_key(case, "erin"), RecordKind.FINDINGS, findings_blob)
    assert findings["assessment"]["priority"] == "P1"
    assert [hit["entry_id"] for hit in findings["hits"]] == ["KPe.017"]
    [audit] = rescreen_audits(case)
    assert audit.details["overridden"] is True
    assert (audit.details["old_priority"], audit.details["new_priority"]) == ("P3", "P3")


def test_a_user_without_a_wrap_cannot_rescreen_it(case):
    with Session(case.engine) as session:
        paul = session.get_one(User, case.paul)
        summary = rescreen_for_user(
            session,
            paul,
            case.instance.user_key("paul"),
            screener=load_current_screener(session),
        )
    assert summary.due == 1
    assert summary.no_wrap == [case.report_id]
    assert (summary.rescreened, summary.failed) == (0, [])
    with Session(case.engine) as session:
        assert reports_due(session) == [case.report_id]
    assert rescreen_audits(case) == []


def test_rescreen_for_user_rescreens_what_the_user_holds(case):
    with Session(case.engine) as session:
        erin = session.get_one(User, case.erin)
        summary = rescreen_for_user(
            session, erin, case.instance.user_key("erin"), screener=load_current_screener(session)
        )
    assert (summary.due, summary.rescreened, summary.priority_changed, summary.moved) == (
        1,
        1,
        1,
        1,
    )
    assert (summary.no_wrap, summary.failed) == ([], [])
    with Session(case.engine) as session:
        assert reports_due(session) == []


def test_a_screener_of_other_list_versions_is_refused(case):
    key = report_key(case, "erin")
    with Session(case.engine) as session:
        report = session.get_one(Report, case.report_id)
        with pytest.raises(StaleScreener):
            rescreen_case(session, report, key, screener=Screener([]), actor_user_id=case.erin)


def test_a_wrong_password_is_refused_and_audited(case):
    with Session(case.engine) as session:
        with pytest.raises(RescreenRefused, match="wrong password"):
            unlock_for_rescreen(session, username="erin", password="not it")
        with pytest.raises(RescreenRefused, match="unknown or inactive"):
            unlock_for_rescreen(session, username="nobody", password="x")
        refusals = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.rescreen_refused")
        ).all()
        user, _key = unlock_for_rescreen(
            session, username="erin", password=case.instance.passwords["erin"]
        )
    assert [(entry.actor_user_id, entry.details["reason"]) for entry in refusals] == [
        (case.erin, "wrong password"),
        (None, "unknown or inactive user"),
    ]
    assert user.id == case.erin


# ---------------------------------------------------------------- the CLI, end to end


def run_vigil(*args, env, password=None, timeout=120):
    return subprocess.run(
        [*vigil_command(), *args],
        env=env,
        input=None if password is None else password + "\n",
        stdin=subprocess.DEVNULL if password is None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_cli_rescreens_after_a_list_import(tmp_path, database_url, un_list_file):
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
    env.update(
        VIGIL_INSTANCE=str(tmp_path / "instance"),
        VIGIL_DATABASE_URL=database_url,
        VIGIL_PASSWORD_COST="minimal",
        VIGIL_INTAKE_PASSPHRASE="correct horse battery staple",
    )
    assert run_vigil("init", env=env).returncode == 0
    engine = create_db_engine(database_url)
    try:
        passwords = {}
        with Session(engine) as session:
            queues = {queue.slug: queue.id for queue in session.scalars(select(Queue))}
            for username, display_name, queue in (
                ("erin", "Erin Export", "export-control"),
                ("sam", "Sam Sanctions", "sanctions"),
                ("paul", "Paul Payments", "financial-intelligence"),
            ):
                enrolment = create_user(
                    session,
                    username=username,
                    display_name=display_name,
                    role=Role.INVESTIGATOR,
                    cost=PasswordCost.MIN,
                )
                session.add(QueueMembership(user_id=enrolment.user_id, queue_id=queues[queue]))
                passwords[username] = enrolment.password
            intake = PublicKey(session.scalars(select(IntakeKey.public_key)).one())
            keys = SimpleNamespace(
                intake_key=SimpleNamespace(public_key=intake), reporter_key=PrivateKey.generate()
            )
            report_id = submit(session, keys, REPORT).id
            session.commit()

        triaged = run_vigil("triage", "worker", "--once", env=env)
        assert triaged.returncode == 0, triaged.stderr
        imported = run_vigil("lists", "import", str(un_list_file), env=env)
        assert imported.returncode == 0, imported.stderr
        assert "1 triaged report is now due for re-screening" in imported.stdout
        assert "vigil triage rescreen --user USERNAME" in imported.stdout

        wrong = run_vigil(
            "triage", "rescreen", "--user", "erin", "--password-stdin", env=env, password="nope"
        )
        assert wrong.returncode != 0
        assert "re-screening refused: wrong password" in wrong.stderr
        assert "Traceback" not in wrong.stderr
        no_terminal = run_vigil("triage", "rescreen", "--user", "erin", env=env)
        assert no_terminal.returncode != 0
        assert "--password-stdin" in no_terminal.stderr

        paul = run_vigil(
            "triage", "rescreen", "--user", "paul", "--password-stdin", env=env,
            password=passwords["paul"],
        )  # fmt: skip
        assert paul.returncode == 0, paul.stderr
        assert "due for re-screening: 1" in paul.stdout
        assert "re-screened: 0" in paul.stdout
        assert "still due, paul holds no wrap: 1" in paul.stdout

        erin = run_vigil(
            "triage", "rescreen", "--user", "erin", "--password-stdin", env=env,
            password=passwords["erin"],
        )  # fmt: skip
        assert erin.returncode == 0, erin.stderr
        for line in (
            "due for re-screening: 1",
            "re-screened: 1",
            "priority changed: 1",
            "moved to another queue: 1",
            "still due, erin holds no wrap: 0",
        ):
            assert line in erin.stdout
        assert "Leader" not in erin.stdout + erin.stderr

        with Session(engine) as session:
            report = session.get_one(Report, report_id)
            assert report.queue.slug == "sanctions"
            assert report.priority.value == "P1"
            assert reports_due(session) == []
            actions = [
                (entry.action, entry.details.get("reason"))
                for entry in session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.action.like("report.rescreen%"))
                    .order_by(AuditEntry.seq)
                )
            ]
        assert actions == [("report.rescreen_refused", "wrong password"), ("report.rescreen", None)]

        again = run_vigil("lists", "import", str(un_list_file), env=env)
        assert "already imported" in again.stdout
        assert "no triaged report is due for re-screening" in again.stdout
    finally:
        engine.dispose()


def test_two_investigators_rescreening_at_once_write_it_once(case):
    key = report_key(case, "erin")
    with Session(case.engine) as late:
        # Loaded before the other re-screen commits: still says the old versions.
        report = late.get_one(Report, case.report_id)
        screener = load_current_screener(late)
        assert report.list_versions == ""
        first = rescreen_as(case, "erin")
        outcome = rescreen_case(late, report, key, screener=screener, actor_user_id=case.erin)
        late.commit()
    assert first.changed
    assert not outcome.changed
    assert outcome.new_queue == "sanctions"
    assert len(rescreen_audits(case)) == 1


# ---------------------------------------------------------------- administrators


def holders(case):
    with Session(case.engine) as session:
        return set(
            session.scalars(
                select(Wrap.user_id).where(
                    Wrap.report_id == case.report_id, Wrap.holder_kind == HolderKind.USER
                )
            )
        )


def test_rescreening_passes_over_an_admin_in_the_new_queue(case):
    ada = add_user(case.instance, "ada", "Ada Admin", ("sanctions",), role=Role.ADMIN)
    outcome = rescreen_as(case, "erin")
    assert (outcome.old_queue, outcome.new_queue) == ("export-control", "sanctions")
    assert outcome.granted_user_ids == (case.sam,)
    assert holders(case) == {case.erin, case.sam}
    assert ada not in holders(case)


def test_an_admin_cannot_rescreen_with_their_own_key(case):
    add_user(case.instance, "ada", "Ada Admin", role=Role.ADMIN)
    with (
        Session(case.engine) as session,
        pytest.raises(RescreenRefused, match="not an investigator or supervisor"),
    ):
        unlock_for_rescreen(session, username="ada", password=case.instance.passwords["ada"])
