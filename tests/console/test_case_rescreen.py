"""Opening a case screened against older lists screens it again, with the opener's key."""

from __future__ import annotations

from sqlalchemy import select

from crypto import RecordKind, open_record, unwrap_report_key
from reporting.core.models import AuditEntry, Report, Wrap
from reporting.pipeline.screening_lists import store_list
from tests.console.conftest import ConsoleInstance, export_control_tip
from triage.screening import EntryKind, ListEntry, ParsedList

PARTY = "Nordlicht Werkstoffe GmbH"  # the buyer named in export_control_tip()


def denied_parties(label: str, *names: str) -> ParsedList:
    entries = tuple(
        ListEntry(
            entry_id=f"DPL-{index}", kind=EntryKind.ENTITY, primary_name=name, programs=("DPL",)
        )
        for index, name in enumerate(names)
    )
    return ParsedList("bis_dpl", label, label * 8, entries)


def test_a_case_is_screened_again_when_a_new_list_names_its_party(
    console: ConsoleInstance,
) -> None:
    console.add_user("erin", queues=("export-control",))
    console.add_user("sam", queues=("sanctions",))
    with console.session_factory() as session:
        store_list(session, denied_parties("v1", "Somebody Else Trading"))
    filed = console.file_report(export_control_tip())
    console.triage()
    erin = console.client_for("erin")
    before = erin.get(f"/console/cases/{filed.reference}").get_data(as_text=True)
    assert "DPL-0" not in before

    # The party is listed in a new version of the list: the next opening screens again.
    with console.session_factory() as session:
        store_list(session, denied_parties("v2", "Somebody Else Trading", PARTY))
    page = erin.get(f"/console/cases/{filed.reference}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "DPL-1" in text
    assert PARTY in text

    with console.session_factory() as session:
        report = session.get_one(Report, filed.report_id)
        assert report.list_versions == "bis_dpl:v2"
        assert "sanctions" in report.categories
        assert report.queue is not None
        assert report.queue.slug == "sanctions"
        findings = open_record(filed.key, RecordKind.FINDINGS, report.findings or b"")
        assert [hit["entry_id"] for hit in findings["hits"]] == ["DPL-1"]
        # The sanctions unit can now open it with its own key.
        sam_wrap = session.scalars(
            select(Wrap).where(
                Wrap.report_id == filed.report_id, Wrap.user_id == console.users["sam"].user_id
            )
        ).one()
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert unwrap_report_key(sam_wrap.wrapped_key, console.private_key("sam")) == filed.key
    assert actions.count("report.rescreen") == 1

    # Opening it again changes nothing more.
    erin.get(f"/console/cases/{filed.reference}")
    with console.session_factory() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("report.rescreen") == 1
