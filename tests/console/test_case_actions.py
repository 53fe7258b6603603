"""Case actions: the status workflow, re-routing, access, triage override, related cases.

Through the console as a user drives it (signed-in clients, CSRF tokens from
the pages), checking what the user sees and what the database then holds:
wraps that really open the report key, a NOTE under the report key, the
audit entries, and nothing changed by a refused action.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from crypto import RecordKind, open_record, unlock_private_key, unwrap_report_key
from reporting.cases.access import case_key
from reporting.casework.actions import TRANSITIONS
from reporting.casework.related import related_cases
from reporting.core.models import (
    AuditEntry,
    DeclaredConflict,
    HolderKind,
    Message,
    MessageKind,
    Outcome,
    Queue,
    Report,
    ReportStatus,
    Role,
    User,
    Wrap,
    current_hour,
)
from tests.console.conftest import ConsoleInstance, FiledCase, export_control_tip
from tests.fixtures.app import csrf_token_from

# ---------------------------------------------------------------- helpers


@contextmanager
def db(console: ConsoleInstance) -> Iterator[Session]:
    with console.session_factory() as session:
        yield session


def case_url(filed: FiledCase, action: str = "") -> str:
    return f"/console/cases/{filed.reference}" + (f"/{action}" if action else "")


# Each action's form prefixes its fields (reporting.console.case_action_forms).
FORM_PREFIXES = {
    "status": "status",
    "assignee": "assign",
    "queue": "queue",
    "access": "grant",
    "triage": "triage",
}


def post(client: FlaskClient, url: str, data: dict[str, Any]) -> TestResponse:
    """POST an action's form as the browser does, with the CSRF token of the user's session."""
    token = csrf_token_from(client.get("/console/").get_data(as_text=True))
    prefix = FORM_PREFIXES.get(url.rsplit("/", 1)[-1])
    fields = {"csrf_token": token, **data}
    if prefix is not None:
        fields = {f"{prefix}-{name}": value for name, value in fields.items()}
    return client.post(url, data=fields)


def report_row(console: ConsoleInstance, filed: FiledCase) -> Report:
    with db(console) as session:
        report = session.get_one(Report, filed.report_id)
        session.expunge(report)
        return report


def holder_ids(console: ConsoleInstance, filed: FiledCase) -> set[int]:
    with db(console) as session:
        return {
            user_id
            for user_id in session.scalars(
                select(Wrap.user_id).where(
                    Wrap.report_id == filed.report_id, Wrap.holder_kind == HolderKind.USER
                )
            )
            if user_id is not None
        }


def audit(console: ConsoleInstance, filed: FiledCase, action: str) -> list[AuditEntry]:
    with db(console) as session:
        entries = list(
            session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.target == f"report:{filed.report_id}", AuditEntry.action == action
                )
                .order_by(AuditEntry.seq)
            )
        )
        session.expunge_all()
        return entries


def opens_report_key(console: ConsoleInstance, filed: FiledCase, username: str) -> bool:
    """Whether the user's wrap opens, with their own private key, to the case's report key."""
    enrolment = console.users[username]
    with db(console) as session:
        user = session.get_one(User, enrolment.user_id)
        wrapped = session.scalar(
            select(Wrap.wrapped_key).where(
                Wrap.report_id == filed.report_id, Wrap.user_id == user.id
            )
        )
        assert wrapped is not None, f"{username} holds no wrap"
        private_key = unlock_private_key(user.locked_private_key, enrolment.password)
    key = unwrap_report_key(wrapped, private_key)
    body = open_record(key, RecordKind.BODY, report_row(console, filed).body)
    original = open_record(filed.key, RecordKind.BODY, report_row(console, filed).body)
    return body == original


def set_status(
    console: ConsoleInstance, filed: FiledCase, status: ReportStatus, outcome: Outcome | None
) -> None:
    with db(console) as session:
        report = session.get_one(Report, filed.report_id)
        report.status = status
        report.outcome = outcome
        report.closed_hour = current_hour() if status is ReportStatus.CLOSED else None
        session.commit()


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def case(console: ConsoleInstance) -> FiledCase:
    """A tip triaged into export-control, where Erin works."""
    console.add_user("erin", queues=("export-control",), display_name="Erin Export")
    filed = console.file_report(export_control_tip())
    assert console.triage().triaged == [filed.report_id]
    return filed


# ---------------------------------------------------------------- the panel


def test_the_case_page_shows_the_actions(console: ConsoleInstance, case: FiledCase) -> None:
    page = console.client_for("erin").get(case_url(case))
    assert page.status_code == 200
    html = text_of(page)
    for words in ("Change status", "Move the case", "Who has access", "Override", "Related cases"):
        assert words in html
    assert "Erin Export (investigator)" in html
    # Only where the case may go next is offered.
    assert '<option value="acknowledged">' in html
    # One prefix per form: no id is used twice on the page.
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    # A checkbox marked `required` would have to be ticked: the categories are not.
    assert not re.search(r'type="checkbox"[^>]*required|required[^>]*type="checkbox"', html)
    assert '<option value="closed">' not in html


# ---------------------------------------------------------------- status


def test_the_status_workflow_records_its_hours(console: ConsoleInstance, case: FiledCase) -> None:
    client = console.client_for("erin")
    steps: list[tuple[str, str]] = [
        ("acknowledged", ""),
        ("investigating", ""),
        ("referred", ""),
        ("investigating", ""),
        ("closed", "substantiated"),
    ]
    for status, outcome in steps:
        response = post(client, case_url(case, "status"), {"status": status, "outcome": outcome})
        assert response.status_code == 302, text_of(response)
        assert response.headers["Location"].endswith(case_url(case))
        assert report_row(console, case).status is ReportStatus(status)
        if status == "acknowledged":
            assert report_row(console, case).acknowledged_hour == current_hour()
    report = report_row(console, case)
    assert report.outcome is Outcome.SUBSTANTIATED
    assert report.closed_hour == current_hour()
    assert report.last_investigator_activity_hour == current_hour()
    page = client.get(case_url(case))
    assert "The case is closed. Outcome: Substantiated." in text_of(page)

    # Reopening clears the outcome and the closing hour, keeps the first acknowledgement.
    assert post(client, case_url(case, "status"), {"status": "investigating"}).status_code == 302
    report = report_row(console, case)
    assert report.status is ReportStatus.INVESTIGATING
    assert report.outcome is None
    assert report.closed_hour is None
    assert report.acknowledged_hour == current_hour()

    entries = audit(console, case, "case.status")
    assert [(e.details["from"], e.details["to"]) for e in entries] == [
        ("new", "acknowledged"),
        ("acknowledged", "investigating"),
        ("investigating", "referred"),
        ("referred", "investigating"),
        ("investigating", "closed"),
        ("closed", "investigating"),
    ]
    assert entries[4].details["outcome"] == "substantiated"
    assert all(entry.actor_user_id == console.users["erin"].user_id for entry in entries)


def test_every_transition_outside_the_workflow_is_refused(
    console: ConsoleInstance, case: FiledCase
) -> None:
    client = console.client_for("erin")
    refused = [
        (old, new) for old in ReportStatus for new in ReportStatus if new not in TRANSITIONS[old]
    ]
    assert len(refused) == 18
    for old, new in refused:
        old_outcome = Outcome.DUPLICATE if old is ReportStatus.CLOSED else None
        set_status(console, case, old, old_outcome)
        outcome = "duplicate" if new is ReportStatus.CLOSED else ""
        response = post(client, case_url(case, "status"), {"status": new.value, "outcome": outcome})
        assert response.status_code == 409, (old, new)
        html = text_of(response)
        assert f"cannot become {new.value}" in html or f"already {old.value}" in html, (
            old,
            new,
            html,
        )
        report = report_row(console, case)
        assert (report.status, report.outcome) == (old, old_outcome)
    assert audit(console, case, "case.status") == []
    assert report_row(console, case).acknowledged_hour is None


def test_closing_needs_an_outcome_and_only_closing_takes_one(
    console: ConsoleInstance, case: FiledCase
) -> None:
    client = console.client_for("erin")
    set_status(console, case, ReportStatus.INVESTIGATING, None)
    response = post(client, case_url(case, "status"), {"status": "closed", "outcome": ""})
    assert response.status_code == 400
    assert "Choose an outcome to close the case." in text_of(response)
    response = post(
        client, case_url(case, "status"), {"status": "referred", "outcome": "duplicate"}
    )
    assert response.status_code == 400
    assert "only when closing" in text_of(response)
    response = post(client, case_url(case, "status"), {"status": "closed", "outcome": "maybe"})
    assert response.status_code == 400
    response = post(client, case_url(case, "status"), {"status": "finished"})
    assert response.status_code == 400
    report = report_row(console, case)
    assert (report.status, report.outcome, report.closed_hour) == (
        ReportStatus.INVESTIGATING,
        None,
        None,
    )
    assert audit(console, case, "case.status") == []


# ---------------------------------------------------------------- re-routing


def test_rerouting_seals_the_key_to_the_new_queue_less_the_conflicted(
    console: ConsoleInstance,
) -> None:
    console.add_user("erin", queues=("export-control",))
    filed = console.file_report(export_control_tip(conflicts=["Solveig Hansen"]))
    console.triage()
    sam = console.add_user("sam", queues=("sanctions",), display_name="Sam Sanctions")
    sol = console.add_user("sol", queues=("sanctions",), display_name="Solveig Hansen")
    dan = console.add_user("dan", queues=("sanctions",), display_name="Dan Declared")
    admin = console.add_user("ada", role=Role.ADMIN, queues=("sanctions",))
    with db(console) as session:
        session.add(DeclaredConflict(user_id=dan.user_id, name="Nordlicht Werkstoffe"))
        session.commit()

    response = post(console.client_for("erin"), case_url(filed, "queue"), {"queue": "sanctions"})
    assert response.status_code == 302, text_of(response)

    erin_id = console.users["erin"].user_id
    assert holder_ids(console, filed) == {erin_id, sam.user_id}
    assert opens_report_key(console, filed, "sam")
    assert opens_report_key(console, filed, "erin")
    with db(console) as session:
        queue = session.get_one(Queue, report_row(console, filed).queue_id)
        assert queue.slug == "sanctions"
    (entry,) = audit(console, filed, "case.reroute")
    assert entry.details == {
        "from_queue": "export-control",
        "to_queue": "sanctions",
        "granted_user_ids": [sam.user_id],
        "revoked_user_ids": [],
        "excluded": 2,
    }
    assert sol.user_id not in holder_ids(console, filed)
    assert dan.user_id not in holder_ids(console, filed)
    assert admin.user_id not in holder_ids(console, filed)
    # The new member reads it; the conflicted one is refused.
    assert console.client_for("sam").get(case_url(filed)).status_code == 200
    assert console.client_for("sol").get(case_url(filed)).status_code == 403


def test_rerouting_can_remove_the_old_queue(console: ConsoleInstance, case: FiledCase) -> None:
    ed = console.add_user("ed", queues=("export-control",))
    # Ed arrived after triage: a supervisor-free way to have him hold the case.
    assert (
        post(
            console.client_for("erin"), case_url(case, "access"), {"user_id": ed.user_id}
        ).status_code
        == 302
    )
    sam = console.add_user("sam", queues=("sanctions",))
    response = post(
        console.client_for("erin"),
        case_url(case, "queue"),
        {"queue": "sanctions", "revoke_previous": "y"},
    )
    assert response.status_code == 302, text_of(response)
    assert holder_ids(console, case) == {console.users["erin"].user_id, sam.user_id}
    (entry,) = audit(console, case, "case.reroute")
    assert entry.details["revoked_user_ids"] == [ed.user_id]
    assert console.client_for("ed").get(case_url(case)).status_code == 403


def test_rerouting_is_refused_to_the_same_queue_an_unknown_or_an_empty_one(
    console: ConsoleInstance, case: FiledCase
) -> None:
    client = console.client_for("erin")
    same = post(client, case_url(case, "queue"), {"queue": "export-control"})
    assert same.status_code == 409
    assert "already in" in text_of(same)
    unknown = post(client, case_url(case, "queue"), {"queue": "nowhere"})
    assert unknown.status_code == 400
    empty = post(client, case_url(case, "queue"), {"queue": "financial-intelligence"})
    assert empty.status_code == 409
    assert "Nobody in" in text_of(empty)
    with db(console) as session:
        queue = session.get_one(Queue, report_row(console, case).queue_id)
        assert queue.slug == "export-control"
    assert holder_ids(console, case) == {console.users["erin"].user_id}
    assert audit(console, case, "case.reroute") == []


# ---------------------------------------------------------------- access


def test_grant_then_revoke(console: ConsoleInstance, case: FiledCase) -> None:
    fay = console.add_user("fay", queues=("export-control",), display_name="Fay Field")
    erin = console.client_for("erin")
    assert console.client_for("fay").get(case_url(case)).status_code == 403

    granted = post(erin, case_url(case, "access"), {"user_id": fay.user_id})
    assert granted.status_code == 302
    assert "Fay Field now has access" in text_of(erin.get(case_url(case)))
    assert opens_report_key(console, case, "fay")
    assert console.client_for("fay").get(case_url(case)).status_code == 200

    revoked = post(erin, case_url(case, f"access/{fay.user_id}/revoke"), {})
    assert revoked.status_code == 302
    assert fay.user_id not in holder_ids(console, case)
    assert console.client_for("fay").get(case_url(case)).status_code == 403

    assert [e.details for e in audit(console, case, "case.grant")] == [{"user_id": fay.user_id}]
    assert [e.details for e in audit(console, case, "case.revoke")] == [{"user_id": fay.user_id}]


def test_removing_your_own_access_says_so_on_the_dashboard(
    console: ConsoleInstance, case: FiledCase
) -> None:
    fay = console.add_user("fay", queues=("export-control",))
    erin = console.client_for("erin")
    assert post(erin, case_url(case, "access"), {"user_id": fay.user_id}).status_code == 302
    erin_id = console.users["erin"].user_id
    left = post(erin, case_url(case, f"access/{erin_id}/revoke"), {})
    assert left.status_code == 302
    assert left.headers["Location"].endswith("/console/")
    dashboard = text_of(erin.get("/console/"))
    assert f"Your access to case {case.reference} was removed." in dashboard
    assert holder_ids(console, case) == {fay.user_id}
    assert erin.get(case_url(case)).status_code == 403


def test_grants_that_are_refused(console: ConsoleInstance) -> None:
    console.add_user("erin", queues=("export-control",))
    filed = console.file_report(export_control_tip(conflicts=["Carl Conflicted"]))
    console.triage()
    other_queue = console.add_user("sam", queues=("sanctions",))
    admin = console.add_user("ada", role=Role.ADMIN, queues=("export-control",))
    auditor = console.add_user("aud", role=Role.AUDITOR, queues=("export-control",))
    named = console.add_user("carl", queues=("export-control",), display_name="Carl Conflicted")
    declared = console.add_user("dora", queues=("export-control",))
    inactive = console.add_user("ivo", queues=("export-control",))
    with db(console) as session:
        session.add(DeclaredConflict(user_id=declared.user_id, name="Nordlicht Werkstoffe GmbH"))
        session.get_one(User, inactive.user_id).is_active = False
        session.commit()
    erin = console.client_for("erin")
    before = holder_ids(console, filed)

    cases = [
        (other_queue.user_id, 403, "only to members of the case"),
        (admin.user_id, 403, "Only investigators and supervisors"),
        (auditor.user_id, 403, "Only investigators and supervisors"),
        (named.user_id, 403, "conflict of interest"),
        (declared.user_id, 403, "conflict of interest"),
        (inactive.user_id, 403, "deactivated"),
        (console.users["erin"].user_id, 409, "already has access"),
        (99999, 400, "no such user"),
    ]
    for user_id, status, words in cases:
        response = post(erin, case_url(filed, "access"), {"user_id": user_id})
        assert response.status_code == status, (user_id, text_of(response))
        assert words in text_of(response)
    assert holder_ids(console, filed) == before
    assert audit(console, filed, "case.grant") == []

    # The grant form offers nobody it would refuse.
    page = text_of(erin.get(case_url(filed)))
    for username in ("Sam", "Ada", "Aud", "Carl Conflicted", "Dora", "Ivo"):
        assert f"{username} (" not in page


def test_a_supervisor_may_grant_beyond_the_queue(console: ConsoleInstance, case: FiledCase) -> None:
    # Sue supervises the export-control queue but joined it after triage.
    sue = console.add_user("sue", role=Role.SUPERVISOR, queues=("export-control",))
    sam = console.add_user("sam", queues=("sanctions",))
    erin = console.client_for("erin")
    assert post(erin, case_url(case, "access"), {"user_id": sue.user_id}).status_code == 302
    response = post(console.client_for("sue"), case_url(case, "access"), {"user_id": sam.user_id})
    assert response.status_code == 302, text_of(response)
    assert opens_report_key(console, case, "sam")


def test_revocations_that_are_refused(console: ConsoleInstance, case: FiledCase) -> None:
    erin_id = console.users["erin"].user_id
    erin = console.client_for("erin")
    last = post(erin, case_url(case, f"access/{erin_id}/revoke"), {})
    assert last.status_code == 409
    assert "last investigator" in text_of(last)
    stranger = console.add_user("sam", queues=("sanctions",))
    none = post(erin, case_url(case, f"access/{stranger.user_id}/revoke"), {})
    assert none.status_code == 409
    assert holder_ids(console, case) == {erin_id}
    assert audit(console, case, "case.revoke") == []

    # With another holder, Erin may step away; then the case is closed to her.
    fay = console.add_user("fay", queues=("export-control",))
    assert post(erin, case_url(case, "access"), {"user_id": fay.user_id}).status_code == 302
    own = post(erin, case_url(case, f"access/{erin_id}/revoke"), {})
    assert own.status_code == 302
    assert own.headers["Location"].endswith("/console/")
    assert holder_ids(console, case) == {fay.user_id}
    assert erin.get(case_url(case)).status_code == 403


# ---------------------------------------------------------------- triage override


def test_override_replaces_the_metadata_and_keeps_the_reason_encrypted(
    console: ConsoleInstance, case: FiledCase
) -> None:
    before = report_row(console, case)
    reason = "The consignee is a known front for a listed shipping company."
    response = post(
        console.client_for("erin"),
        case_url(case, "triage"),
        {"categories": ["sanctions", "diversion"], "priority": "P1", "reason": reason},
    )
    assert response.status_code == 302, text_of(response)
    report = report_row(console, case)
    assert report.categories == ["sanctions", "diversion"]
    assert report.priority is not None
    assert report.priority.value == "P1"
    assert report.triage_overridden

    with db(console) as session:
        (note,) = session.scalars(select(Message).where(Message.report_id == case.report_id))
        assert note.kind is MessageKind.NOTE
        assert note.author_user_id == console.users["erin"].user_id
        assert reason.encode() not in note.ciphertext
        content = open_record(case.key, RecordKind.NOTE, note.ciphertext)
    assert isinstance(content, dict)
    assert content["author"] == "investigator"
    assert reason in content["text"]

    (entry,) = audit(console, case, "case.override")
    assert entry.details == {
        "from": {
            "categories": before.categories,
            "priority": before.priority.value if before.priority else None,
        },
        "to": {"categories": ["sanctions", "diversion"], "priority": "P1"},
        "note": note.id,
    }
    assert reason not in str(entry.details)
    # The case page shows the reason as a note, decrypted for the reader.
    assert reason in text_of(console.client_for("erin").get(case_url(case)))


def test_overrides_that_are_refused(console: ConsoleInstance, case: FiledCase) -> None:
    before = report_row(console, case)
    erin = console.client_for("erin")
    bad = [
        ({"categories": ["smuggling"], "priority": "P1", "reason": "x"}, 400),
        ({"categories": [], "priority": "P1", "reason": "x"}, 400),
        ({"categories": ["sanctions"], "priority": "P0", "reason": "x"}, 400),
        ({"categories": ["sanctions"], "priority": "P1", "reason": "   "}, 400),
        ({"categories": ["sanctions"], "priority": "P1", "reason": "x" * 2001}, 400),
    ]
    for data, status in bad:
        assert post(erin, case_url(case, "triage"), data).status_code == status, data
    report = report_row(console, case)
    assert (report.categories, report.priority, report.triage_overridden) == (
        before.categories,
        before.priority,
        False,
    )
    with db(console) as session:
        assert session.scalars(select(Message)).all() == []
    assert audit(console, case, "case.override") == []


# ---------------------------------------------------------------- related cases


def test_related_cases_share_a_party_or_a_vessel(console: ConsoleInstance) -> None:
    console.add_user("erin", queues=("export-control",))
    first = console.file_report(export_control_tip())
    # The same company, spelt differently: normalised as screening does.
    same_party = console.file_report(
        export_control_tip(parties=[{"name": "NORDLICHT WERKSTOFFE, GmbH", "country": "DE"}])
    )
    unrelated = console.file_report(
        export_control_tip(parties=[{"name": "Baltic Forge Ltd", "country": "LV"}])
    )
    console.triage()

    page = text_of(console.client_for("erin").get(case_url(first)))
    assert case_url(same_party) in page
    assert "party: Nordlicht Werkstoffe GmbH" in page
    assert case_url(unrelated) not in page
    entries = audit(console, first, "case.related")
    assert entries
    assert entries[-1].details == {"examined": 2, "limit_reached": False}


def test_related_cases_stop_at_the_bound(console: ConsoleInstance) -> None:
    # Wherever the rules send these, Erin works both queues.
    enrolment = console.add_user("erin", queues=("export-control", "sanctions"))
    vessel = "The cargo left on the MV Polar Star, IMO 9074729, bound for Dalian."
    filed = [
        console.file_report(
            export_control_tip(
                what_happened=vessel, parties=[{"name": f"Party {n} Trading", "country": "DE"}]
            )
        )
        for n in range(3)
    ]
    console.triage()
    with db(console) as session:
        user = session.get_one(User, enrolment.user_id)
        private_key = unlock_private_key(user.locked_private_key, enrolment.password)
        report = session.get_one(Report, filed[0].report_id)
        key = case_key(session, report, user, private_key)
        everything = related_cases(session, report, key, user, private_key, limit=500)
        bounded = related_cases(session, report, key, user, private_key, limit=1)
    assert {case.reference for case in everything.cases} == {f.reference for f in filed[1:]}
    assert all(case.shared == ("vessel: IMO 9074729",) for case in everything.cases)
    assert not everything.limit_reached
    # The most recent case only, and the page would say so.
    assert [case.reference for case in bounded.cases] == [filed[2].reference]
    assert bounded.limit_reached
    assert bounded.examined == 1


# ---------------------------------------------------------------- who may act at all


ACTIONS: list[tuple[str, dict[str, Any]]] = [
    ("status", {"status": "acknowledged"}),
    ("queue", {"queue": "sanctions"}),
    ("access", {"user_id": 1}),
    ("access/1/revoke", {}),
    ("triage", {"categories": ["sanctions"], "priority": "P1", "reason": "because"}),
]


@pytest.mark.parametrize(
    ("username", "role", "queues"),
    [
        ("sam", Role.INVESTIGATOR, ("sanctions",)),
        ("sue", Role.SUPERVISOR, ()),
        ("ada", Role.ADMIN, ("export-control",)),
        ("aud", Role.AUDITOR, ("export-control",)),
    ],
)
def test_no_action_without_a_wrap_or_by_an_admin_or_auditor(
    console: ConsoleInstance,
    case: FiledCase,
    username: str,
    role: Role,
    queues: tuple[str, ...],
) -> None:
    console.add_user(username, role=role, queues=queues)
    if role in (Role.ADMIN, Role.AUDITOR):
        # Even holding a wrap (a queue member triaged in) does not let them act.
        with db(console) as session:
            erin_wrap = session.scalars(
                select(Wrap).where(Wrap.report_id == case.report_id, Wrap.user_id.is_not(None))
            ).first()
            assert erin_wrap is not None
            session.add(
                Wrap(
                    report_id=case.report_id,
                    holder_kind=HolderKind.USER,
                    user_id=console.users[username].user_id,
                    wrapped_key=erin_wrap.wrapped_key,  # the bytes do not matter here
                    created_hour=current_hour(),
                )
            )
            session.commit()
    client = console.client_for(username)
    before = report_row(console, case)
    holders = holder_ids(console, case)
    for action, data in ACTIONS:
        response = post(client, case_url(case, action), data)
        assert response.status_code == 403, (username, action, text_of(response))
    after = report_row(console, case)
    assert (after.status, after.queue_id, after.categories, after.priority) == (
        before.status,
        before.queue_id,
        before.categories,
        before.priority,
    )
    assert holder_ids(console, case) == holders
    with db(console) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("case.%"))
        ).all()
    assert [a for a in actions if a not in ("case.open", "case.related")] == []


def test_actions_need_the_csrf_token(console: ConsoleInstance, case: FiledCase) -> None:
    client = console.client_for("erin")
    response = client.post(case_url(case, "status"), data={"status-status": "acknowledged"})
    assert response.status_code == 400
    assert report_row(console, case).status is ReportStatus.NEW
