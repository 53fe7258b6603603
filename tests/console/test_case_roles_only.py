"""Only investigators and supervisors hold cases: grants, re-routing and role changes.

Triage and re-screening are covered in tests/triage/worker/test_case_roles_only.py
and test_rescreen.py.
"""

from __future__ import annotations

from sqlalchemy import select

from reporting.core.models import AuditEntry, Queue, Role
from tests.console.conftest import ConsoleInstance, FiledCase, export_control_tip
from tests.console.test_admin import _post
from tests.console.test_case_actions import case_url, holder_ids, post, report_row, text_of


def file_case(console: ConsoleInstance) -> FiledCase:
    console.add_user("erin", queues=("export-control",), display_name="Erin Export")
    filed = console.file_report(export_control_tip())
    assert console.triage().triaged == [filed.report_id]
    return filed


def change_role(console: ConsoleInstance, username: str, role: str):
    admin = console.client_for("ada")
    url = f"/console/admin/users/{console.users[username].user_id}"
    return admin, _post(admin, url, f"{url}/role", {"role": role})


def test_rerouting_to_a_queue_whose_only_member_is_an_admin_is_refused(
    console: ConsoleInstance,
) -> None:
    filed = file_case(console)
    ada = console.add_user("ada", role=Role.ADMIN, queues=("sanctions",))
    response = post(console.client_for("erin"), case_url(filed, "queue"), {"queue": "sanctions"})
    assert response.status_code == 409
    assert "Nobody in Sanctions may receive this case" in text_of(response)
    assert ada.user_id not in holder_ids(console, filed)
    with console.session_factory() as session:
        assert session.get_one(Queue, report_row(console, filed).queue_id).slug == "export-control"


def test_a_grant_to_an_admin_is_refused(console: ConsoleInstance) -> None:
    filed = file_case(console)
    ada = console.add_user("ada", role=Role.ADMIN, queues=("export-control",))
    response = post(console.client_for("erin"), case_url(filed, "access"), {"user_id": ada.user_id})
    assert response.status_code == 403
    assert "Only investigators and supervisors can be given access" in text_of(response)
    assert ada.user_id not in holder_ids(console, filed)


def test_an_investigator_made_admin_gives_up_their_cases(console: ConsoleInstance) -> None:
    filed = file_case(console)
    console.add_user("ada", role=Role.ADMIN)
    fay = console.add_user("fay", queues=("export-control",), display_name="Fay Field")
    assert post(console.client_for("erin"), case_url(filed, "access"), {"user_id": fay.user_id})
    erin_id = console.users["erin"].user_id
    assert holder_ids(console, filed) == {erin_id, fay.user_id}

    admin, response = change_role(console, "erin", "admin")
    assert response.status_code == 302, text_of(response)
    assert "The role is changed." in text_of(admin.get(response.headers["Location"]))
    assert holder_ids(console, filed) == {fay.user_id}
    with console.session_factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "admin.user_role")
        ).one()
    assert entry.details == {"from": "investigator", "to": "admin", "wraps_deleted": 1}

    # Still in the queue, but triage gives an admin nothing.
    second = console.file_report(export_control_tip())
    assert console.triage().triaged == [second.report_id]
    assert erin_id not in holder_ids(console, second)

    # Made an investigator again, they get nothing back: a holder grants anew.
    change_role(console, "erin", "investigator")
    assert console.client_for("erin").get(case_url(filed)).status_code == 403


def test_the_last_holder_of_a_case_cannot_be_made_admin(console: ConsoleInstance) -> None:
    filed = file_case(console)
    console.add_user("ada", role=Role.ADMIN)
    _admin, response = change_role(console, "erin", "admin")
    assert response.status_code == 400
    assert "Erin Export is the only investigator or supervisor holding 1 case" in text_of(response)
    assert holder_ids(console, filed) == {console.users["erin"].user_id}
    assert console.client_for("erin").get(case_url(filed)).status_code == 200
    # A supervisor's role can still change between the case roles.
    _admin, to_supervisor = change_role(console, "erin", "supervisor")
    assert to_supervisor.status_code == 302
    assert holder_ids(console, filed) == {console.users["erin"].user_id}
