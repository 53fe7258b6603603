"""Metrics: counts, response times, overdue cases, SVG charts and the transparency export."""

from __future__ import annotations

import csv
import io
import itertools
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from reporting.core import clock
from reporting.core.models import (
    AuditEntry,
    IntakeType,
    Outcome,
    PartKind,
    Priority,
    Queue,
    Report,
    ReportPart,
    ReportStatus,
    Role,
)
from reporting.metrics.charts import bar_chart, stacked_bar_chart
from reporting.metrics.counts import case_counts
from reporting.metrics.periods import Month, MonthRange
from reporting.metrics.timeliness import durations, overdue_counts
from reporting.metrics.transparency import Suppression, suppress
from tests.console.conftest import ConsoleInstance

K = 5  # the default transparency_min_count


def hour(year: int, month: int, day: int, at: int = 9) -> datetime:
    return datetime(year, month, day, at, tzinfo=UTC)


def add_case(console: ConsoleInstance, **columns: Any) -> int:
    """A case row with the given metadata; its body is never read by the metrics."""
    queue = columns.pop("queue", None)
    narrative = columns.pop("narrative", False)
    with console.session_factory() as session:
        if queue is not None:
            columns["queue_id"] = session.scalar(select(Queue.id).where(Queue.slug == queue))
        columns.setdefault("intake_type", IntakeType.TIP)
        report = Report(lookup_hash=secrets.token_bytes(32), body=b"sealed", **columns)
        if narrative:
            report.parts = [ReportPart(kind=PartKind.NARRATIVE, body=b"sealed")]
        session.add(report)
        session.commit()
        return report.id


def add_sample_cases(console: ConsoleInstance) -> None:
    """Four cases over January to March 2025 with different metadata."""
    add_case(
        console,
        received_hour=hour(2025, 1, 10),
        categories=["export_control", "sanctions"],
        domains=["nuclear"],
        priority=Priority.P1,
        status=ReportStatus.ACKNOWLEDGED,
        acknowledged_hour=hour(2025, 1, 12),
        queue="export-control",
    )
    add_case(
        console,
        received_hour=hour(2025, 1, 20),
        categories=["sanctions"],
        priority=Priority.P2,
        status=ReportStatus.CLOSED,
        outcome=Outcome.SUBSTANTIATED,
        acknowledged_hour=hour(2025, 1, 21),
        closed_hour=hour(2025, 1, 30),
        queue="sanctions",
    )
    add_case(
        console,
        received_hour=hour(2025, 2, 3),
        categories=["finance"],
        domains=["missile", "nuclear"],
        priority=Priority.P3,
        status=ReportStatus.CLOSED,
        outcome=Outcome.NOT_SUBSTANTIATED,
        acknowledged_hour=hour(2025, 2, 6),
        closed_hour=hour(2025, 3, 5),
        queue="sanctions",
    )
    add_case(
        console,
        received_hour=hour(2025, 3, 31, 23),
        intake_type=IntakeType.DISCLOSURE,
    )
    # Outside the period on both sides.
    add_case(console, received_hour=hour(2024, 12, 31, 23), priority=Priority.P1)
    add_case(console, received_hour=hour(2025, 4, 1, 0), priority=Priority.P1)


FIRST_QUARTER = MonthRange(Month(2025, 1), Month(2025, 3))


