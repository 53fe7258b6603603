"""Extraction: every notation of codes, goods, countries, vessels, amounts and e-mail."""

from __future__ import annotations

import pytest

from triage.extract import country_code, extract, fold_same_length
from triage.model import Domain


def tip(what: str, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "form": "tip",
        "format": 1,
        "what_happened": what,
        "goods": [],
        "parties": [],
        "route": "",
        "dates": "",
        "payment": "",
        "how_known": "",
        "conflicts": [],
    }
    body.update(fields)
    return body


def codes(body: dict[str, object], scheme: str) -> list[str]:
    return [c.code for c in extract(body).codes if c.scheme == scheme]


@pytest.mark.parametrize(
    "text",
    [
        "The chips were declared under HS 8542.31 at customs.",
        "Declared under HS code 854231.",
        "tariff heading 8542 31 00 on the invoice",
        "HTS 8542.31.0000 per the commercial invoice",
        "shipped as 8542.31 (processors)",
    ],
)
def test_hs_code_notations_normalise_to_six_digits(text: str) -> None:
    found = extract(tip(text)).codes
    hs = [c for c in found if c.scheme == "hs"]
    assert [c.code for c in hs] == ["854231"]
    assert hs[0].chpl_tier == 1  # on the Common High Priority List, tier 1
    assert text[hs[0].evidence.start : hs[0].evidence.end] == hs[0].evidence.text


def test_hs_code_field_accepts_any_notation() -> None:
    body = tip(
        "x", goods=[{"description": "ICs", "code": "8542 31 00", "quantity": "", "value": ""}]
    )
    assert codes(body, "hs") == ["854231"]
    body = tip("x", goods=[{"description": "ICs", "code": "854239", "quantity": "", "value": ""}])
    assert codes(body, "hs") == ["854239"]


def test_bare_numbers_in_text_are_not_hs_codes() -> None:
    body = tip("In 2019 he paid $8542.31 and called +1 202 555 0100; order 854231 was late.")
    assert codes(body, "hs") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("classified ECCN 3A001.a.2", ["3A001"]),
        ("carbon fibre, 1C010.b, and a 2B350 reactor", ["1C010", "2B350"]),
        ("listed as 3a090 by the exporter", ["3A090"]),
        ("the item is EAR99", ["EAR99"]),
    ],
)
def test_eccns(text: str, expected: list[str]) -> None:
    assert codes(tip(text), "eccn") == expected


def test_eu_dual_use_codes_by_context() -> None:
    body = tip("Listed in EU Regulation 2021/821 Annex I as 2B350; the US side says ECCN 3A001.")
    assert codes(body, "eu_dual_use") == ["2B350"]
    assert codes(body, "eccn") == ["3A001"]


def test_part_numbers_are_not_eccns() -> None:
    assert codes(tip("part AD9361BBCZ and model X3A001B and 13A0012"), "eccn") == []


@pytest.mark.parametrize(
    ("text", "term", "domain"),
    [
        ("200 kg of MARAGING STEEL bar", "maraging steel", Domain.NUCLEAR),
        ("two frequency-changers for motors", "frequency changers", Domain.NUCLEAR),
        ("Carbon-Fiber prepreg", "carbon fibre", Domain.NUCLEAR),
        ("fibre optic gyros and accelerometers", "gyroscopes", Domain.MISSILE),
        ("a 500-litre fermenter", "fermenters", Domain.BIOLOGICAL),
        ("drums of thiodiglycol", "thiodiglycol", Domain.CHEMICAL),
        ("Dimethyl methylphosphonate (DMMP)", "dimethyl methylphosphonate", Domain.CHEMICAL),
        ("Nvidia GPUs for an AI cluster", "advanced computing chips", Domain.MILITARY),
        ("glass-lined reactors", "glass-lined reactors", Domain.CHEMICAL),
        ("UDMH fuel", "UDMH", Domain.MISSILE),
    ],
)
def test_goods_vocabulary(text: str, term: str, domain: Domain) -> None:
    goods = extract(tip(text)).goods
    match = [g for g in goods if g.term == term]
    assert match, goods
    assert match[0].domain is domain
    assert match[0].evidence.text == text[match[0].evidence.start : match[0].evidence.end]


def test_diacritics_case_and_punctuation() -> None:
    extraction = extract(
        tip("Fréquency CHANGERS shipped to Türkiye, then to the U.A.E. via Jébel-Ali.")
    )
    assert {g.term for g in extraction.goods} == {"frequency changers"}
    assert {p.country for p in extraction.places} == {"TR", "AE"}
    zones = [p.free_trade_zone for p in extraction.places if p.free_trade_zone]
    assert zones == ["Jebel Ali Free Zone"]
    evidence = [p.evidence.text for p in extraction.places]
    assert "Türkiye" in evidence
    assert "Jébel-Ali" in evidence


