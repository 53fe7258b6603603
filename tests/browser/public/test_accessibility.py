"""axe-core finds nothing wrong on any public page, in any language, with JavaScript on or off.

Every public page is visited in each shipped language, with a script and
without, in the states a reporter meets: the pages as they open, a form sent
empty (its errors shown), the receipt after a report is sent and the case
opened with that receipt. axe-core (node_modules/axe-core, a pinned
devDependency) is pasted in with `page.evaluate`, which runs from the
automation side and so neither breaks the page's CSP (no inline script) nor
needs the page's JavaScript. With JavaScript off, though, Chromium runs no
timer callback of the page, and `axe.run` ends on a `setTimeout(..., 0)`: it
would never settle. There (and only there: no script of the page runs to be
disturbed) short timers are replaced by microtasks, and the long ones axe sets
as guards (frame and asset time-outs) never fire, as none is ever reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import pytest

from reporting.web.languages import SHIPPED
from tests.fixtures.browser import PROJECT_ROOT

pytestmark = pytest.mark.browser

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return {
    passed: results.passes.length,
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.map((t) => String(t)).join(" ")),
    })),
  };
}"""
# Installed before axe on a page with JavaScript off (see the module's docstring).
TIMERS_AS_MICROTASKS = """() => {
  const pending = new Set();
  let next = 1;
  window.setTimeout = (fn, delay = 0, ...args) => {
    const id = next++;
    if (delay <= 1) {
      pending.add(id);
      Promise.resolve().then(() => { if (pending.delete(id)) fn(...args); });
    }
    return id;
  };
  window.clearTimeout = (id) => { pending.delete(id); };
}"""
# What Chromium logs, with or without a script, when a page answers 4xx.
REFUSED_LOG = "error: Failed to load resource: the server responded with a status of 4"


@cache
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"no {AXE.relative_to(PROJECT_ROOT)} (npm ci)", pytrace=False)
    return AXE.read_text(encoding="utf-8")


class Audit:
    """Runs axe on each state of one browser page; collects what it finds, by page."""

    def __init__(self, tab: Any, tag: str, *, javascript: bool) -> None:
        self.tab = tab
        self.page = tab.page
        self.tag = tag
        self.javascript = javascript
        self.found: list[str] = []

    def check(self, label: str) -> None:
        page = self.page
        scripted = page.evaluate("() => document.documentElement.classList.contains('js')")
        if self.javascript:
            # The forms' script, where the page loads it, ran: its version of the page is audited.
            loaded = page.locator("script[src*='vigil-public']").count() > 0
            assert scripted == loaded, f"{label}: the forms' script did not run"
        else:
            # The page's own scripts really are off: the bundle is there, not run.
            assert not scripted, f"{label}: a script ran with JavaScript off"
            page.evaluate(TIMERS_AS_MICROTASKS)
        page.evaluate(axe_source())
        assert page.evaluate("() => typeof axe === 'object' && typeof axe.run") == "function", (
            f"axe-core did not load in {label}"
        )
        # Each page is audited in the language it was asked in.
        lang = page.evaluate("() => document.documentElement.lang")
        if lang != self.tag:
            self.found.append(f"{label} ({page.url}): <html lang={lang!r}>, not {self.tag!r}")
        results = page.evaluate(RUN_AXE)
        assert results["passed"], f"axe-core checked nothing in {label}"
        for violation in results["violations"]:
            targets = "; ".join(violation["targets"])
            self.found.append(
                f"{label}: {violation['id']} [{violation['impact']}] "
                f"{violation['help']} -> {targets}"
            )

    def visit(self, path: str, *, status: int = 200, check: bool = True) -> None:
        url = f"{self.tab.base_url}{path}?lang={self.tag}"
        with self.refusal_expected(status >= 400):
            response = self.page.goto(url, wait_until="load")
        assert response is not None, f"cannot load {path}"
        assert response.status == status, f"{path}: {response.status}, not {status}"
        if check:
            self.check(f"{path} ({status})" if status != 200 else path)

    def submit(self, form: str, label: str, wait_for: str, *, refused: bool = False) -> None:
        """Press the form's button; audit what the page shows once `wait_for` is there."""
        with self.refusal_expected(refused):
            self.page.locator(f"{form} [type=submit]").click()
            self.page.locator(wait_for).first.wait_for(timeout=60_000)
            self.page.wait_for_load_state()
        self.check(label)

    @contextmanager
    def refusal_expected(self, expected: bool) -> Iterator[None]:
        """A page meant to answer 4xx: Chromium's log of it is no problem of the page."""
        console = self.tab.problems.console_errors
        before = len(console)
        yield
        if expected:
            console[before:] = [m for m in console[before:] if not m.startswith(REFUSED_LOG)]


