"""The case page's forms: a refused form comes back beside its fields, never as a dead end.

What the user typed is kept, the problem is next to the field (or at the top
of the form, for a refusal of the whole action), the page lands on it
(`autofocus`), and nothing is written. An error page in the console keeps
the console's navigation and a way back.
"""

from __future__ import annotations

import re

from reporting.core.models import Message, ReportStatus
from tests.console.conftest import ConsoleInstance, FiledCase
from tests.console.test_case_actions import (
    case,  # noqa: F401 - the fixture
    case_url,
    db,
    post,
    report_row,
    set_status,
    text_of,
)
from tests.fixtures.app import csrf_token_from


def _focused(html: str) -> list[str]:
    """The elements that take the focus when the page loads."""
    return re.findall(r"<[^>]*\bautofocus\b[^>]*>", html)


def test_closing_without_an_outcome_keeps_what_was_typed_beside_the_form(
    console: ConsoleInstance,
    case: FiledCase,  # noqa: F811
) -> None:
    client = console.client_for("erin")
    set_status(console, case, ReportStatus.INVESTIGATING, None)
    told = "We passed it on; thank you."
    response = post(
        client, case_url(case, "status"), {"status": "closed", "outcome": "", "told": told}
    )
    html = text_of(response)
    assert response.status_code == 400
    # The whole case page, not an error page: the summary, the sections, the forms.
    assert f"Case {case.reference}" in html
    assert 'id="reply-form"' in html
    # The refusal at the top of the status form, which takes the focus.
    (focused,) = _focused(html)
    assert 'class="field-error form-problem"' in focused
    problem = html[html.index(focused) :]
    assert problem.split("</p>")[0].endswith("Choose an outcome to close the case.")
    assert html.index(focused) < html.index('id="status-status"')
    # What was chosen and typed is still there.
    assert re.search(r'<option selected value="closed">|<option value="closed" selected', html)
    assert re.search(rf'<textarea[^>]*id="status-told"[^>]*>\s*{re.escape(told)}</textarea>', html)
    assert report_row(console, case).status is ReportStatus.INVESTIGATING
    with db(console) as session:
        assert session.query(Message).count() == 0


def test_an_empty_reply_is_shown_beside_the_reply_field(
    console: ConsoleInstance,
    case: FiledCase,  # noqa: F811
) -> None:
    client = console.client_for("erin")
    page = text_of(client.get(case_url(case)))
    response = client.post(
        case_url(case, "replies"),
        data={"csrf_token": csrf_token_from(page), "reply-text": "   "},
        content_type="multipart/form-data",
    )
    html = text_of(response)
    assert response.status_code == 400
    (focused,) = _focused(html)
    assert 'id="reply-text"' in focused
    assert 'aria-invalid="true"' in focused
    assert 'id="reply-text-error"' in html
    assert "Write the reply first." in html


def test_a_refused_grant_is_shown_above_the_access_list(
    console: ConsoleInstance,
    case: FiledCase,  # noqa: F811
) -> None:
    response = post(
        console.client_for("erin"),
        case_url(case, "access"),
        {"user_id": console.users["erin"].user_id},
    )
    html = text_of(response)
    assert response.status_code == 409
    (focused,) = _focused(html)
    assert "already has access to this case" in html[html.index(focused) :].split("</p>")[0]
    assert html.index(focused) < html.index('id="action-access"') + 2000


def test_console_error_pages_keep_the_navigation_and_a_way_back(
    console: ConsoleInstance,
    case: FiledCase,  # noqa: F811
) -> None:
    client = console.client_for("erin")
    # An expired form on a case: the error names it and leads back to the case
    # (the form is refused before the user is known: no navigation yet).
    expired = client.post(case_url(case, "status"), data={"status-csrf_token": "expired"})
    html = text_of(expired)
    assert expired.status_code == 400
    assert "This form has expired" in html
    assert f'<a href="/console/cases/{case.reference}">Back to case {case.reference}</a>' in html
    # A case that does not exist: back to the console, not to it.
    missing = client.get("/console/cases/VGL-NOSUCH00")
    assert missing.status_code == 404
    assert 'class="console-nav"' in text_of(missing)
    assert '<a href="/console/">Back to the console</a>' in text_of(missing)
