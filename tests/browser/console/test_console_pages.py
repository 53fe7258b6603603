"""Every console page, opened in Chromium by every role that may open it, keeps to the CSP
and passes axe-core.

The pages are found from the app's URL map, so a page added later is checked
without touching this test; each is opened with real values for its URL parts
(a user, a queue, a rule, a triaged case). The `public_browser` fixture fails
the test on any CSP violation, console error or uncaught exception, each
response must carry the headers of docs/architecture.md, and axe-core
(pasted in from the automation side, as for the public pages) must find no
violation on any page for any role.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from reporting.accounts.enrolment import Enrolment
from reporting.core.models import Queue, Role, RoutingRule
from tests.browser.conftest import PublicBrowser
from tests.browser.console.support import check_headers, sign_in, visit
from tests.browser.public.test_accessibility import RUN_AXE, axe_source
from tests.console.conftest import ConsoleInstance, export_control_tip

pytestmark = pytest.mark.browser

# Not pages: a file download and the data export (their headers are checked apart).
NOT_PAGES = {"console.sign_in", "console.case_attachment", "console.metrics_export"}


def console_pages(app: Any, values: dict[str, object]) -> dict[str, tuple[str, frozenset[Role]]]:
    """Endpoint -> (path with real values, the roles it serves) for every console page."""
    adapter = app.url_map.bind("localhost")
    pages = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console") or "GET" not in (rule.methods or ()):
            continue
        if rule.endpoint in NOT_PAGES:
            continue
        roles = getattr(app.view_functions[rule.endpoint], "vigil_allowed_roles", frozenset())
        path = adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})
        pages[rule.endpoint] = (path, roles)
    return pages


def axe_violations(page: Any, label: str) -> list[str]:
    """What axe-core finds wrong on the page as it is, one line per rule and element."""
    page.evaluate(axe_source())
    results = page.evaluate(RUN_AXE)
    assert results["passed"], f"axe-core checked nothing on {label}"
    return [
        f"{label}: {violation['id']} [{violation['impact']}] {violation['help']} -> {target}"
        for violation in results["violations"]
        for target in violation["targets"]
    ]


def test_every_console_page_keeps_to_the_csp_and_passes_axe_for_every_role(
    public_browser: PublicBrowser,
    people: dict[str, Enrolment],
    app: Any,
    settings: Any,
    intake_key: Any,
) -> None:
    console = ConsoleInstance(app, settings, intake_key)
    filed = console.file_report(export_control_tip())
    assert console.triage().triaged == [filed.report_id]
    with console.session_factory() as session:
        queue_id = session.scalars(select(Queue.id).where(Queue.slug == "export-control")).one()
        rule_id = session.scalars(select(RoutingRule.id).order_by(RoutingRule.id)).first()
    values = {
        "user_id": people["erin"].user_id,
        "queue_id": queue_id,
        "rule_id": rule_id,
        "reference": filed.reference,
    }
    pages = console_pages(app, values)
    assert "console.case" in pages
    assert "console.admin_users" in pages

    opened: dict[str, set[str]] = {endpoint: set() for endpoint in pages}
    found: list[str] = []
    for username in ("erin", "sue", "audrey", "ada"):
        user = people[username]
        tab = public_browser.new_page()
        sign_in(tab, user)
        for endpoint, (path, roles) in pages.items():
            if user.role in roles:
                visit(tab, path)
                opened[endpoint].add(username)
                found += axe_violations(tab.page, f"{path} ({username})")
        if user.role in {Role.ADMIN, Role.AUDITOR}:
            export = tab.page.request.get(tab.base_url + "/console/metrics/export.csv")
            assert export.status == 200
            check_headers("/console/metrics/export.csv", export.headers)
        if user.role is Role.ADMIN:
            # The enrolment sheet, with its QR code drawn on our own origin.
            visit(tab, "/console/admin/users")
            tab.page.get_by_label("User name").fill("nadia")
            tab.page.get_by_label("Display name").fill("Nadia New")
            tab.page.get_by_role("button", name="Enrol").click()
            tab.page.locator("svg").first.wait_for()
            assert "nadia" in tab.page.locator("main").text_content()
    # Every page was opened by some role in the story, so none went unchecked.
    assert not [endpoint for endpoint, users in opened.items() if not users]
    assert not found, "axe-core violations:\n" + "\n".join(found)
