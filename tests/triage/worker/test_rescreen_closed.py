"""A closed case is not re-screened when a new list version arrives; reopened, it is due again.

Uses the case of test_rescreen.py: a report triaged with no list, then a
small UN list naming its consignee imported.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from reporting.core.models import Outcome, Report, ReportStatus, User
from reporting.pipeline.rescreen import is_due, reports_due
from reporting.pipeline.rescreen_held import rescreen_for_user
from reporting.pipeline.screening_lists import load_current_screener
from tests.triage.worker.test_rescreen import (  # noqa: F401 (fixtures)
    case,
    rescreen_as,
    snapshot,
    un_list_file,
)


def set_status(target, status: ReportStatus, outcome: Outcome | None) -> None:
    with Session(target.engine) as session:
        session.execute(
            update(Report)
            .where(Report.id == target.report_id)
            .values(status=status, outcome=outcome)
        )
        session.commit()


def test_a_closed_case_is_not_due_and_not_rescreened(case):  # noqa: F811
    set_status(case, ReportStatus.CLOSED, Outcome.NOT_SUBSTANTIATED)
    before = snapshot(case)
    with Session(case.engine) as session:
        assert reports_due(session) == []
        assert not is_due(session, session.get_one(Report, case.report_id))

    # Asked directly (the console, a script), re-screening leaves it as it was.
    outcome = rescreen_as(case, "erin")
    assert not outcome.changed
    assert (outcome.old_queue, outcome.new_queue) == ("export-control", "export-control")
    # An investigator's run over all their cases counts it nowhere.
    with Session(case.engine) as session:
        erin = session.get_one(User, case.erin)
        summary = rescreen_for_user(
            session,
            erin,
            case.instance.user_key("erin"),
            screener=load_current_screener(session),
        )
    assert (summary.due, summary.rescreened, summary.no_wrap) == (0, 0, [])
    assert snapshot(case) == before


def test_a_reopened_case_is_due_again(case):  # noqa: F811
    set_status(case, ReportStatus.CLOSED, Outcome.NOT_SUBSTANTIATED)
    set_status(case, ReportStatus.INVESTIGATING, None)
    with Session(case.engine) as session:
        assert reports_due(session) == [case.report_id]
    outcome = rescreen_as(case, "erin")
    assert outcome.changed
    assert (outcome.old_priority, outcome.new_priority) == ("P4", "P1")
