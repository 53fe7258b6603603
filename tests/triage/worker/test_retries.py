"""A report the worker cannot triage is retried less and less often, and audited once per kind."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crypto import PrivateKey, ReportKey, unwrap_report_key, wrap_report_key
from reporting.core import clock
from reporting.core.clock import PinnedClock
from reporting.core.models import AuditEntry, HolderKind, Report, TriageState, Wrap
from reporting.pipeline.claims import CLAIM_TIMEOUT, RETRY_MAX, retry_delay, triage_health
from reporting.pipeline.worker import run_worker
from tests.triage.worker.support import add_user, fixed_triage, make_instance, submit, tip_body

STEP = timedelta(minutes=1)
DAY = timedelta(days=1)


@pytest.fixture
def instance(engine):
    return make_instance(engine)


@pytest.fixture
def stopped_clock(pinned_clock: PinnedClock) -> Iterator[PinnedClock]:
    """The suite's time, standing still between the test's own steps (no drift in the count)."""
    stopped = PinnedClock(pinned_clock.now(), running=False)
    clock.use(stopped)
    yield stopped
    clock.use(pinned_clock)


def damaged_report(instance) -> int:
    """A report whose intake wrap is sealed to some other key: the intake key cannot open it."""
    with Session(instance.engine) as session:
        report = submit(session, instance, tip_body())
        session.execute(
            update(Wrap)
            .where(Wrap.report_id == report.id, Wrap.holder_kind == HolderKind.INTAKE)
            .values(
                wrapped_key=wrap_report_key(ReportKey.generate(), PrivateKey.generate().public_key)
            )
        )
        session.commit()
        return report.id


def work_through(instance, stopped: PinnedClock, period: timedelta) -> list[int]:
    """Run the worker once a minute for `period`; the minutes at which it tried the report."""
    tried = []
    elapsed = timedelta(0)
    while elapsed < period:
        stats = run_worker(
            instance.engine,
            intake_key=instance.intake_key,
            triage=fixed_triage(),
            name="w",
            once=True,
        )
        if stats.failed or stats.deferred or stats.triaged:
            tried.append(int(elapsed / STEP))
        stopped.advance(STEP)
        elapsed += STEP
    return tried


def failure_audits(instance, report_id: int) -> list[dict[str, object]]:
    with Session(instance.engine) as session:
        return [
            dict(entry.details)
            for entry in session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.action == "report.triage_failed",
                    AuditEntry.target == f"report:{report_id}",
                )
                .order_by(AuditEntry.seq)
            )
        ]


def test_the_wait_doubles_up_to_a_cap() -> None:
    assert [retry_delay(n) for n in range(1, 7)] == [
        CLAIM_TIMEOUT,
        CLAIM_TIMEOUT * 2,
        CLAIM_TIMEOUT * 4,
        CLAIM_TIMEOUT * 8,
        RETRY_MAX,
        RETRY_MAX,
    ]
    assert retry_delay(10_000) == RETRY_MAX


def test_a_damaged_report_is_retried_with_backoff_and_audited_once(instance, stopped_clock):
    add_user(instance, "erin", "Erin Export", ("export-control",))
    report_id = damaged_report(instance)

    tried = work_through(instance, stopped_clock, DAY)
    # 5 (the claim goes stale a minute later), 10, 20 and 40 minutes apart,
    # then once an hour: 27 attempts in a day, where a retry every claim
    # timeout made 288.
    assert tried[:5] == [0, 6, 16, 36, 76]
    assert {later - earlier for earlier, later in itertools.pairwise(tried[4:])} == {60}
    assert len(tried) == 27
    assert failure_audits(instance, report_id) == [
        {"worker": "w", "error": "CryptoError", "attempts": 1}
    ]
    with Session(instance.engine) as session:
        report = session.get_one(Report, report_id)
        assert (report.triage_state, report.triage_attempts) == (TriageState.CLAIMED, 27)
        assert report.triage_error == "CryptoError"
        health = triage_health(session)
    assert (health.waiting, health.failing, health.attempts) == (0, 1, 27)


def test_a_new_kind_of_failure_is_audited_and_success_ends_the_waits(instance, stopped_clock):
    report_id = damaged_report(instance)
    work_through(instance, stopped_clock, timedelta(minutes=30))
    # The wrap is mended (say, restored from a backup): now only nobody receives it.
    with Session(instance.engine) as session:
        report = session.get_one(Report, report_id)
        session.execute(
            update(Wrap)
            .where(Wrap.report_id == report_id, Wrap.holder_kind == HolderKind.INTAKE)
            .values(wrapped_key=_fresh_intake_wrap(instance, report))
        )
        session.commit()
    work_through(instance, stopped_clock, timedelta(hours=3))
    assert [audit["error"] for audit in failure_audits(instance, report_id)] == [
        "CryptoError",
        "NoEligibleHolder",
    ]

    erin = add_user(instance, "erin", "Erin Export", ("export-control",))
    tried = work_through(instance, stopped_clock, timedelta(hours=2))
    assert len(tried) == 1
    with Session(instance.engine) as session:
        report = session.get_one(Report, report_id)
        assert report.triage_state is TriageState.DONE
        assert (report.triage_retry_at, report.triage_error) == (None, None)
        assert {wrap.user_id for wrap in report.wraps} == {None, erin}
        health = triage_health(session)
    assert (health.waiting, health.failing) == (0, 0)


def _fresh_intake_wrap(instance, report: Report) -> bytes:
    """The report's own key, sealed again to the intake key (from the reporter's wrap)."""
    reporter_wrap = next(w for w in report.wraps if w.holder_kind is HolderKind.REPORTER)
    key = unwrap_report_key(reporter_wrap.wrapped_key, instance.reporter_key)
    return wrap_report_key(key, instance.intake_key.public_key)
