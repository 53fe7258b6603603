"""Input the database cannot take is refused as input, and a failed request leaves no trace.

PostgreSQL cannot store or compare a NUL character (SQLite can), so without
a guard a NUL in a reference, a filter or a user name was a 500 on one
backend only. And an unexpected error must not leave the request's
transaction unusable for the error page.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from reporting.core.models import Report, Role
from reporting.web.context import request_session
from tests.console.conftest import ConsoleInstance, console, export_control_tip
from tests.fixtures.app import csrf_token_from

__all__ = ["console"]

NUL_MESSAGE = "contains a NUL character"


@pytest.mark.parametrize(
    "path",
    [
        "/console/cases/%00",
        "/console/cases/VGL-0000%0000",
        "/console/audit?actor=a%00b",
        "/console/audit?action=report%00",
        "/console/cases?q%00=1",
        "/console/audit?action=report&action=a%00",
    ],
)
def test_a_nul_in_a_console_address_is_refused_with_a_message(
    console: ConsoleInstance, path: str
) -> None:
    console.add_user("audrey", role=Role.AUDITOR)
    response = console.client_for("audrey").get(path)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_a_nul_in_a_typed_user_name_is_refused_with_a_message(console: ConsoleInstance) -> None:
    client = console.app.test_client()
    page = client.get("/console/sign-in").get_data(as_text=True)
    response = client.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_token_from(page),
            "username": "adm\x00in",
            "password": "x",
            "code": "123456",
        },
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_a_nul_in_a_public_form_is_refused_and_nothing_is_stored(
    console: ConsoleInstance,
) -> None:
    client = console.app.test_client()
    page = client.get("/tip").get_data(as_text=True)
    response = client.post(
        "/tip", data={"csrf_token": csrf_token_from(page), "what_happened": "lathes\x00 east"}
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    with console.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0


def test_an_unexpected_error_is_undone_and_still_answered_with_a_page(
    console: ConsoleInstance,
) -> None:
    @console.app.get("/console/test-failure")
    def failure() -> str:
        session = request_session()
        session.execute(text("UPDATE reports SET status = 'closed'"))
        session.execute(text("SELECT no_such_column FROM reports"))
        return "unreachable"

    console.add_user("erin", queues=("export-control",))
    filed = console.file_report(export_control_tip())
    console.triage()
    client = console.client_for("erin")

    response = client.get("/console/test-failure")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    # The request's session is usable again at once: the same client goes on.
    assert client.get(f"/console/cases/{filed.reference}").status_code == 200
    with console.session_factory() as session:
        statuses = set(session.scalars(text("SELECT status FROM reports")))
    assert "closed" not in statuses
