"""Tor Browser at "Safer": with the JavaScript JIT off, a tip with a file still gets through.

Chromium with ``--js-flags=--jitless`` runs JavaScript as Tor Browser's
"Safer" level does: interpreted, without WebAssembly. At the instance's
default proof of work (PBKDF2 in WebCrypto, native code the JIT does not
touch), a tip with a 5 MiB file reaches its receipt, and while the check runs
the page shows its progress and the usual time on this device. How long it
takes is for bench/browser_submit.py to measure, not for a test to assert.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from reporting.core.models import Attachment
from reporting.core.settings import DEFAULT_POW_DIFFICULTY, DEFAULT_POW_ITERATIONS, Settings
from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

# Every 50 ms, what the sending panel shows: the proof of work's estimate and bar.
RECORD_PROGRESS = """
window.__vigilProgress = [];
setInterval(() => {
  const estimate = document.querySelector(".js-pow-estimate");
  const bar = document.querySelector(".js-progress progress");
  if (estimate && estimate.textContent) {
    const fraction = bar && bar.hasAttribute("value") ? bar.value : null;
    window.__vigilProgress.push([estimate.textContent, fraction]);
  }
}, 50);
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The instance's own default proof of work, not the suite's cheap one."""
    return dataclasses.replace(
        settings, pow_difficulty=DEFAULT_POW_DIFFICULTY, pow_iterations=DEFAULT_POW_ITERATIONS
    )


@pytest.fixture
def jitless_browser(chromium_browser: Any) -> Iterator[Any]:
    browser = chromium_browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, "--js-flags=--jitless"]
    )
    try:
        yield browser
    finally:
        browser.close()


def _file_a_tip(browser: Any, base_url: str, evidence: Any) -> list[list[Any]]:
    """A tip with `evidence`, to its receipt; what the sending panel showed meanwhile."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(300_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(RECORD_PROGRESS)
        page.goto(base_url + "/tip", wait_until="load")
        # The JIT is off: V8 then compiles no WebAssembly at all.
        assert (
            page.evaluate(
                "() => { try { new WebAssembly.Module(new Uint8Array([0,97,115,109,1,0,0,0]));"
                " return 'compiled'; } catch (e) { return 'refused'; } }"
            )
            == "refused"
        )
        page.fill("[name=what_happened]", "Valves relabelled as plumbing parts, shipped via Dubai.")
        page.set_input_files("#attachments", str(evidence))
        page.locator("#report-form [type=submit]").click()
        page.locator("[data-receipt-panel]").wait_for()
        assert errors == []
        shown: list[list[Any]] = page.evaluate("() => window.__vigilProgress")
        return shown
    finally:
        context.close()


def test_with_the_jit_off_a_tip_with_a_file_reaches_its_receipt_showing_progress(
    jitless_browser: Any, vigil_base_url: str, intake_key: object, app: Any, tmp_path: Any
) -> None:
    evidence = tmp_path / "evidence.bin"
    evidence.write_bytes(os.urandom(5 * 2**20))
    # The search is luck: about one in six ends before the first progress
    # report (a quarter of a second), and then there was nothing to show.
    # Each such tip still reaches its receipt; the next one shows progress.
    tips = 0
    shown: list[list[Any]] = []
    while not shown and tips < 6:
        shown = _file_a_tip(jitless_browser, vigil_base_url, evidence)
        tips += 1
    estimates = {text for text, _ in shown}
    assert any(
        text.startswith("On this device this check usually takes about ") for text in estimates
    ), estimates
    fractions = [value for _, value in shown if value is not None]
    assert fractions
    assert 0 < max(fractions) <= 1
    with app.extensions["vigil"].session_factory() as session:
        sizes = session.scalars(select(Attachment.ciphertext_size)).all()
    assert len(sizes) == tips
    assert all(size > 5 * 2**20 for size in sizes)