def test_fold_keeps_length() -> None:
    for text in ["Türkiye", "İstanbul", "Straße", "naïve café", "Ærø"]:
        assert len(fold_same_length(text)) == len(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Iran", "IR"),
        ("IRN", "IR"),
        ("ir", "IR"),
        ("Islamic Republic of Iran", "IR"),
        ("DPRK", "KP"),
        ("North Korea", "KP"),
        ("the Netherlands", "NL"),
        ("Dubai, UAE", "AE"),
        ("Türkiye", "TR"),
        ("Russian", "RU"),
        ("Narnia", None),
    ],
)
def test_country_fields(value: str, expected: str | None) -> None:
    assert country_code(value) == expected


def test_short_codes_in_free_text_are_not_countries() -> None:
    # "IN", "IT", "AT", "AS" are English words; only unambiguous abbreviations count.
    extraction = extract(tip("IT IS IN AT the depot AS agreed; ship to the UAE and the PRC."))
    assert sorted({p.country for p in extraction.places}) == ["AE", "CN"]


def test_demonyms_and_names() -> None:
    extraction = extract(tip("An Iranian buyer and a Chinese broker used a Kyrgyz firm."))
    assert sorted({p.country for p in extraction.places}) == ["CN", "IR", "KG"]


def test_imo_numbers_with_check_digit() -> None:
    extraction = extract(tip("Vessel IMO 8905490, sister ship IMO no. 7937317, bogus IMO 8905491."))
    assert [number for number, _ in extraction.vessels] == ["8905490", "7937317"]


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("paid US$1.2 million", 1_200_000.0, "USD"),
        ("an invoice of $45,000.50", 45_000.5, "USD"),
        ("EUR 3.5m", 3_500_000.0, "EUR"),
        ("€ 12.000,00 in cash", 12_000.0, "EUR"),
        ("2,500,000 AED", 2_500_000.0, "AED"),
        ("150 000 roubles", 150_000.0, "RUB"),
        ("about 72,000 US dollars", 72_000.0, "USD"),
        ("RMB 800k", 800_000.0, "CNY"),
        ("10,000 USDT", 10_000.0, "USDT"),
    ],
)
def test_amounts(text: str, value: float, currency: str) -> None:
    amounts = extract(tip(text)).amounts
    assert amounts, text
    assert (amounts[0].value, amounts[0].currency) == (value, currency)


@pytest.mark.parametrize(
    ("text", "value", "currency", "quoted"),
    [
        ("they paid two million dollars", 2e6, "USD", "two million dollars"),
        ("a million dollars up front", 1e6, "USD", "a million dollars"),
        ("rund 1,4 Millionen Euro", 1.4e6, "EUR", "1,4 Millionen Euro"),
        ("zwei Millionen Euro", 2e6, "EUR", "zwei Millionen Euro"),
        ("deux millions d'euros", 2e6, "EUR", "deux millions d'euros"),
        ("dos millones de dólares", 2e6, "USD", "dos millones de dólares"),
        ("mil millones de dólares", 1e9, "USD", "mil millones de dólares"),
        ("около трёх миллионов", None, None, None),
        ("три миллиона долларов", 3e6, "USD", "три миллиона долларов"),
        ("5 млн рублей", 5e6, "RUB", "5 млн рублей"),
        ("دفعوا مليوني دولار", 2e6, "USD", "مليوني دولار"),
        ("ثلاثة ملايين دولار", 3e6, "USD", "ثلاثة ملايين دولار"),
        ("دو میلیون دلار پرداخت شد", 2e6, "USD", "دو میلیون دلار"),
        ("۲ میلیون دلار", 2e6, "USD", "۲ میلیون دلار"),
        ("40 million toman", 4e8, "IRR", "40 million toman"),
        ("货款两百万美元", 2e6, "USD", "两百万美元"),
        ("合同金额1.2亿元", 1.2e8, "CNY", "1.2亿元"),
        ("一亿五千万元", 1.5e8, "CNY", "一亿五千万元"),
        ("200만 달러를 보냈다", 2e6, "USD", "200만 달러"),
        ("3억 원", 3e8, "KRW", "3억 원"),
        ("5 milyon dolar", 5e6, "USD", "5 milyon dolar"),
        ("the dollar fell; 电子元件; 직원 3명", None, None, None),
        ("spent on dollars; try 5 times; 二元化学武器; 3 엔진", None, None, None),
        ("In 2019 USD 5 million was wired.", 5e6, "USD", "USD 5 million"),
        ("Invoice 2024 EUR 3.5m paid", 3.5e6, "EUR", "EUR 3.5m"),
        ("On 12.03.2021 500 000 dollars", 5e5, "USD", "500 000 dollars"),
        ("١٫٥ مليون دولار", 1.5e6, "USD", "١٫٥ مليون دولار"),  # noqa: RUF001
        ("5 млн. долларов", 5e6, "USD", "5 млн. долларов"),
        ("3 Mio. Euro", 3e6, "EUR", "3 Mio. Euro"),
        ("forty million dollars", 4e7, "USD", "forty million dollars"),
        # the end of a longer number in words: none rather than too little
        ("twenty-five million dollars; fünfundzwanzig Millionen Euro", None, None, None),
        ("two hundred fifty thousand dollars", None, None, None),
    ],
)
def test_amounts_in_words_in_any_language(
    text: str, value: float | None, currency: str | None, quoted: str | None
) -> None:
    amounts = extract(tip(text)).amounts
    if value is None:
        assert amounts == ()
        return
    assert [(a.value, a.currency, a.evidence.text) for a in amounts] == [(value, currency, quoted)]


