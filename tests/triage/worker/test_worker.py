"""The triage worker on a real database (SQLite and PostgreSQL): claims, access, crashes."""

import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crypto import RecordKind, open_record, unwrap_report_key
from reporting.core import clock
from reporting.core.models import (
    AuditEntry,
    HolderKind,
    Queue,
    Report,
    Role,
    TriageState,
    Wrap,
)
from reporting.pipeline import worker as triage_worker
from reporting.pipeline.claims import CLAIM_TIMEOUT, claim_next, claim_statement
from reporting.pipeline.screening_lists import store_list
from reporting.pipeline.worker import InstanceTriage, run_worker, triage_claimed
from tests.triage.worker.support import (
    add_user,
    fixed_triage,
    make_instance,
    submit,
    tip_body,
)
from triage.model import Category, Domain, Priority
from triage.screening import EntryKind, ListEntry, ParsedList

LATER = timedelta(minutes=6)  # past CLAIM_TIMEOUT


@pytest.fixture
def instance(engine):
    return make_instance(engine)


def submit_many(instance, count, **fields):
    with Session(instance.engine) as session:
        ids = [submit(session, instance, tip_body(**fields)).id for _ in range(count)]
        session.commit()
    return ids


def wraps_of(instance, report_id):
    with Session(instance.engine) as session:
        return session.scalars(select(Wrap).where(Wrap.report_id == report_id)).all()


def report_row(instance, report_id):
    with Session(instance.engine) as session:
        return session.get_one(Report, report_id)


# ---------------------------------------------------------------- claiming


def test_claims_take_the_oldest_report_once(instance):
    ids = submit_many(instance, 3)
    claims = [claim_next(instance.engine, worker=f"w{n}") for n in range(3)]
    assert [claim.report_id for claim in claims] == ids
    assert claim_next(instance.engine, worker="w3") is None

    row = report_row(instance, ids[0])
    assert row.triage_state is TriageState.CLAIMED
    assert row.claimed_by == "w0"
    assert row.claimed_at == claims[0].claimed_at


def test_the_claim_skips_locked_rows_on_postgresql():
    statement = claim_statement("w", clock.now(), CLAIM_TIMEOUT)
    assert "FOR UPDATE SKIP LOCKED" in str(statement.compile(dialect=postgresql.dialect()))
    # SQLite has no row locks: the statement's own write lock does the work.
    assert "FOR UPDATE" not in str(statement.compile(dialect=sqlite.dialect()))


def test_worker_names_are_bounded(instance):
    with pytest.raises(ValueError, match="worker name"):
        claim_next(instance.engine, worker="")
    with pytest.raises(ValueError, match="worker name"):
        claim_next(instance.engine, worker="w" * 201)


def test_a_report_waits_until_the_hour_it_arrived_in_is_over(instance):
    with Session(instance.engine) as session:
        report_id = submit(session, instance, tip_body(), hours_ago=0).id
        session.commit()
    assert claim_next(instance.engine, worker="w") is None
    next_hour = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    claim = claim_next(instance.engine, worker="w", now=next_hour)
    assert claim.report_id == report_id
    assert claim.claimed_at >= next_hour


def test_without_the_hold_a_report_is_claimed_at_once(instance):
    with Session(instance.engine) as session:
        report_id = submit(session, instance, tip_body(), hours_ago=0).id
        session.commit()
    assert claim_next(instance.engine, worker="w", hold=False).report_id == report_id


def test_a_stale_claim_is_claimed_again(instance):
    [report_id] = submit_many(instance, 1)
    first = claim_next(instance.engine, worker="dead")
    assert claim_next(instance.engine, worker="alive") is None
    again = claim_next(instance.engine, worker="alive", now=clock.now() + LATER)
    assert again.report_id == report_id == first.report_id
    assert report_row(instance, report_id).claimed_by == "alive"


