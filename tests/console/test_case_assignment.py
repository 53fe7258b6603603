"""Assigning a case to the person who works it: one of its holders, or nobody."""

from __future__ import annotations

from tests.console.conftest import ConsoleInstance, FiledCase
from tests.console.test_case_actions import (
    audit,
    case,  # noqa: F401 - the fixture
    case_url,
    post,
    report_row,
    text_of,
)


def _listed(client, **filters: str) -> str:
    return text_of(client.get("/console/cases", query_string=filters))


def test_a_holder_takes_the_case_and_the_lists_follow(
    console: ConsoleInstance,
    case: FiledCase,  # noqa: F811
) -> None:
    erin = console.client_for("erin")
    erin_id = console.users["erin"].user_id
    assert case.reference in _listed(erin, assigned="nobody")
    assert case.reference not in _listed(erin, assigned="me")
    page = text_of(erin.get(case_url(case)))
    assert "Assign to me" in page

    taken = post(erin, case_url(case, "assignee"), {"assignee": str(erin_id)})
    assert taken.status_code == 302
    page = text_of(erin.get(case_url(case)))
    assert "The case is assigned to Erin Export." in page
    assert '<dd class="assignee">Erin Export (you)</dd>' in page
    assert "Assign to me" not in page
    assert case.reference in _listed(erin, assigned="me")
    assert case.reference not in _listed(erin, assigned="nobody")
    assert '<td class="assignee">Erin Export</td>' in _listed(erin)

    again = post(erin, case_url(case, "assignee"), {"assignee": str(erin_id)})
    assert again.status_code == 409
    assert "already assigned to Erin Export" in text_of(again)
    released = post(erin, case_url(case, "assignee"), {"assignee": ""})
    assert released.status_code == 302
    assert report_row(console, case).assignee_id is None
    assert [entry.details for entry in audit(console, case, "case.assign")] == [
        {"user_id": erin_id},
        {"user_id": None},
    ]


def test_only_someone_with_access_can_be_assigned_and_losing_it_ends_the_assignment(
    console: ConsoleInstance,
    case: FiledCase,  # noqa: F811
) -> None:
    fay = console.add_user("fay", queues=("export-control",), display_name="Fay Field")
    erin = console.client_for("erin")
    refused = post(erin, case_url(case, "assignee"), {"assignee": str(fay.user_id)})
    assert refused.status_code == 409
    html = text_of(refused)
    assert "give them access first" in html
    assert html.index("give them access first") > html.index('id="action-assign"')
    for bad in ("abc", "99999"):
        assert post(erin, case_url(case, "assignee"), {"assignee": bad}).status_code in {400, 409}
    assert report_row(console, case).assignee_id is None

    assert post(erin, case_url(case, "access"), {"user_id": fay.user_id}).status_code == 302
    assert post(erin, case_url(case, "assignee"), {"assignee": str(fay.user_id)}).status_code == 302
    assert report_row(console, case).assignee_id == fay.user_id
    # Fay loses access: she no longer works the case either.
    revoked = post(erin, case_url(case, f"access/{fay.user_id}/revoke"), {})
    assert revoked.status_code == 302
    assert report_row(console, case).assignee_id is None


def test_someone_who_does_not_hold_the_case_cannot_assign_it(
    console: ConsoleInstance,
    case: FiledCase,  # noqa: F811
) -> None:
    sol = console.add_user("sol", queues=("sanctions",), display_name="Sol Sanctions")
    response = post(
        console.client_for("sol"), case_url(case, "assignee"), {"assignee": str(sol.user_id)}
    )
    assert response.status_code == 403
    assert report_row(console, case).assignee_id is None
