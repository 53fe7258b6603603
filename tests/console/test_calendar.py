"""A working day at each date the calendar makes hard.

Every test here takes `calendar_moment`, so it runs at each month's last
day, a leap day, and the last and first second of a year, on a clock that
stands still there from before the instance is made (so `calendar_moment`
comes first among the arguments): a case arrives, is triaged and opened, its deadlines
fall on real days, the metrics page and every export it offers answer, the
default yearly and quarterly exports cover the last finished period, and the
audit log finds today's entries.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from datetime import datetime, timedelta
from html import unescape

from reporting.core import clock
from reporting.core.models import Report, Role
from tests.console.conftest import ConsoleInstance, export_control_tip


def _previous_quarter(moment: datetime) -> tuple[str, str]:
    first_month = (moment.month - 1) // 3 * 3 + 1
    start = moment.replace(month=first_month, day=1) - timedelta(days=1)
    quarter_first = (start.month - 1) // 3 * 3 + 1
    return f"{start.year:04d}-{quarter_first:02d}", f"{start.year:04d}-{start.month:02d}"


def test_a_case_arrives_and_is_worked_on_any_day(
    calendar_moment: datetime, console: ConsoleInstance
) -> None:
    console.add_user("erin", queues=("export-control",))
    filed = console.file_report(export_control_tip())
    assert console.triage().triaged == [filed.report_id]

    with console.session_factory() as session:
        report = session.get_one(Report, filed.report_id)
        received = report.received_hour
        assert report.ack_due == received + timedelta(days=7)
        feedback = report.feedback_due
        assert feedback is not None
        # Three months on, the same day or the shorter month's last day.
        assert (feedback.year * 12 + feedback.month) - (received.year * 12 + received.month) == 3
        month_days = calendar.monthrange(feedback.year, feedback.month)[1]
        assert feedback.day == min(received.day, month_days)

    client = console.client_for("erin")
    assert client.get("/console/").status_code == 200
    queue = client.get("/console/cases")
    assert queue.status_code == 200
    assert filed.reference in queue.get_data(as_text=True)
    case = client.get(f"/console/cases/{filed.reference}")
    assert case.status_code == 200
    assert "Maraging steel tubes" in case.get_data(as_text=True)


def test_metrics_and_every_offered_export_answer_on_any_day(
    calendar_moment: datetime, console: ConsoleInstance
) -> None:
    console.add_user("audrey", role=Role.AUDITOR)
    client = console.client_for("audrey")
    page = client.get("/console/metrics")
    assert page.status_code == 200
    links = [
        unescape(link) for link in re.findall(r'href="([^"]*/metrics/export[^"]*)"', page.text)
    ]
    assert len(links) == 4  # CSV and JSON, by year and by quarter
    for link in links:
        export = client.get(link)
        assert export.status_code == 200, (link, export.text)

    this_year = clock.now().year
    by_year = client.get("/console/metrics/export.json")
    assert by_year.status_code == 200
    assert by_year.json["from"] == f"{this_year - 1}-01"
    assert by_year.json["to"] == f"{this_year - 1}-12"

    by_quarter = client.get("/console/metrics/export.csv?period=quarter")
    assert by_quarter.status_code == 200
    first, last = _previous_quarter(clock.now())
    assert (
        f"vigil-transparency-{first}-{last}-quarter.csv"
        in by_quarter.headers["Content-Disposition"]
    )
    periods = {row["period"] for row in csv.DictReader(io.StringIO(by_quarter.text))}
    assert periods == {f"{first[:4]}-Q{(int(first[5:]) - 1) // 3 + 1}"}


def test_the_audit_log_finds_todays_entries_on_any_day(
    calendar_moment: datetime, console: ConsoleInstance
) -> None:
    console.add_user("audrey", role=Role.AUDITOR)
    client = console.client_for("audrey")
    today = clock.now().date()
    html = client.get(f"/console/audit?from={today}&to={today}").get_data(as_text=True)
    assert re.findall(r"<td><code>(sign_in[a-z_.]*)</code></td>", html)
    tomorrow = today + timedelta(days=1)
    html = client.get(f"/console/audit?from={tomorrow}").get_data(as_text=True)
    assert re.findall(r"<td><code>([a-z_.]+)</code></td>", html) == []