def test_email_domains_flag_webmail() -> None:
    extraction = extract(
        tip(
            "Orders came from sales.dept@Gmail.com and ivan@mail.ru; "
            "the bank wrote from ops@hsbc.com.hk."
        )
    )
    assert [(e.domain, e.free_webmail) for e in extraction.email_domains] == [
        ("gmail.com", True),
        ("mail.ru", True),
        ("hsbc.com.hk", False),
    ]


def test_structured_parties_keep_role_and_country() -> None:
    body = tip(
        "Kalaye Electric Company received the goods; Tehran-based Kalaye Electric Co. paid.",
        parties=[
            {"name": "Sihai Cheng", "country": "China", "role": "intermediary"},
            {"name": "Kalaye Electric Company", "country": "IRN", "role": "end_user"},
        ],
    )
    parties = extract(body).parties
    assert [(p.name, p.role, p.country) for p in parties] == [
        ("Sihai Cheng", "intermediary", "CN"),
        ("Kalaye Electric Company", "end_user", "IR"),
    ]
    assert parties[0].evidence.field == "parties[0].name"


def test_companies_named_in_free_text() -> None:
    body = tip(
        "In 2021 Sertal LLC ordered through Astrafteros Technokosmos Ltd and "
        "Dandong Hongxiang Industrial Development Co., Ltd. paid. The Bank declined."
    )
    names = [p.name for p in extract(body).parties]
    assert names == [
        "Sertal LLC",
        "Astrafteros Technokosmos Ltd",
        "Dandong Hongxiang Industrial Development Co., Ltd.",
    ]


def test_disclosure_shape() -> None:
    body = {
        "form": "disclosure",
        "format": 1,
        "stage": "initial_notification",
        "company": "Acme Instruments GmbH",
        "company_address": "Hamburg, Germany",
        "contact_name": "A. Person",
        "contact_role": "",
        "contact_email": "export@acme.example",
        "contact_phone": "",
        "violation": "We shipped two vacuum pumps to a distributor in Armenia without a licence.",
        "items": [
            {"description": "turbomolecular pump", "eccn": "2B231", "hs_code": "8414.10",
             "quantity": "2", "value": "EUR 40,000"},
        ],
        "licences": [],
        "parties": [
            {"name": "Ararat Trade LLC", "address": "", "country": "AM", "role": "consignee"}
        ],
        "dates": "",
        "corrective_actions": "",
        "conflicts": ["Jane Roe"],
        "certified": True,
    }  # fmt: skip
    extraction = extract(body)
    # Fields are read in sorted key order: "company" comes before "parties".
    assert [(p.name, p.role) for p in extraction.parties] == [
        ("Acme Instruments GmbH", "discloser"),
        ("Ararat Trade LLC", "consignee"),
    ]
    assert {(c.scheme, c.code) for c in extraction.codes} == {("eccn", "2B231"), ("hs", "841410")}
    assert {g.term for g in extraction.goods} == {"vacuum pumps"}
    assert "AM" in {p.country for p in extraction.places}
    assert extraction.amounts[0].currency == "EUR"
    # Conflict-of-interest names are not parties.
    assert "Jane Roe" not in {p.name for p in extraction.parties}


def test_metadata_members_are_ignored() -> None:
    body = tip("nothing", _source="Iran maraging steel 3A001")
    extraction = extract(body)
    assert extraction.codes == ()
    assert extraction.goods == ()
    assert extraction.places == ()


def test_deterministic() -> None:
    body = tip(
        "Maraging steel and gyroscopes via Dubai and Hong Kong to Iran, HS 7224.90, ECCN 1C216.",
        parties=[
            {"name": "B", "country": "HK", "role": "consignee"},
            {"name": "A", "country": "IR", "role": "end_user"},
        ],
    )
    assert extract(body) == extract(dict(reversed(list(body.items()))))
