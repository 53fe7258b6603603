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

import pyotp
import pytest
from sqlalchemy import select

from reporting.accounts import Enrolment, create_user
from reporting.bootstrap import DEFAULT_QUEUES
from reporting.models import HolderKind, Queue, QueueMembership, Report, ReportStatus, Role, Wrap
from reporting.routing_rules import seed_default_rules
from reporting.triage_worker import InstanceTriage, run_worker
from tests.browser.conftest import PublicBrowser, PublicPage
from tests.browser.public.helpers import canary_file, fill_values, submit_and_wait_for_receipt

pytestmark = pytest.mark.browser

TIP = (
    "Forty maraging steel tubes (ECCN 1C216) were shipped without an export licence."
    " The buyer would not say what they were for."
)
REPLY = "Thank you. Which port did the tubes leave from?"
# The headers of DESIGN.md, on every console page.
REQUIRED_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


@pytest.fixture
def people(app: Any) -> dict[str, Enrolment]:
    """The default queues and rules, and one user per part in the story."""
    cost = app.extensions["vigil"].settings.password_cost
    enrolled: dict[str, Enrolment] = {}
    with app.extensions["vigil"].session_factory() as session:
        for slug, name, description in DEFAULT_QUEUES:
            session.add(Queue(slug=slug, name=name, description=description))
        session.flush()
        seed_default_rules(session)
        for username, role, queue in [
            ("erin", Role.INVESTIGATOR, "export-control"),
            ("sam", Role.INVESTIGATOR, "sanctions"),
            ("audrey", Role.AUDITOR, None),
            ("ada", Role.ADMIN, None),
        ]:
            enrolled[username] = create_user(
                session, username=username, display_name=username.title(), role=role, cost=cost
            )
            if queue is not None:
                queue_id = session.scalars(select(Queue.id).where(Queue.slug == queue)).one()
                session.add(QueueMembership(user_id=enrolled[username].user_id, queue_id=queue_id))
        session.commit()
    return enrolled


def sign_in(tab: PublicPage, user: Enrolment) -> None:
    tab.goto("/console/sign-in")
    fill_values(
        tab.page,
        {
            "username": user.username,
            "password": user.password,
            "code": pyotp.TOTP(user.totp_secret).now(),
        },
    )
    tab.page.get_by_role("button", name="Sign in").click()
    tab.page.wait_for_url("**/console/**")
    assert "/sign-in" not in tab.page.url


def visit(tab: PublicPage, path: str) -> Any:
    """Open a console page that must open, checking the headers it came with."""
    response = tab.goto(path)
    headers = response.all_headers()
    for name, value in REQUIRED_HEADERS.items():
        assert headers.get(name) == value, f"{path}: {name} is {headers.get(name)!r}"
    assert "default-src 'none'" in headers["content-security-policy"], path
    return response


def status_of(tab: PublicPage, path: str) -> int:
    """The status of a request made with the page's cookies, without rendering it."""
    status: int = tab.page.request.get(tab.base_url + path).status
    return status


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
        erin.page.get_by_role("link", name=evidence.name).click()
    assert download.value.path().read_bytes() == evidence.read_bytes()

    # A reply, then the acknowledgement.
    erin.page.locator("#reply-form textarea").fill(REPLY)
    erin.page.get_by_role("button", name="Send reply").click()
    erin.page.get_by_text("Your reply was sent.").wait_for()
    erin.page.get_by_label("New status").select_option("acknowledged")
    erin.page.get_by_role("button", name="Change status").click()
    erin.page.get_by_text("The case is acknowledged").wait_for()
    with app.extensions["vigil"].session_factory() as session:
        report = session.scalars(select(Report)).one()
        assert report.status is ReportStatus.ACKNOWLEDGED
        assert report.acknowledged_hour is not None

    # The reporter reads the reply with the receipt, decrypted in the browser.
    reader = public_browser.new_page()
    reader.goto("/followup")
    reader.page.fill("#receipt", receipt)
    reader.page.get_by_role("button", name="Open my report").click()
    view = reader.page.locator("[data-case-view]")
    view.wait_for()
    assert REPLY in view.locator("article.message.investigator").text_content()

    # Nobody else reads it: no wrap for them, and 403 for the page and the file.
    with app.extensions["vigil"].session_factory() as session:
        holders = set(
            session.scalars(select(Wrap.user_id).where(Wrap.holder_kind == HolderKind.USER))
        )
    assert holders == {people["erin"].user_id}
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
