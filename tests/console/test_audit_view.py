"""The auditor's view of the audit log, and `vigil audit verify` against a tampered log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select, text

from reporting.audit.log import append_audit
from reporting.cli.main import main
from reporting.core import clock
from reporting.core.models import AuditEntry, Role
from tests.console.conftest import ConsoleInstance, export_control_tip

TIP_WORDS = ("Maraging", "Nordlicht", "shipping department", "Hamburg to Rotterdam")


def tamper(engine: Engine, *statements: str) -> None:
    """Run SQL as someone in control of the database: the append-only triggers go first."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        else:
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for statement in statements:
            connection.execute(text(statement))


def add_entries(console: ConsoleInstance, count: int, *, action: str = "test.filler") -> None:
    with console.session_factory() as session:
        for number in range(count):
            append_audit(
                session,
                actor_user_id=None,
                action=action,
                target=f"report:{1000 + number}",
                details={"number": number},
            )
        session.commit()


def entry_count(console: ConsoleInstance) -> int:
    with console.session_factory() as session:
        return len(session.scalars(select(AuditEntry.seq)).all())


def test_auditor_sees_entries_and_intact_chain_but_no_report_content(
    console: ConsoleInstance,
) -> None:
    console.add_user("erin", queues=("export-control",))
    console.add_user("audrey", role=Role.AUDITOR)
    filed = console.file_report(export_control_tip())
    assert console.triage().triaged == [filed.report_id]
    # An investigator reads the case, so the log holds a case action too.
    console.client_for("erin").get(f"/console/cases/{filed.reference}")

    page = console.client_for("audrey").get("/console/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"intact, {entry_count(console)} entries" in html
    assert "report.triage" in html
    assert f"report:{filed.report_id}" in html
    assert ">erin<" in html  # the actor's user name, not an id
    assert ">audrey<" in html
    assert "system" in html  # the triage worker's entries
    for words in TIP_WORDS:
        assert words not in html


def test_newest_entries_come_first_a_page_at_a_time(console: ConsoleInstance) -> None:
    console.add_user("audrey", role=Role.AUDITOR)
    client = console.client_for("audrey")
    add_entries(console, 70)
    total = entry_count(console)
    first = client.get("/console/audit").get_data(as_text=True)
    seqs = [int(seq) for seq in re.findall(r"<tr[^>]*>\s*<td>(\d+)</td>", first)]
    assert seqs == list(range(total, total - 50, -1))
    older = re.search(r'href="([^"]*before=(\d+)[^"]*)">Older entries', first)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    seqs = [int(seq) for seq in re.findall(r"<tr[^>]*>\s*<td>(\d+)</td>", second)]
    assert seqs == list(range(total - 50, 0, -1))
    assert "Older entries" not in second
    assert "Newest entries" in second


def test_filters_by_action_actor_target_and_date(console: ConsoleInstance) -> None:
    console.add_user("audrey", role=Role.AUDITOR)
    console.add_user("erin")
    console.client_for("erin")  # a sign_in entry by erin
    add_entries(console, 3, action="report.export")
    client = console.client_for("audrey")

    def shown(query: str) -> list[str]:
        html = client.get(f"/console/audit?{query}").get_data(as_text=True)
        return re.findall(r"<td><code>([a-z_.]+)</code></td>", html)

    assert set(shown("action=report.")) == {"report.export"}
    assert len(shown("action=report.")) == 3
    assert set(shown("actor=erin")) == {"sign_in"}
    assert "report.export" in shown("actor=system")
    assert "sign_in" not in shown("actor=system")
    assert shown("target=report:1001") == ["report.export"]
    today = clock.now().date()
    assert len(shown(f"from={today}&to={today}")) == entry_count(console)
    assert shown(f"to={today - timedelta(days=1)}") == []
    assert shown(f"from={today + timedelta(days=1)}") == []


def test_a_range_to_the_last_day_of_the_calendar_shows_every_entry(
    console: ConsoleInstance,
) -> None:
    console.add_user("audrey", role=Role.AUDITOR)
    add_entries(console, 2, action="report.export")
    client = console.client_for("audrey")
    today = clock.now().date()
    for query in ("to=9999-12-31", f"from={today}&to=9999-12-31"):
        response = client.get(f"/console/audit?{query}")
        assert response.status_code == 200, query
        html = response.get_data(as_text=True)
        assert len(re.findall(r"<td><code>report\.export</code></td>", html)) == 2, query
        assert 'value="9999-12-31"' in html, query


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2025-13-01", "must look like 2025-03-31"),
        ("to=yesterday", "must look like 2025-03-31"),
        ("from=2025-03-02&to=2025-03-01", "starts after it ends"),
        ("action=Report!", "start of an action name"),
        ("actor=nobody", "No user is called"),
        ("before=abc", "must be an entry number"),
        ("colour=red", "Unknown query parameter: colour"),
    ],
)
def test_bad_filters_are_refused_with_a_message(
    console: ConsoleInstance, query: str, message: str
) -> None:
    console.add_user("audrey", role=Role.AUDITOR)
    response = console.client_for("audrey").get(f"/console/audit?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")