def test_concurrent_claims_never_hand_out_a_report_twice(instance):
    ids = submit_many(instance, 40)
    claimed: list[list[int]] = [[] for _ in range(4)]

    def claim_all(index):
        while (claim := claim_next(instance.engine, worker=f"w{index}")) is not None:
            claimed[index].append(claim.report_id)

    threads = [threading.Thread(target=claim_all, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [report_id for worker in claimed for report_id in worker]
    assert sorted(everything) == ids


# ---------------------------------------------------------------- one report end to end


def test_one_report_end_to_end(instance):
    erin = add_user(instance, "erin", "Erin Export", ("export-control",))
    ed = add_user(
        instance, "ed", "Ed Exporter", ("export-control",), declared=("Tehran Precision Parts",)
    )
    emma = add_user(instance, "emma", "Emma Engineer", ("export-control",))
    sanjay = add_user(instance, "sanjay", "Sanjay Sanctions", ("sanctions",))
    body = tip_body(
        parties=[{"name": "Tehran Precision Parts Co.", "country": "IR", "role": "end_user"}],
        conflicts=["erin export"],
    )
    with Session(instance.engine) as session:
        report_id = submit(session, instance, body).id
        session.commit()
    triage = fixed_triage(
        categories=(Category.EXPORT_CONTROL, Category.DIVERSION),
        domains=(Domain.NUCLEAR,),
        priority=Priority.P1,
    )

    stats = run_worker(
        instance.engine,
        intake_key=instance.intake_key,
        triage=triage,
        name="worker-1",
        once=True,
    )

    assert stats.triaged == [report_id]
    wraps = wraps_of(instance, report_id)
    holders = {(wrap.holder_kind, wrap.user_id) for wrap in wraps}
    # Erin is named by the reporter, Ed declared a conflict with a party,
    # Sanjay is in another queue: only Emma (and the reporter) hold the key.
    assert holders == {(HolderKind.REPORTER, None), (HolderKind.USER, emma)}
    assert {erin, ed, sanjay}.isdisjoint(holder for _, holder in holders)

    row = report_row(instance, report_id)
    assert row.triage_state is TriageState.DONE
    assert (row.claimed_at, row.claimed_by) == (None, None)
    assert row.categories == ["export_control", "diversion"]
    assert row.domains == ["nuclear"]
    assert row.priority.value == "P1"
    with Session(instance.engine) as session:
        assert session.get_one(Queue, row.queue_id).slug == "export-control"
    assert int(row.rule_version or 0) >= 1
    assert row.list_versions == "un:test"

    emma_wrap = next(wrap for wrap in wraps if wrap.user_id == emma)
    key = unwrap_report_key(emma_wrap.wrapped_key, instance.user_key("emma"))
    findings = open_record(key, RecordKind.FINDINGS, row.findings)
    assert findings["assessment"]["priority"] == "P1"
    assert findings["routing"]["queue"] == "export-control"
    assert findings["extraction"]["parties"][0]["name"] == "Tehran Precision Parts Co."
    assert open_record(key, RecordKind.BODY, row.body) == body

    with Session(instance.engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.triage")
        ).one()
    assert entry.actor_user_id is None
    assert entry.target == f"report:{report_id}"
    assert entry.details["granted_user_ids"] == [emma]
    assert entry.details["excluded"] == 2
    assert "Tehran" not in str(entry.details)


def test_routing_follows_the_rules_in_the_database(instance):
    finance = add_user(instance, "fiona", "Fiona Finance", ("financial-intelligence",))
    [report_id] = submit_many(instance, 1)
    run_worker(
        instance.engine,
        intake_key=instance.intake_key,
        triage=fixed_triage(categories=(Category.FINANCE,), domains=()),
        name="w",
        once=True,
    )
    assert {wrap.user_id for wrap in wraps_of(instance, report_id)} == {None, finance}


def test_an_all_conflicted_queue_falls_back_to_supervisors(instance):
    add_user(instance, "erin", "Erin Export", ("export-control",))
    boss = add_user(instance, "sam", "Sam Supervisor", role=Role.SUPERVISOR)
    [report_id] = submit_many(instance, 1, conflicts=["Erin Export"])
    stats = run_worker(
        instance.engine, intake_key=instance.intake_key, triage=fixed_triage(), name="w", once=True
    )
    assert stats.triaged == [report_id]
    assert {wrap.user_id for wrap in wraps_of(instance, report_id)} == {None, boss}


def test_a_report_nobody_may_read_keeps_its_intake_wrap(instance):
    add_user(instance, "erin", "Erin Export", ("export-control",))
    [report_id] = submit_many(instance, 1, conflicts=["Erin Export"])
    stats = run_worker(
        instance.engine, intake_key=instance.intake_key, triage=fixed_triage(), name="w", once=True
    )
    assert stats.deferred == [report_id]
    kinds = {wrap.holder_kind for wrap in wraps_of(instance, report_id)}
    assert kinds == {HolderKind.INTAKE, HolderKind.REPORTER}
    assert report_row(instance, report_id).triage_state is TriageState.CLAIMED


# ---------------------------------------------------------------- crashes


def test_a_crash_mid_report_changes_nothing_and_the_report_is_claimed_again(instance, monkeypatch):
    emma = add_user(instance, "emma", "Emma Engineer", ("export-control",))
    [report_id] = submit_many(instance, 1)
    before = report_row(instance, report_id)

    def crash(*args, **kwargs):
        # Reached after the report row, the new wraps and the intake wrap's
        # deletion have been written (flushed) in the transaction.
        raise RuntimeError("power cut")

    monkeypatch.setattr(triage_worker, "append_audit", crash)
    stats = run_worker(
        instance.engine, intake_key=instance.intake_key, triage=fixed_triage(), name="w1", once=True
    )
    assert stats.failed == [report_id]

    row = report_row(instance, report_id)
    assert row.triage_state is TriageState.CLAIMED
    assert row.claimed_by == "w1"
    assert (row.findings, row.priority, row.queue_id, row.categories) == (None, None, None, [])
    assert row.body == before.body
    kinds = {wrap.holder_kind for wrap in wraps_of(instance, report_id)}
    assert kinds == {HolderKind.INTAKE, HolderKind.REPORTER}

    monkeypatch.undo()
    assert claim_next(instance.engine, worker="w2") is None  # not stale yet
    claim = claim_next(instance.engine, worker="w2", now=clock.now() + LATER)
    assert claim.report_id == report_id
    outcome = triage_claimed(
        instance.engine, claim, intake_key=instance.intake_key, triage=fixed_triage()
    )
    assert outcome == "done"
    assert {wrap.user_id for wrap in wraps_of(instance, report_id)} == {None, emma}


def test_a_worker_whose_claim_was_taken_over_writes_nothing(instance):
    emma = add_user(instance, "emma", "Emma Engineer", ("export-control",))
    [report_id] = submit_many(instance, 1)
    slow = claim_next(instance.engine, worker="slow")
    fast = claim_next(instance.engine, worker="fast", now=clock.now() + LATER)
    assert fast.report_id == slow.report_id == report_id

    assert (
        triage_claimed(instance.engine, fast, intake_key=instance.intake_key, triage=fixed_triage())
        == "done"
    )
    assert (
        triage_claimed(instance.engine, slow, intake_key=instance.intake_key, triage=fixed_triage())
        == "lost"
    )
    assert {wrap.user_id for wrap in wraps_of(instance, report_id)} == {None, emma}
    with Session(instance.engine) as session:
        triaged = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "report.triage")
        )
    assert triaged == 1


