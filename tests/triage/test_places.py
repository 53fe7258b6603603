"""The gazetteer: places to countries in every script, and the names it must not take."""

from __future__ import annotations

import pytest

from triage.extract import country_code, extract
from triage.places import country_of, find_places


def _found(text: str) -> list[tuple[str, str, str]]:
    return [(text[m.start : m.end], m.country, m.kind) for m in find_places(text)]


@pytest.mark.parametrize(
    ("text", "place", "country"),
    [
        ("The lathes were trucked to Tehran last May.", "Tehran", "IR"),
        ("Loaded at Bandar Abbas on a feeder vessel.", "Bandar Abbas", "IR"),
        ("A broker in Shenzhen placed the order.", "Shenzhen", "CN"),
        ("Invoices came from Dubai.", "Dubai", "AE"),
        ("Their office moved to Yerevan.", "Yerevan", "AM"),
        ("Die Ware ging nach Teheran.", "Teheran", "IR"),
        ("Груз ушёл в Тегеран.", "Тегеран", "IR"),
        ("Склад находится в Тегеране.", "Тегеране", "IR"),
        ("الشحنة وصلت إلى دبي أمس.", "دبي", "AE"),
        ("المكتب الرئيسي ببيروت.", "ببيروت", "LB"),
        ("بار در تهران تحویل شد.", "تهران", "IR"),
        ("货物经深圳转运。", "深圳", "CN"),
        ("화물은 이란에서 출발했다.", "이란에서", "IR"),
    ],
)
def test_a_place_in_any_script_gives_its_country(text: str, place: str, country: str) -> None:
    assert (place, country) in [(p, c) for p, c, _ in _found(text)]


def test_country_names_in_other_languages_and_their_inflected_forms() -> None:
    found = _found("Товар везли из Ирана в Россию через Эстонию, для иранской компании.")
    assert [(p, c) for p, c, _ in found] == [
        ("Ирана", "IR"),
        ("Россию", "RU"),
        ("Эстонию", "EE"),
        ("иранской", "IR"),
    ]
    assert all(kind == "country" for _, _, kind in found)
    assert [c for _, c, _ in _found("شحنات إلى الصين وبالعراق والشركات الإيرانية")] == [
        "CN",
        "IQ",
        "IR",
    ]
    assert [c for _, c, _ in _found("经香港转运到伊朗和朝鲜")] == ["HK", "IR", "KP"]


@pytest.mark.parametrize(
    "text",
    [
        "Nice work on the forecast.",
        "Mobile phones and chargers only.",
        "Reading the contract again, nothing is wrong.",
        "Victoria signed the delivery note.",
        "Jordan Smith is our accountant.",
        "Mr Houston approved the order.",
        "John Lincoln approved the order.",
        "the shipment went to tehran",  # not capitalised: not taken in Latin script
        "Сергей подписал накладную.",
        "أنا المدير المالي في الشركة.",
        "我们和东方公司签了合同。",
    ],
)
def test_common_words_and_names_of_people_are_not_places(text: str) -> None:
    assert _found(text) == []


def test_the_larger_city_and_the_country_win_an_ambiguous_name() -> None:
    # Islamabad is also an old name of Chattogram; Armenia is also a city in Colombia.
    assert _found("They met in Islamabad.") == [("Islamabad", "PK", "city")]
    assert _found("Armenia was the next stop.") == [("Armenia", "AM", "country")]


def test_a_city_name_two_countries_share_in_like_measure_names_no_country() -> None:
    # Santa Clara: Cuba's and California's; Saint-Denis: Réunion's and France's.
    assert _found("Our office is in Santa Clara.") == []
    assert _found("The depot in Saint-Denis took the parcel.") == []
    assert _found("The parts left from Tripoli.") == [("Tripoli", "LY", "city")]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("The factory is in Guangdong.", "CN"),
        ("广东省的工厂发的货。", "CN"),
        ("Завод находится в Гуандуне.", "CN"),
        ("The plant in Khuzestan took them.", "IR"),
        ("Trucks left New Hampshire on Monday.", "US"),
        ("Ein Lager in Bayern.", "DE"),
    ],
)
def test_provinces_in_any_script_name_their_country(text: str, country: str) -> None:
    assert [(found[1], found[2]) for found in _found(text)] == [(country, "province")]


def test_a_province_named_like_its_capital_leaves_the_city_and_common_words_name_none() -> None:
    assert _found("They met in Islamabad.") == [("Islamabad", "PK", "city")]
    # Papua New Guinea's Gulf province, Punjab in India and in Pakistan.
    assert _found("Gulf Flow Equipment shipped it.") == []
    assert _found("A buyer in Punjab.") == []
    assert _found("En el Norte del país, por la Unity.") == []
    # Ontario: Canada's province, not the Californian city an alternate name ranks above.
    assert _found("A plant in Ontario.") == [("Ontario", "CA", "province")]


def test_country_fields_in_any_script() -> None:
    assert country_of("Тегеран") == "IR"
    assert country_of("Shenzhen, Guangdong") == "CN"
    assert country_code("الإمارات") == "AE"
    assert country_code("中国香港") == "HK"
    assert country_code("Эстония") == "EE"
    assert country_code("Nowhere in particular") is None


def test_extraction_gives_cities_with_their_kind_and_name() -> None:
    body = {
        "form": "tip",
        "format": 1,
        "what_happened": "The CNC machines left Hamburg for Dubai, then went on to Тегеран.",
        "route": "Jebel Ali",
    }
    places = extract(body).places
    summary = [(p.evidence.text, p.country, p.kind, p.name) for p in places]
    assert ("Hamburg", "DE", "city", "Hamburg") in summary
    assert ("Dubai", "AE", "city", "Dubai") in summary
    assert ("Тегеран", "IR", "city", "Tehran") in summary
    zones = [p for p in places if p.kind == "free_trade_zone"]
    assert [(z.country, z.free_trade_zone) for z in zones] == [("AE", "Jebel Ali Free Zone")]
    # A city is never a free-trade zone: that stays the vocabulary's own list.
    assert all(p.free_trade_zone is None for p in places if p.kind == "city")
