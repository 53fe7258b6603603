"""The case list (/console/cases) and the dashboard: access, filters, sorts, pages, deadlines.

Cases are filed as the public site stores them (real sealed body and wraps),
then given the metadata triage would write and USER wraps sealed to the
chosen holders, so each test controls exactly who holds access and what the
list should show. One test goes through the real triage worker instead.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import Session

from crypto import PublicKey, Receipt, seal_report, wrap_report_key
from reporting.cases.deadlines import (
    DUE_SOON,
    DeadlineState,
    deadline_state,
    next_due_of,
    refresh_next_due,
)
from reporting.casework.actions import change_status
from reporting.core import clock
from reporting.core.db import create_db_engine, downgrade_database, upgrade_database
from reporting.core.models import (
    HolderKind,
    IntakeType,
    Outcome,
    PartKind,
    Priority,
    Queue,
    Report,
    ReportPart,
    ReportStatus,
    Role,
    TriageState,
    User,
    Wrap,
    current_hour,
    json_list_holds,
)
from reporting.intake.followup import add_part
from reporting.intake.submissions import NewReport, create_report
from tests.console.conftest import ConsoleInstance, export_control_tip

ROW = re.compile(r'<tr class="case-row(?: unread)?" data-reference="([^"]+)"')
FAR = timedelta(days=60)


def listed(html: str) -> list[str]:
    """The references of the case rows on a page, in order."""
    return ROW.findall(html)


@dataclass(frozen=True)
class Case:
    report_id: int
    reference: str


def make_case(
    console: ConsoleInstance,
    queue: str,
    holders: tuple[str, ...],
    *,
    priority: Priority = Priority.P3,
    status: ReportStatus = ReportStatus.INVESTIGATING,
    categories: tuple[str, ...] = ("export_control",),
    domains: tuple[str, ...] = (),
    intake_type: IntakeType = IntakeType.TIP,
    hours_ago: int = 2,
    ack_due: timedelta | None = FAR,
    feedback_due: timedelta | None = FAR,
    narrative_due: timedelta | None = None,
    acknowledged: bool = True,
    closed: bool = False,
) -> Case:
    """A triaged case in `queue` that the users `holders` hold wraps for.

    Deadlines are given relative to now (negative: passed); None leaves one unset.
    """
    filed = console.file_report(export_control_tip(), intake_type=intake_type, hours_ago=hours_ago)
    now = clock.now()
    hour = current_hour()
    with console.session_factory() as session:
        queue_id = session.scalars(select(Queue.id).where(Queue.slug == queue)).one()
        session.execute(
            update(Report)
            .where(Report.id == filed.report_id)
            .values(
                triage_state=TriageState.DONE,
                queue_id=queue_id,
                priority=priority,
                status=status,
                categories=list(categories),
                domains=list(domains),
                ack_due=now + ack_due if ack_due is not None else None,
                feedback_due=now + feedback_due if feedback_due is not None else None,
                narrative_due=now + narrative_due if narrative_due is not None else None,
                acknowledged_hour=hour if acknowledged else None,
                closed_hour=hour if closed else None,
            )
        )
        # Set behind the services' back, so the stored next deadline is refreshed here.
        refresh_next_due(session.get_one(Report, filed.report_id))
        session.execute(
            delete(Wrap).where(
                Wrap.report_id == filed.report_id, Wrap.holder_kind == HolderKind.INTAKE
            )
        )
        for username in holders:
            user = session.get_one(User, console.users[username].user_id)
            session.add(
                Wrap(
                    report_id=filed.report_id,
                    holder_kind=HolderKind.USER,
                    user_id=user.id,
                    wrapped_key=wrap_report_key(filed.key, PublicKey(user.public_key)),
                )
            )
        session.commit()
    return Case(filed.report_id, filed.reference)


def cases_page(client: object, query: str = "") -> str:
    response = client.get("/console/cases" + (f"?{query}" if query else ""))  # type: ignore[attr-defined]
    assert response.status_code == 200, response.get_data(as_text=True)
    html: str = response.get_data(as_text=True)
    return html


# ---------------------------------------------------------------- who sees what


def test_a_user_sees_exactly_the_cases_they_hold_wraps_for_in_their_queues(
    console: ConsoleInstance,
) -> None:
    console.add_user("alice", queues=("export-control",))
    console.add_user("bob", queues=("export-control", "sanctions"))
    console.add_user("sam", role=Role.SUPERVISOR, queues=("sanctions",))
    shared = make_case(console, "export-control", ("alice", "bob"))
    # Alice is in the queue but was kept out (conflict of interest): no wrap.
    excluded = make_case(console, "export-control", ("bob",))
    other_queue = make_case(console, "sanctions", ("bob", "sam"))
    # A wrap for a queue Alice is not in (she left it): not listed either.
    left_queue = make_case(console, "sanctions", ("alice",))

    alice = cases_page(console.client_for("alice"))
    assert listed(alice) == [shared.reference]
    assert excluded.reference not in alice
    assert left_queue.reference not in alice
    assert f'href="/console/cases/{shared.reference}"' in alice

    bob = listed(cases_page(console.client_for("bob")))
    assert sorted(bob) == sorted([shared.reference, excluded.reference, other_queue.reference])
    assert listed(cases_page(console.client_for("sam"))) == [other_queue.reference]


def test_a_triaged_tip_is_listed_for_the_routed_queue_members(console: ConsoleInstance) -> None:
    console.add_user("erin", queues=("export-control",))
    console.add_user("frank", queues=("sanctions",))
    filed = console.file_report(export_control_tip())
    console.triage()
    erin = cases_page(console.client_for("erin"))
    assert listed(erin) == [filed.reference]
    assert "Export control" in erin
    assert listed(cases_page(console.client_for("frank"))) == []


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_auditors_and_admins_may_not_open_the_case_list(
    console: ConsoleInstance, role: Role
) -> None:
    console.add_user("watcher", role=role, queues=("export-control",))
    response = console.client_for("watcher").get("/console/cases")
    assert response.status_code == 403


def test_a_user_in_no_queue_is_told_so(console: ConsoleInstance) -> None:
    console.add_user("nobody")
    make_case(console, "export-control", ())
    page = cases_page(console.client_for("nobody"))
    assert "not a member of any queue" in page
    assert listed(page) == []


# ---------------------------------------------------------------- filters


def test_each_filter_narrows_the_list(console: ConsoleInstance) -> None:
    console.add_user("alice", queues=("export-control", "sanctions"))
    holders = ("alice",)
    urgent = make_case(
        console,
        "export-control",
        holders,
        priority=Priority.P1,
        categories=("export_control", "end_use"),
        domains=("nuclear",),
        status=ReportStatus.NEW,
        acknowledged=False,
        ack_due=timedelta(hours=-5),
    )
    finance = make_case(
        console,
        "sanctions",
        holders,
        priority=Priority.P2,
        categories=("finance", "sanctions"),
        domains=("missile", "chemical"),
        ack_due=timedelta(hours=10),
        acknowledged=False,
    )
    disclosure = make_case(
        console,
        "sanctions",
        holders,
        priority=Priority.P4,
        categories=("other",),
        intake_type=IntakeType.DISCLOSURE,
        ack_due=None,
        feedback_due=None,
        narrative_due=timedelta(days=100),
    )
    closed = make_case(
        console,
        "export-control",
        holders,
        status=ReportStatus.CLOSED,
        closed=True,
        categories=("diversion",),
    )
    client = console.client_for("alice")

    def refs(query: str) -> set[str]:
        return set(listed(cases_page(client, query)))

    everything = {urgent.reference, finance.reference, disclosure.reference, closed.reference}
    assert refs("") == everything
    assert refs("queue=sanctions") == {finance.reference, disclosure.reference}
    assert refs("queue=export-control") == {urgent.reference, closed.reference}
    assert refs("status=new") == {urgent.reference}
    assert refs("status=closed") == {closed.reference}
    assert refs("priority=P2") == {finance.reference}
    assert refs("category=finance") == {finance.reference}
    # The "_" of end_use is a literal, not a LIKE wildcard; "sanctions" the
    # category, not a substring of some other member.
    assert refs("category=end_use") == {urgent.reference}
    assert refs("category=sanctions") == {finance.reference}
    assert refs("domain=nuclear") == {urgent.reference}
    assert refs("domain=chemical") == {finance.reference}
    assert refs("domain=biological") == set()
    assert refs("intake=disclosure") == {disclosure.reference}
    assert refs("intake=tip") == everything - {disclosure.reference}
    assert refs("deadline=overdue") == {urgent.reference}
    assert refs("deadline=due_soon") == {finance.reference}
    assert refs("deadline=pending") == {disclosure.reference}
    assert refs("deadline=met") == {closed.reference}
    assert refs("deadline=none") == set()
    # Filters combine; a blank value (the form's "Any") means no filter.
    assert refs("queue=sanctions&priority=P4&status=") == {disclosure.reference}
    assert refs("queue=export-control&category=finance") == set()


def test_a_narrative_ends_the_narrative_deadline(console: ConsoleInstance) -> None:
    console.add_user("alice", queues=("sanctions",))
    case = make_case(
        console,
        "sanctions",
        ("alice",),
        intake_type=IntakeType.DISCLOSURE,
        ack_due=None,
        feedback_due=None,
        narrative_due=timedelta(days=-1),
    )
    client = console.client_for("alice")
    assert listed(cases_page(client, "deadline=overdue")) == [case.reference]
    with console.session_factory() as session:
        session.add(ReportPart(report_id=case.report_id, kind=PartKind.NARRATIVE, body=b"x" * 64))
        refresh_next_due(session.get_one(Report, case.report_id), has_narrative=True)
        session.commit()
    assert listed(cases_page(client, "deadline=overdue")) == []
    assert listed(cases_page(client, "deadline=met")) == [case.reference]


def test_python_and_sql_deadline_states_agree(console: ConsoleInstance) -> None:
    console.add_user("alice", queues=("export-control",))
    made = [
        make_case(
            console, "export-control", ("alice",), ack_due=timedelta(hours=-1), acknowledged=False
        ),
        make_case(console, "export-control", ("alice",), ack_due=timedelta(hours=-1)),
        make_case(console, "export-control", ("alice",), feedback_due=timedelta(hours=47)),
        make_case(
            console, "export-control", ("alice",), feedback_due=DUE_SOON + timedelta(hours=2)
        ),
        make_case(
            console, "export-control", ("alice",), feedback_due=timedelta(hours=-3), closed=True
        ),
        make_case(console, "export-control", ("alice",), ack_due=None, feedback_due=None),
    ]
    client = console.client_for("alice")
    now = clock.now()
    with console.session_factory() as session:
        expected = {
            case.reference: deadline_state(session.get_one(Report, case.report_id), now)
            for case in made
        }
    assert list(expected.values()) == [
        DeadlineState.OVERDUE,
        DeadlineState.PENDING,
        DeadlineState.DUE_SOON,
        DeadlineState.PENDING,
        DeadlineState.MET,
        DeadlineState.NONE,
    ]
    for state in DeadlineState:
        assert set(listed(cases_page(client, f"deadline={state.value}"))) == {
            reference for reference, found in expected.items() if found is state
        }, state


# ---------------------------------------------------------------- sorting


def test_each_sort_orders_the_list(console: ConsoleInstance) -> None:
    console.add_user("alice", queues=("export-control",))
    holders = ("alice",)
    # (priority, status, hours ago, feedback due)
    a = make_case(
        console,
        "export-control",
        holders,
        priority=Priority.P3,
        status=ReportStatus.REFERRED,
        hours_ago=5,
        feedback_due=timedelta(days=3),
    )
    b = make_case(
        console,
        "export-control",
        holders,
        priority=Priority.P1,
        status=ReportStatus.INVESTIGATING,
        hours_ago=50,
        feedback_due=timedelta(days=9),
    )
    c = make_case(
        console,
        "export-control",
        holders,
        priority=Priority.P4,
        status=ReportStatus.NEW,
        hours_ago=20,
        feedback_due=timedelta(days=1),
        acknowledged=False,
        ack_due=timedelta(days=2),
    )
    d = make_case(
        console,
        "export-control",
        holders,
        priority=Priority.P2,
        status=ReportStatus.ACKNOWLEDGED,
        hours_ago=80,
        feedback_due=None,
        ack_due=None,
    )
    client = console.client_for("alice")

    def order(query: str) -> list[str]:
        return listed(cases_page(client, query))

    by_priority = [b.reference, d.reference, a.reference, c.reference]
    assert order("") == by_priority
    assert order("sort=priority") == by_priority
    assert order("sort=priority&order=desc") == by_priority[::-1]
    assert order("sort=received") == [d.reference, b.reference, c.reference, a.reference]
    assert order("sort=received&order=desc") == [a.reference, c.reference, b.reference, d.reference]
    # Earliest pending deadline first; a case with none goes last either way.
    assert order("sort=deadline") == [c.reference, a.reference, b.reference, d.reference]
    assert order("sort=deadline&order=desc") == [b.reference, a.reference, c.reference, d.reference]
    # Workflow order: new, acknowledged, investigating, referred, closed.
    assert order("sort=status") == [c.reference, d.reference, b.reference, a.reference]
    assert order("sort=status&order=desc") == [a.reference, b.reference, d.reference, c.reference]


def test_sort_links_keep_the_filters(console: ConsoleInstance) -> None:
    console.add_user("alice", queues=("export-control",))
    make_case(console, "export-control", ("alice",))
    page = cases_page(console.client_for("alice"), "priority=P3&sort=deadline")
    assert 'href="/console/cases?priority=P3&amp;sort=deadline&amp;order=desc"' in page
    assert 'href="/console/cases?priority=P3&amp;sort=received"' in page


# ---------------------------------------------------------------- pages


def test_pages(console: ConsoleInstance) -> None:
    console.add_user("alice", queues=("export-control",))
    made = [
        make_case(console, "export-control", ("alice",), hours_ago=2 + index) for index in range(27)
    ]
    newest_first = [case.reference for case in made]
    client = console.client_for("alice")
    first = cases_page(client, "sort=received&order=desc&size=25")
    assert listed(first) == newest_first[:25]
    assert "Cases 1 to 25 of 27" in first
    assert "Page 1 of 2" in first
    assert 'href="/console/cases?sort=received&amp;order=desc&amp;page=2&amp;size=25"' in first
    second = cases_page(client, "sort=received&order=desc&size=25&page=2")
    assert listed(second) == newest_first[25:]
    assert "Cases 26 to 27 of 27" in second
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second
    beyond = cases_page(client, "size=25&page=9")
    assert listed(beyond) == []
    assert "the list has 2 pages" in beyond


# ---------------------------------------------------------------- deadlines shown


def test_overdue_and_due_soon_are_shown_in_the_list(console: ConsoleInstance) -> None:
    console.add_user("alice", queues=("export-control",))
    overdue = make_case(
        console, "export-control", ("alice",), acknowledged=False, ack_due=timedelta(hours=-30)
    )
    due_soon = make_case(console, "export-control", ("alice",), feedback_due=timedelta(hours=20))
    page = cases_page(console.client_for("alice"), "sort=deadline")
    assert listed(page) == [overdue.reference, due_soon.reference]
    rows = re.split(r'<tr class="case-row(?: unread)?"', page)[1:]
    assert 'class="badge deadline deadline-overdue">Overdue' in rows[0]
    assert re.search(r"Acknowledgement due <time [^>]*>1 day ago</time>", rows[0])
    assert 'class="badge deadline deadline-due-soon">Due soon' in rows[1]
    assert re.search(r"Feedback due <time [^>]*>in 20 hours</time>", rows[1])
    assert 'class="badge priority priority-p3">P3' in rows[0]


# ---------------------------------------------------------------- bad parameters


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=lost", "The status &#39;lost&#39; is not known"),
        ("priority=P9", "use one of: P1, P2, P3, P4"),
        ("category=weapons", "The category &#39;weapons&#39; is not known"),
        ("domain=space", "The domain &#39;space&#39; is not known"),
        ("intake=fax", "The intake &#39;fax&#39; is not known"),
        ("deadline=soonish", "The deadline &#39;soonish&#39; is not known"),
        ("sort=colour", "The sort &#39;colour&#39; is not known"),
        ("order=up", "use asc or desc"),
        ("page=0", "The page must be a whole number"),
        ("page=abc", "The page must be a whole number"),
        ("page=99999999999999999999", "The page must be a whole number"),
        ("size=7", "The page size must be one of 25, 50, 100, 200"),
        ("colour=red", "Unknown query parameter: colour"),
        ("status=new&status=closed", "may be given only once"),
        ("queue=sanctions", "You are not a member of a queue called &#39;sanctions&#39;"),
    ],
)
def test_bad_query_parameters_are_refused_with_a_message(
    console: ConsoleInstance, query: str, message: str
) -> None:
    console.add_user("alice", queues=("export-control",))
    response = console.client_for("alice").get(f"/console/cases?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


# ---------------------------------------------------------------- dashboard


def test_the_dashboard_counts_and_lists_pressing_cases(console: ConsoleInstance) -> None:
    console.add_user("alice", queues=("export-control", "sanctions"))
    overdue = make_case(
        console,
        "export-control",
        ("alice",),
        acknowledged=False,
        status=ReportStatus.NEW,
        ack_due=timedelta(hours=-2),
    )
    due_soon = make_case(console, "sanctions", ("alice",), feedback_due=timedelta(hours=3))
    calm = make_case(console, "sanctions", ("alice",), status=ReportStatus.CLOSED, closed=True)
    hidden = make_case(
        console, "export-control", (), acknowledged=False, ack_due=timedelta(hours=-2)
    )
    page = console.client_for("alice").get("/console/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    overdue_section = html.split('id="overdue"')[1].split("</section>")[0]
    due_soon_section = html.split('id="due-soon"')[1].split("</section>")[0]
    assert listed(overdue_section) == [overdue.reference]
    assert f'href="/console/cases/{overdue.reference}"' in overdue_section
    assert listed(due_soon_section) == [due_soon.reference]
    assert calm.reference not in html
    assert hidden.reference not in html
    # Counts per queue and status: export-control 1 new; sanctions 1 investigating, 1 closed.
    counts = html.split('class="queue-counts"')[1].split("</table>")[0]
    export_row = counts.split("Export control")[1].split("</tr>")[0]
    sanctions_row = counts.split("Sanctions")[1].split("</tr>")[0]
    cells = re.compile(r"<td>(\d+)</td>")
    assert cells.findall(export_row) == ["1", "0", "0", "0", "0", "1"]
    assert cells.findall(sanctions_row) == ["0", "0", "1", "0", "1", "2"]
    # The key fingerprint is still there.
    assert "Your key&#39;s fingerprint" in html or "Your key's fingerprint" in html


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_the_dashboard_tells_a_user_in_no_queue_that_no_case_is_readable(
    console: ConsoleInstance, role: Role
) -> None:
    console.add_user("watcher", role=role)
    make_case(console, "export-control", (), acknowledged=False, ack_due=timedelta(hours=-2))
    page = console.client_for("watcher").get("/console/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "not a member of any queue" in html
    assert listed(html) == []


# ---------------------------------------------------------------- the stored next deadline


def test_the_stored_next_deadline_follows_every_change_through_the_services(
    console: ConsoleInstance,
) -> None:
    """Intake, acknowledging, closing, reopening and a filed narrative each refresh next_due."""
    alice = console.add_user("alice", queues=("export-control",))
    vigil = console.app.extensions["vigil"]

    def file(intake_type: IntakeType) -> int:
        key, envelope = seal_report(
            export_control_tip(),
            console.intake_key.public_key,
            Receipt.generate().reporter_private_key().public_key,
        )
        new = NewReport(intake_type, envelope, secrets.token_bytes(32), (), False)
        with console.session_factory() as session:
            report_id = create_report(session, vigil.uploads, new).id
            user = session.get_one(User, alice.user_id)
            session.add(
                Wrap(
                    report_id=report_id,
                    holder_kind=HolderKind.USER,
                    user_id=user.id,
                    wrapped_key=wrap_report_key(key, PublicKey(user.public_key)),
                )
            )
            session.commit()
        return report_id

    def stored(report_id: int) -> tuple[datetime | None, Report]:
        with console.session_factory() as session:
            report = session.get_one(Report, report_id)
            session.expunge(report)
            return report.next_due, report

    def move(report_id: int, status: ReportStatus, outcome: Outcome | None = None) -> None:
        with console.session_factory() as session:
            user = session.get_one(User, alice.user_id)
            change_status(session, session.get_one(Report, report_id), user, status, outcome)

    tip = file(IntakeType.TIP)
    next_due, report = stored(tip)
    assert report.ack_due is not None
    assert report.feedback_due is not None
    assert next_due == report.ack_due  # intake: acknowledgement comes first
    move(tip, ReportStatus.ACKNOWLEDGED)
    assert stored(tip)[0] == report.feedback_due  # acknowledged: feedback is next
    move(tip, ReportStatus.INVESTIGATING)
    move(tip, ReportStatus.CLOSED, Outcome.SUBSTANTIATED)
    assert stored(tip)[0] is None  # closed: nothing pending
    move(tip, ReportStatus.INVESTIGATING)
    assert stored(tip)[0] == report.feedback_due  # reopened: feedback pending again

    disclosure = file(IntakeType.DISCLOSURE)
    next_due, report = stored(disclosure)
    assert report.narrative_due is not None
    assert next_due == report.narrative_due
    with console.session_factory() as session:
        add_part(
            session,
            vigil.uploads,
            session.get_one(Report, disclosure),
            kind=PartKind.NARRATIVE,
            body=b"x" * 64,
            upload_ids=(),
            server_saw_plaintext=False,
        )
    assert stored(disclosure)[0] is None  # the narrative is filed: no deadline left


@pytest.mark.parametrize(
    "sort",
    ["sort=deadline", "sort=deadline&order=desc", "sort=priority&order=desc", "sort=status"],
)
def test_pages_past_the_middle_read_from_the_end_give_the_same_list(
    console: ConsoleInstance, sort: str
) -> None:
    """Pages 2 and 3 of 60 are read backwards from the end; together they are the whole list."""
    console.add_user("alice", queues=("export-control",))
    for index in range(60):
        make_case(
            console,
            "export-control",
            ("alice",),
            priority=list(Priority)[index % 4],
            status=(ReportStatus.INVESTIGATING, ReportStatus.REFERRED)[index % 2],
            # Ties in every key but the id, and cases with no pending deadline.
            ack_due=None,
            feedback_due=timedelta(days=index % 5) if index % 3 else None,
        )
    client = console.client_for("alice")
    whole = listed(cases_page(client, f"{sort}&size=100"))
    assert len(whole) == 60
    paged = [
        reference
        for number in (1, 2, 3)
        for reference in listed(cases_page(client, f"{sort}&size=25&page={number}"))
    ]
    assert paged == whole


def test_the_migration_backfills_the_stored_next_deadline_by_the_same_rules(
    database_url: str,
) -> None:
    engine = create_db_engine(database_url)
    try:
        upgrade_database(engine, "0004")
        hour = current_hour()
        day = timedelta(days=1)
        # (intake type, ack_due, feedback_due, narrative_due, acknowledged, closed, narrative)
        shapes = [
            (IntakeType.TIP, 1, 90, None, False, False, False),
            (IntakeType.TIP, 1, 90, None, True, False, False),
            (IntakeType.TIP, -3, -1, None, False, False, False),
            (IntakeType.TIP, 5, 2, None, False, False, False),
            (IntakeType.TIP, 1, 90, None, True, True, False),
            (IntakeType.DISCLOSURE, None, None, 180, False, False, False),
            (IntakeType.DISCLOSURE, None, None, 180, False, False, True),
            (IntakeType.DISCLOSURE, None, None, None, False, False, False),
        ]
        columns = ("ack_due", "feedback_due", "narrative_due")
        with engine.begin() as connection:
            for index, (kind, *dues, acknowledged, closed, narrative) in enumerate(shapes):
                report_id = connection.execute(
                    insert(Report.__table__)
                    .values(
                        public_reference=f"VGL-BACKF{index:03d}",
                        intake_type=kind,
                        status=ReportStatus.CLOSED if closed else ReportStatus.INVESTIGATING,
                        triage_state=TriageState.DONE,
                        received_hour=hour,
                        categories=[],
                        domains=[],
                        server_saw_plaintext=False,
                        triage_overridden=False,
                        lookup_hash=secrets.token_bytes(32),
                        body=b"x",
                        acknowledged_hour=hour if acknowledged else None,
                        closed_hour=hour if closed else None,
                        **{
                            name: hour + due * day if due is not None else None
                            for name, due in zip(columns, dues, strict=True)
                        },
                    )
                    .returning(Report.__table__.c.id)
                ).scalar_one()
                if narrative:
                    connection.execute(
                        insert(ReportPart.__table__).values(
                            report_id=report_id,
                            kind=PartKind.NARRATIVE,
                            body=b"x",
                            server_saw_plaintext=False,
                            submitted_hour=hour,
                        )
                    )
        upgrade_database(engine)
        with Session(engine) as session:
            reports = session.scalars(select(Report).order_by(Report.id)).all()
            assert len(reports) == len(shapes)
            for report, shape in zip(reports, shapes, strict=True):
                expected = next_due_of(report, has_narrative=shape[-1])
                assert report.next_due == expected, shape
            assert [report.next_due is None for report in reports] == [
                False,
                False,
                False,
                False,
                True,
                False,
                True,
                True,
            ]
    finally:
        engine.dispose()


def test_the_tag_migration_keeps_every_case_s_categories_and_domains(database_url: str) -> None:
    # 0006 turns the lists into jsonb on PostgreSQL (and changes nothing on
    # SQLite): the lists written before it read back the same, the filters'
    # member test finds them, and going back to 0005 keeps them too.
    engine = create_db_engine(database_url)
    reports = Report.__table__
    tags = {
        "VGL-TAGS00001": (["export_control", "end_use"], ["nuclear"]),
        "VGL-TAGS00002": (["finance"], []),
        "VGL-TAGS00003": ([], ["missile", "chemical"]),
    }

    def stored(connection: Connection) -> dict[str, tuple[list[str], list[str]]]:
        rows = connection.execute(
            select(reports.c.public_reference, reports.c.categories, reports.c.domains)
        )
        return {row.public_reference: (row.categories, row.domains) for row in rows}

    def holding(connection: Connection, column: str, value: str) -> set[str]:
        condition = json_list_holds(getattr(Report, column), value, connection.dialect.name)
        return set(connection.scalars(select(reports.c.public_reference).where(condition)))

    try:
        upgrade_database(engine, "0005")
        with engine.begin() as connection:
            for reference, (categories, domains) in tags.items():
                connection.execute(
                    insert(reports).values(
                        public_reference=reference,
                        intake_type=IntakeType.TIP,
                        status=ReportStatus.INVESTIGATING,
                        triage_state=TriageState.DONE,
                        received_hour=current_hour(),
                        categories=categories,
                        domains=domains,
                        server_saw_plaintext=False,
                        triage_overridden=False,
                        lookup_hash=secrets.token_bytes(32),
                        body=b"x",
                    )
                )
        upgrade_database(engine)
        with engine.connect() as connection:
            assert stored(connection) == tags
            assert holding(connection, "categories", "end_use") == {"VGL-TAGS00001"}
            assert holding(connection, "categories", "finance") == {"VGL-TAGS00002"}
            assert holding(connection, "categories", "sanctions") == set()
            assert holding(connection, "domains", "chemical") == {"VGL-TAGS00003"}
        downgrade_database(engine, "0005")
        with engine.connect() as connection:
            assert stored(connection) == tags
    finally:
        engine.dispose()