KILLED_WORKER = """
import sys, time
from datetime import datetime
from reporting.core.db import create_db_engine
from reporting.pipeline.claims import claim_next
# At the suite's time, not the machine's: the claim must look as old as it is.
now = datetime.fromisoformat(sys.argv[2])
claim = claim_next(create_db_engine(sys.argv[1]), worker="doomed", now=now)
print(claim.report_id, flush=True)
time.sleep(600)  # killed while it holds the claim
"""


def test_a_killed_workers_report_is_picked_up_again(instance, database_url):
    emma = add_user(instance, "emma", "Emma Engineer", ("export-control",))
    [report_id] = submit_many(instance, 1)
    doomed = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER, database_url, clock.now().isoformat()],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert int(doomed.stdout.readline()) == report_id
    finally:
        doomed.kill()
        doomed.wait()
        doomed.stdout.close()
    assert report_row(instance, report_id).claimed_by == "doomed"

    # Within the timeout the claim is respected; after it, another worker takes over.
    patient = run_worker(
        instance.engine, intake_key=instance.intake_key, triage=fixed_triage(), name="a", once=True
    )
    assert patient.triaged == []
    rescuer = run_worker(
        instance.engine,
        intake_key=instance.intake_key,
        triage=fixed_triage(),
        name="b",
        once=True,
        stale_after=timedelta(0),
    )
    assert rescuer.triaged == [report_id]
    assert {wrap.user_id for wrap in wraps_of(instance, report_id)} == {None, emma}


# ---------------------------------------------------------------- many workers


