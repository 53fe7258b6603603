"""Every piece of English the console's templates show is marked for translation.

Only English is shipped for the console, but its words must reach the
catalogue (`pybabel extract`, docs/translation.md) like the public site's: the
templates say them through `_()` or `ngettext()` and never as bare text. The
check reads each template under templates/console/, replaces its Jinja tags
(`{{ }}`, `{% %}`, `{# #}`) with a placeholder that holds no letter, parses
what is left with the standard library's HTML parser, and refuses any text
node, and any `title`, `aria-label`, `placeholder` or `alt` attribute or
button's `value`, that still contains a letter. English inside a Jinja
expression (a string literal in `{{ }}`) is beyond this check.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "console"

# Jinja's tags. Each becomes PLACEHOLDER, padded so that a tag written inside a
# start tag (`<tr{% if %} class="x"{% endif %}>`) stays apart from its name,
# and followed by the tag's own line breaks so that line numbers still match.
JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
PLACEHOLDER = " \N{SECTION SIGN} "

# Attributes a user reads (or hears), checked like text nodes.
SHOWN_ATTRIBUTES = frozenset({"title", "aria-label", "placeholder", "alt"})
# Input types whose `value` is the button's label.
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})
# Elements whose content is code, not text.
CODE_ELEMENTS = frozenset({"script", "style"})

# Text that may stay unmarked, each with its reason. Keep it short.
ALLOWED = frozenset(
    {
        # Names of file formats (the metrics export's links) and of a hash
        # function (a column of the screening lists), the same in every language.
        "CSV",
        "JSON",
        "SHA-256",
        # The audit log filter's placeholders: examples of an action prefix and
        # of a target as the log writes them (codes, not English).
        "report.",
        "report:12",
        # Markup, not text: console/base.html fills templates/base.html's
        # `body_class` block, which sits inside the <body> start tag.
        'class="console"',
    }
)


def _without_jinja(source: str) -> str:
    return JINJA_TAG.sub(lambda tag: PLACEHOLDER + "\n" * tag.group().count("\n"), source)


def _has_words(text: str) -> bool:
    shown = " ".join(text.replace(PLACEHOLDER.strip(), " ").split())
    return any(character.isalpha() for character in shown) and shown not in ALLOWED


class _UnmarkedFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._in_code = 0

    def _found(self, what: str, data: str = "") -> None:
        # The line of the first letter, not of the leading blank lines and tags.
        first_letter = (
            next(index for index, character in enumerate(data) if character.isalpha())
            if data
            else 0
        )
        line = self.getpos()[0] + data.count("\n", 0, first_letter)
        self.found.append((line, " ".join(what.split())))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_attributes(tag, attrs)
        if tag in CODE_ELEMENTS:
            self._in_code += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in CODE_ELEMENTS and self._in_code:
            self._in_code -= 1

    def handle_data(self, data: str) -> None:
        if not self._in_code and _has_words(data):
            self._found(data, data)

    def _check_attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        is_button = tag == "button" or (
            tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES
        )
        for name, value in attrs:
            checked = name in SHOWN_ATTRIBUTES or (name == "value" and is_button)
            if checked and value is not None and _has_words(value):
                self._found(f'{name}="{value}"')


def unmarked_strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of each unmarked piece of English in one template's source."""
    finder = _UnmarkedFinder()
    finder.feed(_without_jinja(source))
    finder.close()
    return finder.found


def unmarked_under(root: Path) -> list[str]:
    """`path:line: text` of each unmarked piece of English in the templates under `root`."""
    return [
        f"{template.relative_to(root)}:{line}: {text}"
        for template in sorted(root.rglob("*.html"))
        for line, text in unmarked_strings(template.read_text(encoding="utf-8"))
    ]


CONSOLE_TEMPLATES = sorted(TEMPLATES.rglob("*.html"))


def test_the_console_has_templates() -> None:
    assert len(CONSOLE_TEMPLATES) > 10


@pytest.mark.parametrize(
    "template", CONSOLE_TEMPLATES, ids=[str(t.relative_to(TEMPLATES)) for t in CONSOLE_TEMPLATES]
)
def test_every_string_of_the_template_is_marked(template: Path) -> None:
    assert unmarked_strings(template.read_text(encoding="utf-8")) == []


def test_an_unmarked_string_in_a_copy_is_found(tmp_path: Path) -> None:
    copy = tmp_path / "console"
    shutil.copytree(TEMPLATES, copy)
    assert unmarked_under(copy) == []

    account = copy / "account.html"
    source = account.read_text(encoding="utf-8")
    # Unmarked text, attributes and a button's value, at the end of the content block.
    before, end, after = source.rpartition("{% endblock %}")
    added = (
        '<p>{{ _("Marked") }} Left unmarked {{ user.username }}</p>\n'
        '<p title="{{ _(\'Marked\') }}" aria-label="Unmarked label">·</p>\n'
        '<input type="submit" value="Unmarked button"><input type="text" value="data">\n'
        '<button value="{{ 1 }}" alt="Unmarked alt">{{ _("Marked") }}</button>\n'
        '<img alt="" placeholder="CSV">\n'
    )
    account.write_text(before + added + end + after, encoding="utf-8")

    found = unmarked_under(copy)
    assert [entry.split(": ", 1)[1] for entry in found] == [
        "§ Left unmarked §",
        'aria-label="Unmarked label"',
        'value="Unmarked button"',
        'alt="Unmarked alt"',
    ]
    first_line = before.count("\n") + 1
    assert found[0].startswith(f"account.html:{first_line}: ")


@pytest.mark.parametrize(
    "source",
    [
        "{% block title %}Cases · {{ _('Vigil console') }}{% endblock %}",
        "<td>{% if current %}current{% endif %}</td>",
        "{# a comment #}<th>{{ label }}</th>\n<span>Read</span>",
        "<a title='Open the case' href='{{ url }}'>{{ reference }}</a>",
        '<nav aria-label="Pages"></nav>',
    ],
)
def test_each_kind_of_unmarked_text_is_found(source: str) -> None:
    assert unmarked_strings(source) != []


def test_marked_text_symbols_and_data_pass() -> None:
    source = (
        "{% extends 'console/base.html' %}\n"
        "{% block content %}<h1>{{ _('Case %(reference)s', reference=ref) }}</h1>\n"
        "<p>{{ a }} · {{ b }} \N{MULTIPLICATION SIGN} 2 → {{ c }} (3, 4); — &lt;5</p>\n"
        '<form aria-label="{{ _(\'Filter\') }}"><input type="month" placeholder="2025-01">'
        '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
        '<button type="submit" value="{{ v }}">{{ _("Show") }}</button></form>\n'
        "{% endblock %}"
    )
    assert unmarked_strings(source) == []
