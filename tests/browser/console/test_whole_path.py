"""The whole path in a real browser: a reporter's tip, triage, an investigator's work, the reply.

A reporter files a tip with a file in Chromium with JavaScript on; the worker
triages it into the export-control queue; an investigator of that queue signs
in with password and TOTP, finds it in the queue with its priority, reads the
findings, downloads the file, replies and acknowledges; the reporter reads the
reply with the receipt. People who must not read it (an investigator of
another queue, an auditor, an administrator in no queue) cannot, and every
console page a user opened kept to the CSP.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from reporting.accounts.enrolment import Enrolment
from reporting.core.models import HolderKind, Report, ReportStatus, Wrap
from reporting.pipeline.worker import InstanceTriage, run_worker
from tests.browser.conftest import PublicBrowser
from tests.browser.console.support import sign_in, status_of, visit
from tests.browser.public.helpers import canary_file, fill_values, submit_and_wait_for_receipt

pytestmark = pytest.mark.browser

TIP = (
    "Forty maraging steel tubes (ECCN 1C216) were shipped without an export licence."
    " The buyer would not say what they were for."
)
REPLY = "Thank you. Which port did the tubes leave from?"


def test_the_whole_path_from_tip_to_reply(
    public_browser: PublicBrowser,
    people: dict[str, Enrolment],
    app: Any,
    intake_key: Any,
    tmp_path: Any,
) -> None:
    # The reporter files the tip with a file, sealed in the browser.
    evidence = canary_file(tmp_path, "SHIPPINGNOTE", size=120_000)
    reporter = public_browser.new_page()
    reporter.goto("/tip")
    fill_values(reporter.page, {"what_happened": TIP})
    reporter.page.set_input_files("#attachments", str(evidence))
    receipt = submit_and_wait_for_receipt(reporter.page, "Send the report")

    # The worker triages it at once (not held to the end of its hour).
    engine = app.extensions["vigil"].engine
    stats = run_worker(
        engine,
        intake_key=intake_key,
        triage=InstanceTriage(engine),
        name="e2e-worker",
        once=True,
        hold=False,
    )
    assert len(stats.triaged) == 1
    with app.extensions["vigil"].session_factory() as session:
        report = session.scalars(select(Report)).one()
        reference, priority = report.public_reference, report.priority
        assert report.queue is not None
        assert report.queue.slug == "export-control"
    assert priority is not None

    # The investigator of export control finds it in the queue with its priority.
    erin = public_browser.new_page()
    sign_in(erin, people["erin"])
    visit(erin, "/console/")
    visit(erin, "/console/cases")
    row = erin.page.locator(f'tr.case-row[data-reference="{reference}"]')
    assert priority.value in row.text_content()
    row.get_by_role("link", name=reference).click()
    erin.page.wait_for_url(f"**/console/cases/{reference}")
    page_text = erin.page.locator("main").text_content()
    assert "maraging steel tubes" in page_text
    assert "1C216" in erin.page.locator("#findings-heading").locator("xpath=..").text_content()
    assert erin.page.locator("mark").count() > 0  # evidence highlighted in the report's text

    # The file, decrypted by the server and streamed, byte for byte.
    with erin.page.expect_download() as download:
        erin.page.locator("#files").get_by_role("link", name=evidence.name).click()
    assert download.value.path().read_bytes() == evidence.read_bytes()

    # A reply, which acknowledges the new case; then the investigation.
    erin.page.locator("#reply-form textarea").fill(REPLY)
    erin.page.get_by_role("button", name="Send reply").click()
    erin.page.get_by_text("Your reply was sent.").wait_for()
    with app.extensions["vigil"].session_factory() as session:
        report = session.scalars(select(Report)).one()
        assert report.status is ReportStatus.ACKNOWLEDGED
        assert report.acknowledged_hour is not None
    erin.page.get_by_label("New status").select_option("investigating")
    erin.page.get_by_role("button", name="Change status").click()
    erin.page.get_by_text("Status changed to Investigating.").wait_for()

    # The reporter reads the reply with the receipt, decrypted in the browser.
    reader = public_browser.new_page()
    reader.goto("/followup")
    reader.page.fill("#receipt", receipt)
    reader.page.get_by_role("button", name="Open my report").click()
    view = reader.page.locator("[data-case-view]")
    view.wait_for()
    assert REPLY in view.locator("article.message.investigator").text_content()
    # The reply acknowledged the case: only what is still owed is shown.
    facts = view.locator(".case-facts").text_content()
    assert "Being investigated" in facts
    assert "Acknowledgement due" not in facts
    assert "Feedback due by" in facts

    # The investigator keeps a note, then closes the case and chooses what the reporter is told.
    note = "INTERNALNOTE: the forwarder is a known front."
    erin.page.locator("#note-form textarea").fill(note)
    erin.page.get_by_role("button", name="Add note").click()
    erin.page.get_by_text("Your note was added.").wait_for()
    told = "Thank you. We have passed what you reported to the competent authority."
    erin.page.get_by_label("New status").select_option("closed")
    erin.page.get_by_label("Outcome").select_option("substantiated")
    erin.page.get_by_label("What the reporter is told (optional)").fill(told)
    erin.page.get_by_role("button", name="Change status").click()
    erin.page.get_by_text("The reporter was told in a message.").wait_for()

    # The reporter sees "Closed" and the words chosen for them; never the note,
    # the outcome, the priority or any internal status.
    reader.page.get_by_role("button", name="Close this report").click()
    reader.page.fill("#receipt", receipt)
    reader.page.get_by_role("button", name="Open my report").click()
    view.wait_for()
    facts = view.locator(".case-facts").text_content()
    assert "Closed" in facts
    assert "due" not in facts.lower()
    assert told in view.locator("article.message.investigator").last.text_content()
    shown = reader.page.locator("body").inner_text().lower()
    for internal in ("internalnote", "substantiated", "investigating", "priority"):
        assert internal not in shown, internal

    # Nobody else reads it: no wrap for them, and 403 for the page and the file.
    with app.extensions["vigil"].session_factory() as session:
        holders = set(
            session.scalars(select(Wrap.user_id).where(Wrap.holder_kind == HolderKind.USER))
        )
    assert holders == {people["erin"].user_id, people["sue"].user_id}
    case_path = f"/console/cases/{reference}"
    for username in ("sam", "audrey", "ada"):
        tab = public_browser.new_page()
        sign_in(tab, people[username])
        visit(tab, "/console/")
        assert status_of(tab, case_path) == 403, username
        assert status_of(tab, case_path + "/attachments/1") == 403, username
        if username == "audrey":
            # The auditor sees the log and the metrics, and no content there.
            for path in ("/console/audit", "/console/metrics"):
                visit(tab, path)
                assert "maraging" not in tab.page.content().lower()
    # public_browser fails the test on any CSP violation or error in any page it opened.
