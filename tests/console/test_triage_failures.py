"""Admins see on their dashboard the reports triage keeps failing on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from crypto import PrivateKey, ReportKey, wrap_report_key
from reporting.core.clock import PinnedClock
from reporting.core.models import HolderKind, Role, Wrap
from tests.console.conftest import ConsoleInstance, export_control_tip


def test_the_admin_dashboard_counts_reports_that_failed_triage(
    console: ConsoleInstance, pinned_clock: PinnedClock
) -> None:
    console.add_user("ada", role=Role.ADMIN)
    console.add_user("erin", queues=("export-control",))
    admin = console.client_for("ada")
    page = admin.get("/console/").get_data(as_text=True)
    assert "0 reports waiting for triage." in page
    assert "No report has failed triage." in page

    damaged = console.file_report(export_control_tip())
    with console.session_factory() as session:
        session.execute(
            update(Wrap)
            .where(Wrap.report_id == damaged.report_id, Wrap.holder_kind == HolderKind.INTAKE)
            .values(
                wrapped_key=wrap_report_key(ReportKey.generate(), PrivateKey.generate().public_key)
            )
        )
        session.commit()
    assert console.triage().failed == [damaged.report_id]
    pinned_clock.advance(timedelta(minutes=6))
    assert console.triage().failed == [damaged.report_id]

    page = admin.get("/console/").get_data(as_text=True)
    assert "0 reports waiting for triage." in page
    assert "1 report has failed triage (2 failed attempts in all)." in page
    # Other roles are not told.
    erin = console.client_for("erin").get("/console/").get_data(as_text=True)
    assert "failed triage" not in erin
