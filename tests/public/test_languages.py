"""The public site in the reporter's language: chosen, kept, never stored, never half English.

The language comes from ``?lang=`` (the picker), else from Accept-Language,
else English (reporting/web/languages.py); the console stays in English.
Every page a reporter meets on the way to a receipt and back is rendered in
every shipped language and read as the reporter reads it: what is shown and
what is read aloud (labels, placeholders, button values), without the inert
template of the scripts' sentences, which the catalogue test covers.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from reporting.web.languages import DEFAULT, SHIPPED
from tests.fixtures.app import csrf_token_from, shown_html
from tests.i18n.test_catalogues import TRANSLATIONS
from tests.public.test_followup import file_nojs, receipt_from

TRANSLATED = [language for language in SHIPPED if language != DEFAULT]
NON_LATIN = {"ar", "fa", "ko", "ru", "zh_Hans"}
# Data, not language: the case reference (VGL-7K2Q9M4X) and the receipt, in any grouping.
RECEIPT_OR_REFERENCE = re.compile(
    r"(?<![0-9A-Z])(?:VGL-[0-9A-Z]{8}|(?:[0-9A-Z]{4}\s*-?\s*){5}[0-9A-Z]{4})"
)
LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ'\u2019]+")
LANG_ATTRIBUTE = re.compile(r'<html lang="([^"]+)" dir="(ltr|rtl)">')
# Latin words a page in another script may still show: product names (Vigil,
# Tor Browser, JavaScript), the e-mail example, codes of the trade, units,
# and the technical terms translators keep beside their own word ("cookie").
LATIN_ALLOWED = {
    "vigil", "tor", "browser", "ip", "eccn", "hs", "cas", "kib", "mib", "gib",
    "name", "example", "org", "javascript", "utc", "cookie", "cookies", "hash",
    "fingerprint", "exif", "xmp", "gps", "pdf", "jpeg", "png",
    "english", "deutsch", "español", "français", "türkçe",
}  # fmt: skip


class _Shown(HTMLParser):
    """What a reader meets: text outside scripts and styles, and the attributes read aloud."""

    SPOKEN = ("aria-label", "placeholder", "title", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0
        self._language_stack: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in {"script", "style"}:
            self._skipping += 1
        # The picker names each language in itself, marked with its own lang=.
        if attributes.get("hreflang"):
            self._skipping += 1
            self._language_stack.append(tag)
        self.parts += [value for name, value in attrs if name in self.SPOKEN and value]
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skipping -= 1
        if self._language_stack and self._language_stack[-1] == tag:
            self._language_stack.pop()
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _shown_words(html: str) -> str:
    parser = _Shown()
    parser.feed(shown_html(html))
    return " ".join(" ".join(parser.parts).split())


def _english_sentences(code: str) -> set[str]:
    """The English sentences the language's catalogue translates differently."""
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=code)
    return {
        message.id
        for message in catalogue
        if isinstance(message.id, str)
        and len(message.id.split()) >= 2
        and "%(" not in message.id
        and "{" not in message.id
        and message.string != message.id
    }


def _pages(client: FlaskClient, tag: str) -> dict[str, str]:
    """Every page on the way to a receipt and back, in the language `tag`."""
    pages = {
        path: client.get(f"{path}?lang={tag}").get_data(as_text=True)
        for path in ("/", "/tip", "/disclosure", "/followup", "/privacy", "/no-such-page")
    }
    receipt_page = _post(client, f"/tip?lang={tag}", {"what_happened": "Valves"}, expect=200)
    pages["receipt"] = receipt_page
    pages["case"] = _post(
        client, f"/followup?lang={tag}", {"receipt": receipt_from(receipt_page)}, expect=200
    )
    pages["case not found"] = _post(
        client, f"/followup?lang={tag}", {"receipt": "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PC"}, expect=404
    )
    pages["form with errors"] = _post(client, f"/tip?lang={tag}", {}, expect=400)
    return pages