def audit_site(audit: Audit, fill_tip: Callable[[Any], None]) -> None:
    for path in ("/", "/tip", "/disclosure", "/followup", "/privacy"):
        audit.visit(path)

    audit.visit("/no-such-page", status=404)

    # The tip form sent empty: the errors next to the fields (the script's, or the server's).
    audit.visit("/tip", check=False)
    if audit.javascript:
        audit.submit("#report-form", "/tip sent empty", ".field-error:not([hidden])")
    else:
        audit.submit("#report-form", "/tip sent empty", "#report-form .has-error", refused=True)

    # A tip sent: the receipt (the script's panel, or the server's /receipt page).
    audit.visit("/tip", check=False)
    fill_tip(audit.page)
    if audit.javascript:
        audit.submit("#report-form", "receipt panel", "[data-receipt-panel]")
        receipt = audit.page.locator("[data-receipt-panel] [data-receipt]").get_attribute(
            "data-receipt"
        )
    else:
        audit.submit("#report-form", "/receipt", "#receipt")
        receipt = audit.page.locator("#receipt").text_content()
    assert receipt

    # The case, opened with that receipt (built in place, or the server's /case page).
    open_case(audit, receipt, "case view" if audit.javascript else "/case")

    # A disclosure: its receipt offers the filing confirmation, and so does its case.
    audit.visit("/disclosure", check=False)
    for field, value in DISCLOSURE.items():
        audit.page.fill(f"[name={field}]", value)
    audit.page.check("[name=certified]")
    if audit.javascript:
        audit.submit("#report-form", "disclosure receipt panel", "[data-receipt-panel]")
        receipt = audit.page.locator("[data-receipt-panel] [data-receipt]").get_attribute(
            "data-receipt"
        )
        audit.page.locator("#receipt-saved").check()
    else:
        audit.submit("#report-form", "/receipt (disclosure)", "#receipt")
        receipt = audit.page.locator("#receipt").text_content()
        audit.page.locator("form.receipt-saved [type=submit]").click()
    assert receipt
    open_case(audit, receipt, "disclosure case view" if audit.javascript else "/case (disclosure)")


DISCLOSURE = {
    "company": "Example Machine Tools GmbH",
    "contact_name": "Erika Mustermann",
    "contact_email": "export@example.org",
    "violation": "Two shipments without the required licence.",
}


def open_case(audit: Audit, receipt: str, label: str) -> None:
    audit.visit("/followup", check=False)
    audit.page.fill("#receipt", receipt.strip())
    audit.submit("#followup-form", label, "[data-case-view], .case-facts")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", SHIPPED, ids=[language.tag for language in SHIPPED])
def test_axe_finds_no_violation_on_any_public_page(
    public_browser: Any, intake_key: object, language: Any, javascript: bool
) -> None:
    tab = public_browser.new_page(javascript=javascript)
    audit = Audit(tab, language.tag, javascript=javascript)

    def fill_tip(page: Any) -> None:
        page.fill("[name=what_happened]", "Valves relabelled as plumbing parts, via Dubai.")
        # A file, so that the case lists it under its name.
        page.set_input_files(
            "#attachments",
            files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}],
        )

    audit_site(audit, fill_tip)
    mode = "JavaScript on" if javascript else "JavaScript off"
    assert not audit.found, f"axe-core violations in {language.tag}, {mode}:\n" + "\n".join(
        audit.found
    )