def test_counts_match_the_cases(console: ConsoleInstance) -> None:
    add_sample_cases(console)
    with console.session_factory() as session:
        counts = case_counts(session, FIRST_QUARTER)
    assert counts.received == {"2025-01": 2, "2025-02": 1, "2025-03": 1}
    category = counts.breakdown("category")
    assert category.count("2025-01", "sanctions") == 2
    assert category.count("2025-01", "export_control") == 1
    assert category.totals["finance"] == 1
    assert category.totals["end_use"] == 0
    assert counts.breakdown("domain").totals == {
        "nuclear": 2,
        "chemical": 0,
        "biological": 0,
        "missile": 1,
        "military": 0,
    }
    assert counts.breakdown("priority").totals == {
        "P1": 1,
        "P2": 1,
        "P3": 1,
        "P4": 0,
        "unscored": 1,
    }
    status = counts.breakdown("status").totals
    assert (status["acknowledged"], status["closed"], status["new"]) == (1, 2, 1)
    outcome = counts.breakdown("outcome").totals
    assert (outcome["substantiated"], outcome["not_substantiated"], outcome["duplicate"]) == (
        1,
        1,
        0,
    )
    assert counts.breakdown("intake_type").totals == {"tip": 3, "disclosure": 1}
    queue = counts.breakdown("queue")
    assert queue.totals["Export control"] == 1
    assert queue.totals["Sanctions"] == 2
    assert queue.totals["Not routed yet"] == 1


def test_times_to_acknowledgement_and_closure(console: ConsoleInstance) -> None:
    add_sample_cases(console)
    with console.session_factory() as session:
        acknowledgement, closure = durations(session, FIRST_QUARTER)
    # Acknowledged after 2, 1 and 3 days; closed after 10 and 30 days.
    assert acknowledgement.cases == 3
    assert acknowledgement.median_days == pytest.approx(2.0)
    assert acknowledgement.p90_days == pytest.approx(2.8)  # 2 + 0.8 * (3 - 2)
    assert closure.cases == 2
    assert closure.median_days == pytest.approx(20.0)
    assert closure.p90_days == pytest.approx(28.0)


def test_overdue_cases_now(console: ConsoleInstance) -> None:
    now = clock.now()
    past, future = (
        hour(2025, 1, 1),
        now.replace(minute=0, second=0, microsecond=0) + timedelta(days=30),
    )
    add_case(console, received_hour=hour(2024, 12, 1), ack_due=past, feedback_due=past)
    add_case(console, received_hour=hour(2024, 12, 1), ack_due=past, acknowledged_hour=past)
    add_case(console, received_hour=hour(2024, 12, 1), ack_due=future, feedback_due=future)
    add_case(
        console,
        received_hour=hour(2024, 12, 1),
        ack_due=past,
        feedback_due=past,
        status=ReportStatus.CLOSED,
        closed_hour=past,
    )
    disclosure = {"intake_type": IntakeType.DISCLOSURE, "received_hour": hour(2024, 6, 1)}
    add_case(console, narrative_due=past, **disclosure)
    add_case(console, narrative_due=past, narrative=True, **disclosure)
    with console.session_factory() as session:
        overdue = overdue_counts(session, now=now)
    assert (overdue.acknowledgement, overdue.feedback, overdue.narrative) == (1, 1, 1)

    console.add_user("audrey", role=Role.AUDITOR)
    html = console.client_for("audrey").get("/console/metrics").get_data(as_text=True)
    assert 'Acknowledgement overdue</th><td class="number">1<' in html
    assert 'Full narrative overdue (disclosures)</th><td class="number">1<' in html


