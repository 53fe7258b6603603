"""Deny by default: each console page serves only the roles it names."""

from __future__ import annotations

from reporting.core.models import Role
from tests.console.conftest import ConsoleInstance, export_control_tip


def test_the_fixture_triages_a_tip_into_export_control(console: ConsoleInstance) -> None:
    console.add_user("erin", queues=("export-control",))
    filed = console.file_report(export_control_tip())
    stats = console.triage()
    assert stats.triaged == [filed.report_id]
    home = console.client_for("erin").get("/console/")
    assert home.status_code == 200
    assert "Export control" in home.get_data(as_text=True)


def test_every_signed_in_role_sees_only_its_navigation(console: ConsoleInstance) -> None:
    for role in Role:
        console.add_user(f"user-{role.value}", role=role)
        page = console.client_for(f"user-{role.value}").get("/console/")
        assert page.status_code == 200
        assert "Dashboard" in page.get_data(as_text=True)