def test_a_tampered_entry_is_named_on_the_page(console: ConsoleInstance) -> None:
    console.add_user("audrey", role=Role.AUDITOR)
    client = console.client_for("audrey")
    add_entries(console, 5)
    assert "intact" in client.get("/console/audit").get_data(as_text=True)
    tamper(console.engine, "UPDATE audit_log SET target = 'report:1' WHERE seq = 3")
    html = client.get("/console/audit").get_data(as_text=True)
    assert "intact" not in html
    assert "Chain broken at entry 3" in html
    assert "entry 3 was changed" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.INVESTIGATOR, 403),
        (Role.SUPERVISOR, 403),
        (Role.ADMIN, 200),
        (Role.AUDITOR, 200),
    ],
)
def test_only_admins_and_auditors_open_the_log(
    console: ConsoleInstance, role: Role, status: int
) -> None:
    console.add_user("someone", role=role, queues=("export-control",))
    assert console.client_for("someone").get("/console/audit").status_code == status


# ---------------------------------------------------------------- vigil audit verify


def verify_with_cli(console: ConsoleInstance) -> Result:
    env = {
        "VIGIL_INSTANCE": str(console.settings.instance_path),
        "VIGIL_DATABASE_URL": console.settings.database_url,
    }
    return CliRunner().invoke(main, ["audit", "verify"], env=env)


# Each case is given `n`, the seq of the middle one of five fresh entries.
@pytest.mark.parametrize(
    ("statements", "message"),
    [
        (["UPDATE audit_log SET details = '{{\"number\": 99}}' WHERE seq = {n}"], "entry {n} was"),
        (["DELETE FROM audit_log WHERE seq = {n}"], "entry {n} missing"),
        (
            [
                "UPDATE audit_log SET seq = 1000 WHERE seq = {n}",
                "UPDATE audit_log SET seq = {n} WHERE seq = {n} + 2",
                "UPDATE audit_log SET seq = {n} + 2 WHERE seq = 1000",
            ],
            "entry {n} holds the entry written as {last}",
        ),
        (["DELETE FROM audit_log WHERE seq = {last}"], "entries {last} to {last} missing"),
    ],
    ids=["edited", "deleted", "reordered", "tail-deleted"],
)
def test_cli_verify_names_the_tampered_row(
    console: ConsoleInstance, statements: list[str], message: str
) -> None:
    before = entry_count(console)
    add_entries(console, 5)
    middle, last = before + 3, before + 5
    intact = verify_with_cli(console)
    assert intact.exit_code == 0, intact.output
    assert f"audit log intact: {last} entries" in intact.output
    tamper(console.engine, *(s.format(n=middle, last=last) for s in statements))
    broken = verify_with_cli(console)
    assert broken.exit_code == 1
    assert "audit log damaged" in broken.output
    assert message.format(n=middle, last=last) in broken.output