def test_the_page_shows_counts_and_svg_charts_without_inline_style(
    console: ConsoleInstance,
) -> None:
    add_sample_cases(console)
    console.add_user("audrey", role=Role.AUDITOR)
    response = console.client_for("audrey").get("/console/metrics?from=2025-01&to=2025-03")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Cases received from 2025-01 to 2025-03 (UTC months): 4." in html
    assert html.count("<svg") == 8  # the monthly chart and one per dimension
    assert "<title" in html
    assert "style=" not in html
    assert "<script" not in html
    assert "Sanctions: 2" in html  # a bar's title
    assert "2025-01, P1: 1" in html  # a stacked segment's title
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_chart_labels_are_escaped(console: ConsoleInstance) -> None:
    with console.session_factory() as session:
        session.add(Queue(slug="odd", name='<script>alert("x")</script> & Co'))
        session.commit()
    add_case(console, received_hour=hour(2025, 2, 1), queue="odd")
    console.add_user("audrey", role=Role.AUDITOR)
    html = console.client_for("audrey").get("/console/metrics?from=2025-01&to=2025-03").text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co: 1" in html
    svg = str(bar_chart("c", "A <b>title</b>", [("<i>", 3)]))
    assert "<b>" not in svg
    assert "<i>" not in svg
    assert "&lt;i&gt;: 3" in svg
    assert "style=" not in str(stacked_bar_chart("s", "t", ["2025-01"], []))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2025-13", "The from month must look like 2025-03"),
        ("to=March", "The to month must look like 2025-03"),
        ("from=2025-05&to=2025-01", "starts (2025-05) after it ends (2025-01)"),
        ("from=2000-01&to=2025-01", "at most 120 months"),
        ("colour=red", "Unknown query parameter: colour"),
    ],
)
def test_bad_periods_are_refused(console: ConsoleInstance, query: str, message: str) -> None:
    console.add_user("audrey", role=Role.AUDITOR)
    response = console.client_for("audrey").get(f"/console/metrics?{query}")
    assert response.status_code == 400
    assert message in response.text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.INVESTIGATOR, 403),
        (Role.SUPERVISOR, 200),
        (Role.ADMIN, 200),
        (Role.AUDITOR, 200),
    ],
)
def test_metrics_roles(console: ConsoleInstance, role: Role, status: int) -> None:
    console.add_user("someone", role=role, queues=("export-control",))
    client = console.client_for("someone")
    assert client.get("/console/metrics").status_code == status
    export = client.get("/console/metrics/export.csv?from=2024-01&to=2024-12")
    assert export.status_code == status


# ---------------------------------------------------------------- transparency export


def add_year_of_cases(console: ConsoleInstance) -> None:
    """22 cases in 2024: every priority and status 5 times, except P1 and referred (2 each)."""
    priorities = [Priority.P1] * 2 + [Priority.P2, Priority.P3, Priority.P4, None] * 5
    statuses = (
        [ReportStatus.REFERRED] * 2
        + [ReportStatus.NEW] * 5
        + [ReportStatus.ACKNOWLEDGED] * 5
        + [ReportStatus.INVESTIGATING] * 5
        + [ReportStatus.CLOSED] * 5
    )
    for number, (priority, status) in enumerate(zip(priorities, statuses, strict=True)):
        closed = status is ReportStatus.CLOSED
        add_case(
            console,
            received_hour=hour(2024, 1 + number % 12, 5),
            priority=priority,
            status=status,
            outcome=Outcome.SUBSTANTIATED if closed else None,
            closed_hour=hour(2024, 12, 20) if closed else None,
            categories=["sanctions"] if number < 2 else ["export_control"],
            queue="export-control",
        )


def feasible_values(shown: dict[str, int | str], total: int) -> dict[str, set[int]]:
    """What a reader can work out for each "<k" cell from the published counts and total.

    Every "<k" is 0..k-1, every "suppressed" at least k, and the table adds
    up to `total`: try every assignment and collect each cell's possible values.
    """
    withheld = [value for value, count in shown.items() if not isinstance(count, int)]
    remainder = total - sum(count for count in shown.values() if isinstance(count, int))
    ranges = [
        range(K) if shown[value] == f"<{K}" else range(K, remainder + 1) for value in withheld
    ]
    possible: dict[str, set[int]] = {value: set() for value in withheld}
    for assignment in itertools.product(*ranges):
        if sum(assignment) == remainder:
            for value, count in zip(withheld, assignment, strict=True):
                possible[value].add(count)
    return {value: possible[value] for value in withheld if shown[value] == f"<{K}"}


