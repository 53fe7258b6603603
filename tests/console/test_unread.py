"""Unread markers: a case is unread for each user until they open it, and again once
the reporter comes back."""

from __future__ import annotations

from crypto import RecordKind, seal_record
from reporting.core.models import Report
from reporting.intake.followup import add_message
from tests.console.conftest import ConsoleInstance, FiledCase
from tests.console.test_case_actions import case, case_url, post, text_of  # noqa: F401


def _row(console: ConsoleInstance, username: str, filed: FiledCase) -> str:
    page = text_of(console.client_for(username).get("/console/cases"))
    start = page.index(f'data-reference="{filed.reference}"')
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def test_each_user_has_their_own_unread_marker(
    console: ConsoleInstance,
    case: FiledCase,  # noqa: F811
) -> None:
    console.add_user("eve", queues=("export-control",), display_name="Eve Export")
    # Eve joined after triage: give her the case as a colleague would.
    erin = console.client_for("erin")
    granted = post(erin, case_url(case, "access"), {"user_id": console.users["eve"].user_id})
    assert granted.status_code == 302
    assert 'class="case-row unread"' in _row(console, "erin", case)
    assert "Not opened yet" in _row(console, "erin", case)

    assert erin.get(case_url(case)).status_code == 200
    assert "unread" not in _row(console, "erin", case)
    assert "Not opened yet" in _row(console, "eve", case)  # Eve has not opened it

    # The reporter answers: new for Erin again, and still unopened for Eve.
    with console.session_factory() as session:
        report = session.get_one(Report, case.report_id)
        record = seal_record(
            case.key, RecordKind.MESSAGE, {"format": 1, "author": "reporter", "text": "More."}
        )
        add_message(session, console.app.extensions["vigil"].uploads, report, record, [])
    assert "New from the reporter" in _row(console, "erin", case)
    assert "Not opened yet" in _row(console, "eve", case)
    erin.get(case_url(case))
    assert "unread" not in _row(console, "erin", case)
