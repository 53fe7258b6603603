"""Administrators and auditors are never given a wrap, by triage or anything else.

A wrap is the ability to decrypt: an administrator in a queue who held one
could open the report with their own private key (the re-screening command
does exactly that), whatever the console shows them. Re-screening's share
is in test_rescreen.py, the console's (grant, re-route, role change) in
tests/console/test_case_roles_only.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import ReportKey
from reporting.cases.access import IneligibleHolder, user_wrap
from reporting.core.models import AuditEntry, HolderKind, Report, Role, TriageState, User, Wrap
from reporting.pipeline.worker import run_worker
from tests.triage.worker.support import add_user, fixed_triage, make_instance, submit, tip_body


@pytest.fixture
def instance(engine):
    return make_instance(engine)


def user_holders(engine, report_id: int) -> set[int]:
    with Session(engine) as session:
        return set(
            session.scalars(
                select(Wrap.user_id).where(
                    Wrap.report_id == report_id, Wrap.holder_kind == HolderKind.USER
                )
            )
        )


def triage_one(instance) -> int:
    with Session(instance.engine) as session:
        report_id = submit(session, instance, tip_body()).id
        session.commit()
    stats = run_worker(
        instance.engine, intake_key=instance.intake_key, triage=fixed_triage(), name="w", once=True
    )
    assert stats.triaged == [report_id]
    return report_id


def test_triage_passes_over_an_admin_in_the_queue(instance):
    ada = add_user(instance, "ada", "Ada Admin", ("export-control",), role=Role.ADMIN)
    erin = add_user(instance, "erin", "Erin Export", ("export-control",))
    report_id = triage_one(instance)
    assert user_holders(instance.engine, report_id) == {erin}
    with Session(instance.engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.triage")
        ).one()
    # Passed over as a role that holds no case, not kept away by a conflict.
    assert entry.details["granted_user_ids"] == [erin]
    assert entry.details["excluded"] == 0
    assert ada not in user_holders(instance.engine, report_id)


def test_a_queue_of_admins_only_goes_to_the_supervisors(instance):
    add_user(instance, "ada", "Ada Admin", ("export-control",), role=Role.ADMIN)
    sam = add_user(instance, "sam", "Sam Supervisor", role=Role.SUPERVISOR)
    report_id = triage_one(instance)
    assert user_holders(instance.engine, report_id) == {sam}


def test_with_nobody_but_an_admin_the_report_waits_with_its_intake_wrap(instance):
    add_user(instance, "ada", "Ada Admin", ("export-control",), role=Role.ADMIN)
    with Session(instance.engine) as session:
        report_id = submit(session, instance, tip_body()).id
        session.commit()
    stats = run_worker(
        instance.engine, intake_key=instance.intake_key, triage=fixed_triage(), name="w", once=True
    )
    assert stats.deferred == [report_id]
    with Session(instance.engine) as session:
        report = session.get_one(Report, report_id)
        assert report.triage_state is TriageState.CLAIMED
        assert {wrap.holder_kind for wrap in report.wraps} == {
            HolderKind.INTAKE,
            HolderKind.REPORTER,
        }


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR])
def test_the_one_function_that_makes_a_wrap_refuses_other_roles(instance, role):
    erin = add_user(instance, "erin", "Erin Export", ("export-control",))
    other = add_user(instance, "other", "Other", role=role)
    report_id = triage_one(instance)
    key = ReportKey.generate()
    with Session(instance.engine) as session:
        with pytest.raises(IneligibleHolder):
            user_wrap(
                session,
                report_id,
                key,
                other,
                hour=session.get_one(Report, report_id).received_hour,
            )
        session.rollback()
        # And a deactivated investigator.
        session.get_one(User, erin).is_active = False
        session.flush()
        with pytest.raises(IneligibleHolder):
            user_wrap(
                session, report_id, key, erin, hour=session.get_one(Report, report_id).received_hour
            )
