"""The indicator file and how indicators fire, with their evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.extract import extract
from triage.indicators import INDICATORS_VERSION, fire_indicators, load_indicators
from triage.model import Category

FILE = Path(__file__).resolve().parents[2] / "triage" / "data" / "indicators.json"


def tip(what: str, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "form": "tip", "format": 1, "what_happened": what, "goods": [], "parties": [],
        "route": "", "dates": "", "payment": "", "how_known": "", "conflicts": [],
    }  # fmt: skip
    body.update(fields)
    return body


def fired(body: dict[str, object]) -> dict[str, list[str]]:
    return {f.id: [e.text for e in f.evidence] for f in fire_indicators(body, extract(body))}


def test_file_is_versioned_with_at_least_40_sourced_flags() -> None:
    data = json.loads(FILE.read_text(encoding="utf-8"))
    assert data["version"] == INDICATORS_VERSION
    flags = data["indicators"]
    assert len(flags) >= 40
    assert len({f["id"] for f in flags}) == len(flags)
    for flag in flags:
        assert flag["title"]
        assert flag["source"]
        assert Category(flag["category"])
        assert 0 < flag["weight"] <= 30
        assert flag.get("any") or flag.get("all")
    sources = " ".join(f["source"] for f in flags)
    for needed in ("732 Supp. 3", "FinCEN/BIS", "FATF", "Common High Priority List"):
        assert needed in sources
    assert len(load_indicators().indicators) == len(flags)


def test_kyc_phrases_fire_with_evidence_spans() -> None:
    body = tip(
        "The buyer was reluctant to state the end use, paid in cash and declined installation. "
        "Goods were shipped to a freight forwarder in Dubai."
    )
    result = fired(body)
    assert result["KYC-01"] == ["reluctant to state"]
    assert result["KYC-04"] == ["paid in cash"]
    assert result["KYC-07"] == ["declined installation"]
    assert result["KYC-09"] == ["shipped to a freight forwarder"]
    assert "DIV-01" not in result  # Dubai named alone, no destination of concern beyond it
    for indicator in fire_indicators(body, extract(body)):
        for evidence in indicator.evidence:
            assert evidence.field == "what_happened"
            text = str(body["what_happened"])
            assert text[evidence.start : evidence.end] == evidence.text


def test_phrases_are_case_accent_and_hyphen_insensitive() -> None:
    assert "OWN-01" in fired(tip("They used a FRONT-COMPANY in Hong Kong."))
    assert "KYC-10" in fired(tip("the cargo was trans-shipped via Mersin"))


def test_structured_matchers() -> None:
    body = tip(
        "Order for frequency changers.",
        goods=[{"description": "ICs", "code": "8542.31", "quantity": "", "value": ""}],
        parties=[
            {"name": "Fast Cargo", "country": "Kyrgyzstan", "role": "freight_forwarder"},
            {"name": "Tech Import", "country": "Russia", "role": "end_user"},
        ],
        payment="USD 2,400,000 from hotmail.com contact orders@hotmail.com",
    )
    result = fired(body)
    assert result["EXP-03"] == ["8542.31"]  # CHPL tier 1
    assert result["EXP-05"] == ["frequency changers"]
    assert "SAN-02" in result  # Russia
    assert "DIV-01" in result  # forwarder in Kyrgyzstan (a hub), end user in Russia
    assert "DIV-06" in result  # freight forwarder role
    assert "OWN-03" in result  # free webmail
    assert result["FIN-05"] == ["USD 2,400,000"]


def test_a_large_value_is_large_in_dollars() -> None:
    assert "FIN-05" in fired(tip("They paid two million dollars up front."))
    assert "FIN-05" in fired(tip("Le contrat portait sur 1,5 million d'euros."))
    # 300 million won and 40 million toman are some hundreds of dollars' worth.
    assert "FIN-05" not in fired(tip("We paid 3억 원 for the machine."))
    assert "FIN-05" not in fired(tip("The deposit was 40 million toman."))


def test_a_technology_code_is_a_technology_transfer() -> None:
    # Product group E is technology; D (software) and A (equipment) are goods.
    assert "TEC-01" in fired(tip("They asked for the 9E003 package for the engines."))
    assert "TEC-01" in fired(tip("Die Unterlagen fallen unter 3E001."))
    assert "TEC-01" not in fired(tip("We shipped 3A001 chips and the 5D002 software."))


def test_technical_material_carried_off_or_expertise_given_is_a_technology_transfer() -> None:
    # TEC-04: technical material and a word of taking it, in one sentence.
    assert "TEC-04" in fired(tip("He printed and kept the test results of the engine program."))
    assert "TEC-04" in fired(tip("Он скопировал чертежи турбины и увёз их."))
    assert "TEC-04" not in fired(tip("He printed the invoice. The test results were fine."))
    # TEC-05: recruiting or training, of experts or in a weapons field, in one sentence.
    assert "TEC-05" in fired(tip("He is recruiting nuclear engineers as paid consultants."))
    assert "TEC-05" not in fired(tip("He presents himself as a consultant in aviation."))


def test_a_country_of_concern_counts_where_the_sentence_names_it() -> None:
    # The place is Russia once for the report; FIN-06 and DIV-08 look for it
    # in the sentence that speaks of money or of passing the goods on.
    body = tip(
        "The company was set up in Bulgaria to sell to Russia. "
        "Within a month the Russian buyer paid us in three transfers. "
        "We exist only to resell the American chips to Russian customers."
    )
    assert {"FIN-06", "DIV-08"} <= set(fired(body))
    assert "FIN-06" not in fired(tip("We sold to Russia. The buyer paid on time."))
    assert "DIV-08" not in fired(tip("We ship pumps to Russia."))


def test_all_conditions_must_hold() -> None:
    # DIV-01 needs both a hub and a destination of concern, tied together.
    assert "DIV-01" not in fired(tip("Shipped to Hong Kong."))
    assert "DIV-01" in fired(tip("Shipped to Hong Kong and on to Iran."))
    # EXP-12 needs goods or a control code next to the destination of concern.
    assert "EXP-12" not in fired(tip("He once lived in Iran."))
    assert "EXP-12" in fired(tip("Maraging steel for Iran."))


def test_quiet_report_fires_nothing() -> None:
    assert fired(tip("My neighbour's dog barks at night.")) == {}


def test_deterministic_order_and_content() -> None:
    body = tip("Front company in Dubai bought gyroscopes for Iran, paid via hawala, ECCN 7A001.")
    first = fire_indicators(body, extract(body))
    assert first == fire_indicators(body, extract(body))
    order = [f.id for f in load_indicators().indicators]
    assert [f.id for f in first] == sorted((f.id for f in first), key=order.index)


@pytest.mark.parametrize("kind", ["phrase", "bogus"])
def test_unknown_matcher_kind_is_refused(tmp_path: Path, kind: str) -> None:
    bad = {
        "version": "t",
        "indicators": [{"id": "X", "title": "x", "source": "s", "category": "other", "weight": 1,
                        "any": [{kind: ["a"]}]}],
    }  # fmt: skip
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown matcher"):
        load_indicators(path)
