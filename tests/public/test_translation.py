"""Every user-facing string can be extracted for translation (docs/translation.md)."""

from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parents[2]


def test_strings_extract_from_code_and_templates():
    method_map = [("reporting/**.py", "python"), ("templates/**.html", "jinja2")]
    messages = {
        message
        for _, _, message, _, _ in extract_from_dir(
            ROOT,
            method_map=method_map,
            keywords={
                "_": None,
                "gettext": None,
                "lazy_gettext": None,
                "_l": None,
                "translatable": None,
            },
        )
    }
    for expected in (
        "JavaScript is off: your browser cannot encrypt this form.",
        "Too many attempts",
        "No case matches this receipt. Check that you typed it exactly as it was shown.",
        "What happened?",
        "I have saved my receipt",
    ):
        assert expected in messages