def test_several_workers_triage_every_report_once(instance, database_url):
    """Load test: 4 worker threads, each with its own connections.

    PostgreSQL: 1,000 reports (10-20 s: every commit queues for the audit chain's head),
    SKIP LOCKED under contention.
    SQLite: 200 reports, enough to show that waiting on the single write lock
    (busy timeout) neither fails a report nor hands one out twice.
    """
    count = 1000 if database_url.startswith("postgresql") else 200
    emma = add_user(instance, "emma", "Emma Engineer", ("export-control",))
    ids = []
    for _ in range(count // 100):
        ids += submit_many(instance, 100)
    results = [None] * 4

    def work(index):
        results[index] = run_worker(
            instance.engine,
            intake_key=instance.intake_key,
            triage=fixed_triage(),
            name=f"worker-{index}",
            once=True,
        )

    threads = [threading.Thread(target=work, args=(index,)) for index in range(4)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Shown with `pytest -s`: the figure quoted in the triage notes.
    print(f"\n{count} reports, 4 workers: {time.perf_counter() - started:.1f} s")

    triaged = [report_id for stats in results for report_id in stats.triaged]
    assert sorted(triaged) == ids, "a report was triaged twice or missed"
    assert all(not (stats.failed or stats.lost or stats.deferred) for stats in results)
    assert all(stats.triaged for stats in results), "every worker should have had a share"
    with Session(instance.engine) as session:
        states = session.execute(
            select(Report.triage_state, func.count()).group_by(Report.triage_state)
        ).all()
        assert states == [(TriageState.DONE, count)]
        user_wraps = session.scalar(
            select(func.count()).select_from(Wrap).where(Wrap.user_id == emma)
        )
        assert user_wraps == count
        intake_wraps = session.scalar(
            select(func.count()).select_from(Wrap).where(Wrap.holder_kind == HolderKind.INTAKE)
        )
        assert intake_wraps == 0
        audited = session.scalar(
            select(func.count(func.distinct(AuditEntry.target))).where(
                AuditEntry.action == "report.triage"
            )
        )
        assert audited == count


# ---------------------------------------------------------------- with the real pipeline


def dpl_version(label, names):
    entries = tuple(
        ListEntry(
            entry_id=f"DPL-{index}", kind=EntryKind.ENTITY, primary_name=name, programs=("DPL",)
        )
        for index, name in enumerate(names)
    )
    return ParsedList("bis_dpl", label, label * 8, entries)


def test_the_pipeline_screens_against_the_instances_current_lists(instance):
    sanjay = add_user(instance, "sanjay", "Sanjay Sanctions", ("sanctions",))
    erin = add_user(instance, "erin", "Erin Export", ("export-control", "general-intake"))
    add_user(instance, "fiona", "Fiona Finance", ("financial-intelligence",))
    with Session(instance.engine) as session:
        store_list(session, dpl_version("v1", ["Ostrava Precision Machining"]))
    party = [{"name": "Ostrava Precision Machining s.r.o.", "country": "", "role": "buyer"}]
    [first] = submit_many(instance, 1, parties=party, what_happened="They bought pumps.")
    triage = InstanceTriage(instance.engine)

    stats = run_worker(
        instance.engine, intake_key=instance.intake_key, triage=triage, name="w", once=True
    )
    assert stats.triaged == [first]
    row = report_row(instance, first)
    assert row.list_versions == "bis_dpl:v1"
    assert "sanctions" in row.categories
    assert {wrap.user_id for wrap in wraps_of(instance, first)} == {None, sanjay}
    key = unwrap_report_key(
        next(w for w in wraps_of(instance, first) if w.user_id == sanjay).wrapped_key,
        instance.user_key("sanjay"),
    )
    findings = open_record(key, RecordKind.FINDINGS, row.findings)
    assert findings["hits"][0]["entry_id"] == "DPL-0"
    assert findings["versions"]["lists"] == "bis_dpl:v1"

    # A new list version drops the name: the running worker's next report uses it.
    with Session(instance.engine) as session:
        store_list(session, dpl_version("v2", ["Somebody Else Entirely"]))
    [second] = submit_many(instance, 1, parties=party, what_happened="They bought pumps.")
    run_worker(instance.engine, intake_key=instance.intake_key, triage=triage, name="w", once=True)
    row = report_row(instance, second)
    assert row.list_versions == "bis_dpl:v2"
    assert "sanctions" not in row.categories
    assert {wrap.user_id for wrap in wraps_of(instance, second)} == {None, erin}
