"""Categories that mean what they say: negation and affirmation around red-flag
phrases, transit hubs only with a destination of concern, regimes with a start
date, and the ownership, end-use and finance signals of the guidance."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from triage.dates import events_before, find_dates
from triage.extract import extract
from triage.indicators import fire_indicators, load_indicators
from triage.scoring import assess

FILE = Path(__file__).resolve().parents[2] / "triage" / "data" / "indicators.json"


def tip(what: str, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {"form": "tip", "format": 1, "what_happened": what}
    body.update(fields)
    return body


def fired(body: dict[str, object]) -> dict[str, list[str]]:
    return {f.id: [e.text for e in f.evidence] for f in fire_indicators(body, extract(body))}


def categories(body: dict[str, object]) -> set[str]:
    extraction = extract(body)
    indicators = fire_indicators(body, extraction)
    return {str(c) for c in assess(extraction, indicators, [], "tip").categories}


# --- negation and affirmation ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The export licence was granted in March.",
        "We hold a licence for these items.",
        "No export licence was required for this destination.",
        "We did not need a licence.",
        "The licence was granted and not revoked.",
        "Do I need an export licence for this?",
        "Die Ausfuhrgenehmigung wurde erteilt.",
        "Лицензия была получена в марте.",
        "出口许可证已获批。",
        "تم منح الترخيص للشحنة.",
        "la licencia fue concedida",
        "la licence a été délivrée",
    ],
)
def test_a_licence_granted_held_or_not_needed_is_no_export_control_flag(text: str) -> None:
    assert "EXP-01" not in fired(tip(text))


@pytest.mark.parametrize(
    "text",
    [
        "They exported the pumps without a licence.",
        "No licence was obtained.",
        "They never applied for an export licence.",
        "They shipped without the required licence.",
        "Die Ausfuhrgenehmigung lag nicht vor.",
        "Лицензию не получали.",
        "没有出口许可证。",
        "未获得许可证就发货了。",
        "لم يحصلوا على رخصة تصدير.",
        "مجوز صادرات نگرفتند.",
        "sin licencia de exportación",
        "aucune licence n'a été demandée",
    ],
)
def test_a_licence_missing_is_an_export_control_flag(text: str) -> None:
    assert "EXP-01" in fired(tip(text))


def test_negated_red_flags_do_not_fire_and_asserted_ones_do() -> None:
    assert "EXP-10" not in fired(tip("There is no military end use."))
    assert "EXP-10" in fired(tip("It is for the military end use of the buyer."))
    assert "SAN-03" not in fired(tip("The company is not sanctioned."))
    assert "SAN-03" in fired(tip("The company was sanctioned last year."))
    assert "KYC-13" not in fired(tip("The buyer is not on the Entity List."))
    assert "KYC-13" in fired(tip("The buyer is on the Entity List."))
    # a double negation is no red flag: "never ... without a licence"
    assert "EXP-01" not in fired(tip("We have never shipped without a licence."))
    # a pseudo-negation negates nothing
    assert "SAN-03" in fired(tip("Not only the sanctions list but the buyer too."))
    # a negation in another clause does not reach the phrase
    assert "EXP-10" in fired(tip("We did not know it then. The buyer is the military end user."))
    assert "EXP-10" in fired(tip("It was not cheap, but the end use is a nuclear weapons program."))


def test_a_negation_far_before_the_phrase_does_not_reach_it() -> None:
    body = tip("They did not say that the spare parts and the manuals were for the IRGC.")
    assert "EXP-10" in fired(body)


def test_cues_are_data_in_every_language() -> None:
    data = json.loads(FILE.read_text(encoding="utf-8"))
    for kind in ("negation", "negation_verb", "affirmation", "exemption", "pseudo", "boundary"):
        assert set(data["cues"][kind]) == {"en", "ar", "de", "es", "fa", "fr", "ru", "zh"}


def test_an_unknown_polarity_is_refused(tmp_path: Path) -> None:
    bad = {
        "version": "t",
        "indicators": [{"id": "X", "title": "x", "source": "s", "category": "other", "weight": 1,
                        "any": [{"phrases": ["a"], "polarity": "maybe"}]}],
    }  # fmt: skip
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match="polarity"):
        load_indicators(path)


# --- transit hubs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        tip(
            "We sold deck ovens to a bakery chain in Istanbul. The buyer paid from its own account."
        ),
        tip("Our distributor in Dubai keeps a stock of pump spares for a plant in Abu Dhabi."),
        tip("Toys are invoiced to our subsidiary in Hong Kong and sold to shops in Macau."),
        tip(
            "Pump spares for our distributor.",
            route="Leeds to Felixstowe, sea freight to Jebel Ali; trucked to Abu Dhabi",
            parties=[
                {"name": "Gulf Flow LLC", "country": "United Arab Emirates", "role": "consignee"}
            ],
        ),
        # a hub and a country of concern named in different sentences, unrelated
        tip("We ship spares to Singapore. Separately, a newspaper wrote about Iran."),
    ],
)
def test_a_hub_named_in_an_ordinary_sale_is_not_diversion(body: dict[str, object]) -> None:
    assert "DIV-01" not in fired(body)
    assert "diversion" not in categories(body)


@pytest.mark.parametrize(
    "body",
    [
        tip("The parts went to Dubai and from there on to Iran."),
        tip("They sent avionics to Russia through Armenia and through Cyprus."),
        tip("Electronics", route="United States -> China -> Iran"),
        tip(
            "An order for valves.",
            parties=[
                {"name": "Fast Cargo", "country": "Kyrgyzstan", "role": "freight_forwarder"},
                {"name": "Tech Import", "country": "Russia", "role": "end_user"},
            ],
        ),
    ],
)
def test_a_hub_tied_to_a_destination_of_concern_is_diversion(body: dict[str, object]) -> None:
    assert "DIV-01" in fired(body)


def test_a_route_through_a_third_country() -> None:
    assert "DIV-07" in fired(tip("Parts.", route="UK -> Netherlands -> Malaysia"))
    assert "DIV-07" not in fired(tip("Parts.", route="Swansea to Istanbul, Turkey"))


# --- dated regimes --------------------------------------------------------------------


def test_dates_in_several_languages_and_forms() -> None:
    found = find_dates(
        [
            "Order 2 September 2024; shipment planned December 2024",
            "24 февраля 2022 года",
            "2022年2月24日以后",
            "في آذار 2023",
            "am 3. März 2021",
            "le 24 février 2022",
            "el 5 de mayo de 2023",
            "2019-11-03",
            "HS 8542.31, USD 2,021,000",
        ]
    )
    assert [(d.first.isoformat(), d.last.isoformat()) for d in found] == [
        ("2024-09-02", "2024-09-02"),
        ("2024-12-01", "2024-12-31"),
        ("2022-02-24", "2022-02-24"),
        ("2022-02-24", "2022-02-24"),
        ("2023-03-01", "2023-03-31"),
        ("2021-03-03", "2021-03-03"),
        ("2022-02-24", "2022-02-24"),
        ("2023-05-05", "2023-05-05"),
        ("2019-11-03", "2019-11-03"),
    ]
    # a Solar Hijri year in a Persian report
    (span,) = find_dates(["سال ۱۴۰۱"], "fa")
    assert (span.first, span.last) == (date(2022, 3, 21), date(2023, 3, 20))


def test_events_before() -> None:
    cutoff = date(2022, 2, 24)
    assert events_before(find_dates(["in 2014 and January 2015"]), cutoff)
    assert not events_before(find_dates(["in 2014 and again in 2023"]), cutoff)
    assert not events_before(find_dates(["in 2022"]), cutoff)  # the year may be after
    assert not events_before([], cutoff)  # nothing said: not excused


def test_russia_restrictions_only_after_february_2022() -> None:
    assert "SAN-02" not in fired(tip("In 2014 and in January 2015 we shipped chips to Russia."))
    assert "SAN-02" in fired(tip("In May 2022 we shipped chips to Russia."))
    assert "SAN-02" in fired(tip("We ship chips to Russia.", dates="since March 2023"))
    assert "SAN-02" in fired(tip("We ship chips to Russia."))


# --- ownership, end use and finance -------------------------------------------------


def test_ownership_signals() -> None:
    assert "OWN-01" in fired(tip("On paper Assa is a private investor; the real owner is a bank."))
    assert "OWN-01" in fired(tip("The company has nominee directors and a registered agent."))
    assert "OWN-01" in fired(tip("Эта фирма существует только на бумаге."))
    # the 50 % rule: owned by a listed party, in one sentence
    assert "OWN-04" in fired(tip("The buyer is a subsidiary of a sanctioned Iranian bank."))
    assert "OWN-04" not in fired(
        tip("Our buyer is a subsidiary of a retailer. We read about sanctioned banks.")
    )
    assert "OWN-04" not in fired(tip("Our Hong Kong company is our wholly owned subsidiary."))


def test_end_use_signals() -> None:
    # the negation is part of this flag's meaning: any polarity
    assert "KYC-14" in fired(
        tip("The order confirmations name Turkey. They aren't the real customers.")
    )
    assert "KYC-14" in fired(tip("The real customers are in Iran."))
    assert "KYC-14" in fired(tip("Die Adresse in Asien ist nur vorgeschoben."))
    assert "KYC-14" in fired(tip("真正的最终用户在伊朗。"))
    assert "EXP-10" in fired(tip("The parts are for the Revolutionary Guards' drone program."))


def test_finance_signals() -> None:
    assert "FIN-01" in fired(tip("Payments were routed from the UAE through companies in Malta."))
    assert "FIN-01" in fired(
        tip("Customers pay into bank accounts in Armenia rather than directly from Russia.")
    )
    assert "FIN-04" in fired(tip("The money was moved through accounts in three countries."))
    assert "FIN-04" in fired(
        tip("The payments were split into several payments just under the threshold.")
    )
    assert "KYC-04" in fired(tip("He paid in cash."))
    assert "FIN-01" in fired(tip("Оплата шла через счета в Армении."))
