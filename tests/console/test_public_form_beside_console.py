"""The public site and the console in one browser: neither spoils the other's forms."""

from __future__ import annotations

from sqlalchemy import func, select

from reporting.core.models import Report, Role
from tests.console.conftest import ConsoleInstance
from tests.fixtures.app import csrf_token_from


def report_count(console: ConsoleInstance) -> int:
    with console.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Report)) or 0


def test_a_tip_form_opened_before_the_console_is_still_accepted(console: ConsoleInstance) -> None:
    console.add_user("erin", role=Role.INVESTIGATOR, queues=("export-control",))
    client = console.app.test_client()
    token = csrf_token_from(client.get("/tip").get_data(as_text=True))

    # A console page while signed out (redirected to sign-in), then sign-in,
    # the dashboard and sign-out, all in the same browser.
    assert client.get("/console/").status_code == 302
    assert client.get("/console/sign-in").status_code == 200
    console.sign_in(client, "erin")
    home = client.get("/console/")
    assert home.status_code == 200
    sign_out = client.post(
        "/console/sign-out", data={"csrf_token": csrf_token_from(home.get_data(as_text=True))}
    )
    assert sign_out.status_code == 302

    response = client.post(
        "/tip",
        data={"csrf_token": token, "what_happened": "Valves shipped to a front company."},
        follow_redirects=True,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "receipt" in response.get_data(as_text=True)
    assert report_count(console) == 1


def test_signing_in_still_replaces_the_consoles_cookie(console: ConsoleInstance) -> None:
    # Protection against session fixation stays: the console's CSRF token from
    # before sign-in is no longer accepted after it.
    console.add_user("erin", role=Role.INVESTIGATOR, queues=("export-control",))
    client = console.app.test_client()
    before = csrf_token_from(client.get("/console/sign-in").get_data(as_text=True))
    console.sign_in(client, "erin")
    assert client.get("/console/").status_code == 200
    response = client.post("/console/sign-out", data={"csrf_token": before})
    assert response.status_code == 400
    assert client.get("/console/").status_code == 200
