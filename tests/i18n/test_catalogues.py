"""Every shipped language's catalogue is complete and keeps every placeholder.

A reporter must not meet an English sentence in a page they switched to
Persian, nor a sentence whose number or name was lost in translation: a
missing ``%(count)d`` shows the raw template, a missing ``{name}`` hides
which file failed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from reporting.web.languages import DEFAULT, SHIPPED

TRANSLATIONS = Path(__file__).resolve().parents[2] / "reporting" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
# Words spelt the same in English and the language: the product's name,
# codes and units everywhere, and a few ordinary words in each language.
SAME_EVERYWHERE = {"Vigil", "ECCN", "KiB", "MiB", "GiB"}
SAME_IN = {
    "de": {"Bank", "Name", "Status"},
    "es": {"Error %(status)d", "{count} bytes"},
    "fr": {"Dates", "Description", "Messages"},
}


def _catalogue(code: str) -> Catalog:
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


def _template() -> Catalog:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        return read_po(handle)


# The console ships in English only: a sentence only the console shows needs no translation.
CONSOLE_ONLY = ("templates/console/", "reporting/console/", "reporting/admin/")


def _public(message: Message) -> bool:
    return not message.locations or any(
        not path.startswith(CONSOLE_ONLY) for path, _ in message.locations
    )


def _strings(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


TRANSLATED = [language.code for language in SHIPPED if language != DEFAULT]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_sentence_is_translated_and_keeps_its_placeholders(code: str) -> None:
    catalogue = _catalogue(code)
    problems = []
    for message in _template():
        if not message.id or not _public(message):
            continue
        translated = catalogue.get(message.id)
        if translated is None or not all(_strings(translated)):
            problems.append(f"untranslated: {message.id!r}")
            continue
        if translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        wanted = sorted(PLACEHOLDER.findall(str(message.id)))
        for text in _strings(translated):
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders {wanted} lost in {text!r}")
            if text == message.id and text not in SAME_EVERYWHERE | SAME_IN.get(code, set()):
                problems.append(f"left in English: {text!r}")
    assert problems == []


def test_the_template_holds_every_marked_sentence() -> None:
    """messages.pot is regenerated whenever a marked sentence changes (docs/translation.md)."""
    from babel.messages.extract import extract_from_dir

    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "lazy_gettext": None,
        "_l": None,
        "translatable": None,
    }
    root = TRANSLATIONS.parent.parent
    with (root / "babel.cfg").open() as config:
        from babel.messages.frontend import parse_mapping_cfg

        method_map, options_map = parse_mapping_cfg(config)
    found = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            root, method_map, options_map, keywords=keywords
        )
    }
    listed = {
        message.id if isinstance(message.id, str) else message.id[0] for message in _template()
    }
    assert sorted(found - listed) == []
    assert sorted(listed - found - {""}) == []
