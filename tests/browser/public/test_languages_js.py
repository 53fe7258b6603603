"""A reporter who reads Persian or Arabic, in Chromium: the whole way in their language.

The language is picked on the page (Tor Browser sends ``en-US`` whatever its
user reads), the pages lay out right to left, and what the script writes on
the way to the receipt (progress, the receipt panel) is in the page's
language too: its sentences come from the server's catalogue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.public.test_languages import LATIN_ALLOWED, LATIN_WORD, RECEIPT_OR_REFERENCE

pytestmark = pytest.mark.browser

# What the reporter reads: the rendered text, and what is read aloud or shown
# in fields (labels, placeholders, button values), of visible elements only.
SHOWN = """() => {
  const parts = [document.title, document.body.innerText];
  for (const element of document.body.querySelectorAll("*")) {
    if (element.closest("template") || !element.checkVisibility()) continue;
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      const value = element.getAttribute(name);
      if (value) parts.push(value);
    }
    if (element instanceof HTMLInputElement && ["submit", "button"].includes(element.type)) {
      parts.push(element.value);
    }
  }
  return parts.join(" ");
}"""


def _latin_words(page: Any, *, own: set[str]) -> set[str]:
    shown = RECEIPT_OR_REFERENCE.sub(" ", page.evaluate(SHOWN))
    words = {word.lower() for word in LATIN_WORD.findall(shown)}
    return words - LATIN_ALLOWED - own


def test_a_reporter_switches_to_persian_and_files_a_tip_with_a_file_in_persian_only(
    public_browser: Any, intake_key: object, tmp_path: Path
) -> None:
    evidence = tmp_path / "مدرک.pdf"
    evidence.write_bytes(b"%PDF-1.4 invoice for valves\n")
    tab = public_browser.new_page()
    page = tab.page
    # A browser that asks for English, as Tor Browser does.
    page.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.5"})
    tab.goto("/")
    page.locator("a[hreflang='fa']").click()
    page.wait_for_load_state()
    assert page.evaluate("() => [document.documentElement.lang, document.dir]") == ["fa", "rtl"]
    assert _latin_words(page, own=set()) == set()

    page.locator("main a[href*='/tip']").first.click()
    page.wait_for_load_state()
    assert page.evaluate("() => document.documentElement.lang") == "fa"
    assert _latin_words(page, own=set()) == set()
    page.fill("[name=what_happened]", "شیرهای کنترل با برچسب لوازم لوله‌کشی به بندرعباس ارسال شد.")
    page.set_input_files("#attachments", str(evidence))
    assert _latin_words(page, own={"pdf"}) == set()
    page.locator("#report-form [type=submit]").click()
    panel = page.locator("[data-receipt-panel]")
    panel.wait_for(timeout=60_000)
    assert _latin_words(page, own={"pdf"}) == set()
    assert "کد پیگیری" in panel.inner_text()

    # Back with the receipt: the case, and the file under the name it was sent with.
    receipt = panel.locator("[data-receipt]").get_attribute("data-receipt")
    page.locator("#receipt-saved").check()
    tab.goto("/followup?lang=fa")
    page.fill("#receipt", receipt)
    page.locator("#followup-form [type=submit]").click()
    page.locator("[data-case-view]").wait_for()
    page.wait_for_function(
        "(name) => document.querySelector('.attachment-name')?.textContent.startsWith(name)",
        arg=evidence.name,
    )
    assert page.evaluate("() => [document.documentElement.lang, document.dir]") == ["fa", "rtl"]
    assert _latin_words(page, own={"pdf"}) == set()


def test_an_arabic_page_lays_out_right_to_left(public_browser: Any, intake_key: object) -> None:
    tab = public_browser.new_page(javascript=False)
    page = tab.page
    tab.goto("/tip?lang=ar")
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    main = page.locator("main").bounding_box()
    heading = page.locator("main h1").first.bounding_box()
    label = page.locator("label[for=what_happened]").bounding_box()
    assert main
    assert heading
    assert label
    # Text starts at the right edge of the page's column and runs leftwards.
    main_right = main["x"] + main["width"]
    for box in (heading, label):
        assert abs((box["x"] + box["width"]) - main_right) < 40, (box, main)
        assert box["x"] > main["x"] + 10
    # The same page in English starts at the left.
    tab.goto("/tip?lang=en")
    english = page.locator("label[for=what_happened]").bounding_box()
    assert english
    assert abs(english["x"] - main["x"]) < 40
