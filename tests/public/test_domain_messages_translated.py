"""A domain error's words reach the reporter in the request's language (docs/translation.md).

The domain marks its sentences with `translatable` and keeps them in English;
reporting/web/errors.py translates them when it renders a page or a JSON
error, and templates that show one themselves use the `translated` filter.
These tests compile a small catalogue of their own, for a language Vigil does
not ship, and have the app choose its locale.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask

from tests.public.support import Reporter, seal_tip
from tests.public.test_followup import file_nojs, open_case

ROOT = Path(__file__).resolve().parents[2]
PYBABEL = Path(sys.executable).with_name("pybabel")

# A test-only catalogue, for a language Vigil does not ship (Italian), with marked
# sentences, so that no English one can pass for a translation.
LOCALE = "it"
CATALOGUE = {
    "Not accepting reports yet": "XX not accepting",
    "This site is not set up to receive reports yet. Please try again later.": "XX not set up",
    "At most %(count)d files can be sent at once.": "XX at most %(count)d files",
    "No case matches this receipt. Check that you typed it exactly as it was shown.": (
        "XX no case matches"
    ),
    "Not Found": "XX not found",
    "There is nothing here.": "XX nothing here",
}


@pytest.fixture
def translated_app(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    catalogue = Catalog(locale=LOCALE)
    for msgid, msgstr in CATALOGUE.items():
        catalogue.add(msgid, msgstr, flags=["python-format"] if "%(" in msgid else [])
    directory = tmp_path / "translations" / LOCALE / "LC_MESSAGES"
    directory.mkdir(parents=True)
    with (directory / "messages.mo").open("wb") as mo:
        write_mo(mo, catalogue)
    babel = app.extensions["babel"]
    monkeypatch.setattr(babel, "translation_directories", [str(tmp_path / "translations")])
    monkeypatch.setattr(babel, "locale_selector", lambda: LOCALE)
    # Flask-Babel caches catalogues per process (its Babel object is shared by
    # every app): this one must neither find nor leave another test's.
    with app.app_context():
        cache = babel.instance.domain_instance.cache
    cache.clear()
    yield app
    cache.clear()


def test_a_domain_error_page_is_translated(translated_app):
    response = translated_app.test_client().get("/tip")  # no intake key: NotAcceptingReports
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "XX not accepting" in html
    assert "XX not set up" in html
    assert "Not accepting reports yet" not in html


def test_a_domain_error_in_json_is_translated_with_its_values(translated_app, settings, intake_key):
    reporter = Reporter(translated_app.test_client())
    uploads = [reporter.open_upload() for _ in range(settings.max_attachments + 1)]
    response = reporter.submit(seal_tip(intake_key.public_key), uploads)
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "invalid_submission",
        "message": f"XX at most {settings.max_attachments} files",
    }


def test_a_domain_error_a_view_shows_itself_is_translated(translated_app, intake_key):
    client = translated_app.test_client()
    file_nojs(client, "/tip", {"what_happened": "x"})
    wrong = open_case(client, "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PC")  # CaseNotFound, on the form's page
    assert wrong.status_code == 404
    assert "XX no case matches" in wrong.get_data(as_text=True)


def test_the_http_errors_domain_words_are_translated(translated_app):
    response = translated_app.test_client().get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "XX not found" in html
    assert "XX nothing here" in html


def _marked_sentences() -> set[str]:
    """Every sentence passed to `translatable(...)` in reporting/, read from the source."""
    sentences = set()
    for path in (ROOT / "reporting").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "translatable"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                sentences.add(node.args[0].value)
    return sentences


def test_the_documented_extraction_collects_every_domain_sentence(tmp_path):
    marked = _marked_sentences()
    assert "At most %(count)d files can be sent at once." in marked
    assert "Only a voluntary self-disclosure has later stages." in marked
    template = tmp_path / "messages.pot"
    # The command of docs/translation.md, with babel.cfg alone naming the keywords.
    subprocess.run(
        [str(PYBABEL), "extract", "-F", "babel.cfg", "-o", str(template), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    with template.open("rb") as pot:
        extracted = {message.id for message in read_po(pot) if message.id}
    assert marked <= extracted, sorted(marked - extracted)
