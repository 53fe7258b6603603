"""Which language a page is in: the one home of that rule.

The public site ships in every language of `SHIPPED`; the console in English
only (its strings are marked for translation, none is shipped yet).

A reporter's language comes from the page address (``?lang=fa``, set by the
language picker and carried by every link and form of the public site), else
from the browser's ``Accept-Language``, else English. Nothing about the choice
is stored: no cookie, no session value. A reporter on a shared or seized
computer leaves no trace of having switched the site to Persian beyond the
browser's own history, and Tor Browser, which sends ``en-US`` whatever the
reporter reads, still gets the language picked on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import Locale
from flask import Flask, request, url_for

from reporting.web.cookies import CONSOLE_PREFIX

__all__ = [
    "DEFAULT",
    "LANGUAGE_ARG",
    "SHIPPED",
    "Language",
    "language_choices",
    "page_language",
    "select_locale",
]

LANGUAGE_ARG = "lang"


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # the catalogue's folder under reporting/translations ("zh_Hans")
    tag: str  # BCP 47, for lang= and ?lang= ("zh-Hans")
    name: str  # the language's name in itself ("简体中文")
    rtl: bool

    @classmethod
    def of(cls, code: str) -> Language:
        locale = Locale.parse(code)
        name = locale.get_display_name(locale) or code
        return cls(
            code=code,
            tag=code.replace("_", "-"),
            name=name[:1].upper() + name[1:],
            rtl=locale.text_direction == "rtl",
        )


# English first, then by code: the picker lists them so, each in its own name.
SHIPPED: tuple[Language, ...] = tuple(
    Language.of(code) for code in ("en", "ar", "de", "es", "fa", "fr", "ko", "ru", "tr", "zh_Hans")
)
DEFAULT = SHIPPED[0]
_BY_TAG = {language.tag.lower(): language for language in SHIPPED}


def _public_request() -> bool:
    return not request.path.startswith(CONSOLE_PREFIX)


def _chosen() -> Language | None:
    """The language the page address names, if it is a shipped one."""
    return _BY_TAG.get(request.args.get(LANGUAGE_ARG, "").strip().lower())


def page_language() -> Language:
    if not _public_request():
        return DEFAULT
    chosen = _chosen()
    if chosen is not None:
        return chosen
    # Werkzeug falls back to the primary subtag: "zh-CN" finds "zh-Hans", "fa-IR" "fa".
    best = request.accept_languages.best_match([language.tag for language in SHIPPED])
    return _BY_TAG.get(best.lower(), DEFAULT) if best else DEFAULT


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    return page_language().code


def language_choices() -> list[tuple[Language, str]]:
    """Each shipped language with the address of this page in it (query kept)."""
    if request.endpoint is None or request.url_rule is None:
        return []
    endpoint, arguments = request.endpoint, {**(request.view_args or {}), **request.args}
    if "GET" not in (request.url_rule.methods or ()):
        # An answer to a form that only takes a POST: its address cannot be opened.
        endpoint, arguments = "public.index", {}
    return [
        (language, url_for(endpoint, **{**arguments, LANGUAGE_ARG: language.tag}))
        for language in SHIPPED
    ]


def _keep_chosen_language(endpoint: str, values: dict[str, Any]) -> None:
    """Every address the public site makes carries the language the reporter picked."""
    if not endpoint.startswith("public.") or LANGUAGE_ARG in values:
        return
    chosen = _chosen()
    if chosen is not None:
        values[LANGUAGE_ARG] = chosen.tag


def init_languages(app: Flask) -> None:
    app.url_defaults(_keep_chosen_language)
    app.context_processor(
        lambda: {"page_language": page_language(), "language_choices": language_choices}
    )