def _post(client: FlaskClient, path: str, data: dict[str, object], *, expect: int) -> str:
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    response = client.post(
        path,
        data={"csrf_token": token, **data},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("address", "accept", "tag", "direction"),
    [
        ("/", None, "en", "ltr"),
        ("/", "fa-IR,fa;q=0.9,en;q=0.5", "fa", "rtl"),
        ("/", "zh-CN,zh;q=0.9", "zh-Hans", "ltr"),
        ("/", "de-AT", "de", "ltr"),
        ("/", "pt-BR", "en", "ltr"),
        ("/?lang=ar", "en-US", "ar", "rtl"),
        ("/?lang=zh-hans", None, "zh-Hans", "ltr"),
        ("/?lang=xx", "ru", "ru", "ltr"),  # an unknown choice falls back to the browser's
    ],
)
def test_the_language_comes_from_the_address_then_the_browser(
    client: FlaskClient, address: str, accept: str | None, tag: str, direction: str
) -> None:
    headers = {"Accept-Language": accept} if accept else {}
    html = client.get(address, headers=headers).get_data(as_text=True)
    assert LANG_ATTRIBUTE.search(html).groups() == (tag, direction)  # type: ignore[union-attr]


def test_the_chosen_language_stays_in_every_link_and_form_and_nowhere_else(
    client: FlaskClient, intake_key: object
) -> None:
    response = client.get("/tip?lang=fa", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    actions = re.findall(r'<form[^>]* action="([^"]*)"', html)
    assert actions
    assert all("lang=fa" in action for action in actions)
    own_links = [
        link
        for link in re.findall(r'<a[^>]* href="(/[^"]*)"', html)
        if not link.startswith("/static/") and "#" not in link
    ]
    assert own_links
    assert all("lang=" in link for link in own_links)
    picker = re.findall(r'<a href="([^"]*)" lang="([^"]+)" hreflang="[^"]+"', html)
    assert [tag for _, tag in picker] == [language.tag for language in SHIPPED]
    assert all(link.startswith("/tip?lang=") for link, _ in picker)
    # Nothing remembers the choice: no cookie names it, the next page without it is English.
    assert all("fa" not in cookie for cookie in response.headers.getlist("Set-Cookie"))
    again = client.get("/tip", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert LANG_ATTRIBUTE.search(again).groups() == ("en", "ltr")  # type: ignore[union-attr]


def test_the_console_stays_in_english(client: FlaskClient) -> None:
    html = client.get("/console/sign-in", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert LANG_ATTRIBUTE.search(html).groups() == ("en", "ltr")  # type: ignore[union-attr]


def test_an_error_from_the_api_comes_in_the_page_language(client: FlaskClient) -> None:
    """The script sends the page's language as Accept-Language (static/js/src/public/api.js)."""
    english = client.post("/api/reports", json={}, headers={"Accept-Language": "en"})
    persian = client.post("/api/reports", json={}, headers={"Accept-Language": "fa"})
    assert english.status_code == persian.status_code
    assert 400 <= persian.status_code < 500
    assert persian.get_json()["message"] != english.get_json()["message"]


@pytest.mark.parametrize("language", TRANSLATED, ids=[language.code for language in TRANSLATED])
def test_no_english_is_left_on_any_public_page(
    app: Flask, intake_key: object, language: object
) -> None:
    code, tag = language.code, language.tag  # type: ignore[attr-defined]
    english = _english_sentences(code)
    for name, html in _pages(app.test_client(), tag).items():
        assert LANG_ATTRIBUTE.search(html).group(1) == tag, name  # type: ignore[union-attr]
        shown = _shown_words(html)
        left = [
            sentence for sentence in english if sentence in shown or str(escape(sentence)) in shown
        ]
        assert left == [], f"{name} in {code}"
        if code in NON_LATIN:
            data = RECEIPT_OR_REFERENCE.sub(" ", shown)
            latin = {
                word.lower()
                for word in LATIN_WORD.findall(data)
                if word.lower() not in LATIN_ALLOWED
            }
            # The reporter's own words ("Valves") and the receipt's letters are theirs.
            latin -= {"valves"}
            assert latin == set(), f"{name} in {code}"


def test_an_arabic_receipt_page_is_right_to_left(app: Flask, intake_key: object) -> None:
    client = app.test_client()
    receipt = file_nojs(client, "/tip?lang=ar", {"what_happened": "x", "attachments": []})
    assert receipt
    html = client.get("/followup?lang=ar").get_data(as_text=True)
    assert LANG_ATTRIBUTE.search(html).groups() == ("ar", "rtl")  # type: ignore[union-attr]