def test_export_suppresses_small_counts_so_they_cannot_be_recovered(
    console: ConsoleInstance,
) -> None:
    add_year_of_cases(console)
    console.add_user("audrey", role=Role.AUDITOR)
    client = console.client_for("audrey")
    response = client.get("/console/metrics/export.json?from=2024-01&to=2024-12&period=year")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.text)
    assert document["k"] == K
    [year] = document["periods"]
    assert year["period"] == "2024"
    assert year["received"] == 22

    # The two P1 cases and the two referred ones are below k.
    assert year["priority"]["P1"] == "<5"
    assert year["status"]["referred"] == "<5"
    assert year["category"]["sanctions"] == "<5"
    assert year["category"]["export_control"] == 20
    # Each is the only small count of a table that adds up to the 22 cases
    # received, so another cell is withheld with it...
    assert list(year["priority"].values()).count("suppressed") == 1
    assert list(year["status"].values()).count("suppressed") == 1
    # ...and the published figures no longer pin it down.
    for dimension in ("priority", "status"):
        for value, possible in feasible_values(year[dimension], year["received"]).items():
            assert len(possible) > 1, (dimension, value, possible)
    assert 2 in feasible_values(year["priority"], 22)["P1"]
    # The outcomes split the five closed cases (published), all substantiated.
    assert year["outcome"]["substantiated"] == 5
    assert year["status"]["closed"] in (5, "suppressed")

    # No queue names, no users.
    for private in ("export-control", "Export control", "audrey", "queue"):
        assert private not in response.text

    csv_response = client.get("/console/metrics/export.csv?from=2024-01&to=2024-12")
    rows = list(csv.reader(io.StringIO(csv_response.text)))
    assert rows[0] == ["period", "dimension", "value", "count"]
    assert ["2024", "priority", "P1", "<5"] in rows
    assert ["2024", "cases", "received", "22"] in rows

    with console.session_factory() as session:
        exports = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "metrics.export")
        ).all()
    assert [entry.details["format"] for entry in exports] == ["json", "csv"]
    assert exports[0].details["k"] == K
    assert exports[0].actor_user_id == console.users["audrey"].user_id


def test_export_by_quarter_covers_only_finished_quarters(console: ConsoleInstance) -> None:
    add_year_of_cases(console)
    console.add_user("audrey", role=Role.AUDITOR)
    client = console.client_for("audrey")
    document = client.get(
        "/console/metrics/export.json?from=2024-02&to=2024-05&period=quarter"
    ).json
    assert document is not None
    # Widened to whole quarters.
    assert [period["period"] for period in document["periods"]] == ["2024-Q1", "2024-Q2"]
    # Six cases a quarter: every count is small, the period total too.
    assert document["periods"][0]["received"] == 6
    this_month = Month.of(clock.now())
    unfinished = client.get(
        f"/console/metrics/export.csv?from={this_month}&to={this_month}&period=quarter"
    )
    assert unfinished.status_code == 400
    assert "only finished periods are exported" in unfinished.text
    assert client.get("/console/metrics/export.csv?period=week").status_code == 400
    assert client.get("/console/metrics/export.xml").status_code == 404


@pytest.mark.parametrize(
    ("counts", "total_published", "expected"),
    [
        # A lone small count in a table with a known total gets a complement.
        ([2, 7, 9, 6], True, ["primary", None, None, "complementary"]),
        # Two small counts already leave a range...
        ([2, 3, 9, 6], True, ["primary", "primary", None, None]),
        # ...unless both must be k-1.
        ([4, 4, 9, 6], True, ["primary", "primary", None, "complementary"]),
        # A lone zero tells nothing about anyone: no complement.
        ([0, 7, 9, 6], True, ["primary", None, None, None]),
        # Without a published total there is nothing to subtract from.
        ([2, 7, 9, 6], False, ["primary", None, None, None]),
    ],
)
def test_suppression_rule(
    counts: list[int], total_published: bool, expected: list[str | None]
) -> None:
    marks = suppress(counts, K, total_published=total_published)
    assert [mark.value if isinstance(mark, Suppression) else None for mark in marks] == expected
