"""Control-list codes written in prose: ECCNs, HS codes and control-regime references."""

from __future__ import annotations

import pytest

from triage.extract import code_domains, extract
from triage.model import Domain


def _codes(text: str) -> list[tuple[str, str]]:
    return [(c.scheme, c.code) for c in extract({"what_happened": text}).codes]


def test_eccns_inside_sentences_and_parentheses() -> None:
    text = (
        "The boards (ECCN 3A001.b.2) shipped with the radios, classified 5A002.a, "
        "the 9A515.e.1 parts, a 0A521 item and the rest EAR99; see also (3A090)."
    )
    assert _codes(text) == [
        ("eccn", "3A001"),
        ("eccn", "5A002"),
        ("eccn", "9A515"),
        ("eccn", "0A521"),
        ("eccn", "EAR99"),
        ("eccn", "3A090"),
    ]


def test_a_number_in_e_notation_is_an_eccn_only_when_a_word_says_so() -> None:
    assert _codes("a ratio of 5e201 and part 4a003x") == []
    assert _codes("classified as ECCN 5e001.b") == [("eccn", "5E001")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HS 8542 chips", [("hs", "8542")]),
        ("HTS 8471.50.0150 computers", [("hs", "847150")]),
        ("по коду ТН ВЭД 8542 31 000 0", [("hs", "854231")]),  # noqa: RUF001
        ("海关编码8542.31的芯片", [("hs", "854231")]),
        ("Zolltarifnummer 8542 3190", [("hs", "854231")]),
        ("البند الجمركي 8542.31", [("hs", "854231")]),
    ],
)
def test_hs_codes_after_a_keyword_in_any_language(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert _codes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Delivered 2023.10.05 and invoiced 2024.03.",  # dates
        "Call +7 495 123 4567 or +86 1380 0138 000.",  # phone numbers
        "Price 8542.31 USD per unit, total $1,250.50.",  # amounts
        "Part no. 8542-3100-A and serial 4711-2020.",  # part numbers
        "Add 500 ml of solvent, then 20 ML more.",  # millilitres
    ],
)
def test_things_that_look_like_codes_are_not(text: str) -> None:
    assert _codes(text) == []


def test_control_regime_references() -> None:
    text = (
        "The rotors fall under MTCR Item 2 and NSG Part 2 2.B.1 (flow-forming), the "
        "precursors under the Australia Group list and CWC Schedule 2, the fuses under "
        "Wassenaar ML4 and the connectors are on the CHPL. The propellant is ML 8.a."
    )
    found = [c for c in extract({"what_happened": text}).codes if c.scheme == "regime"]
    assert [c.code for c in found] == [
        "MTCR 2",
        "NSG Part 2 2.B.1",
        "AG",
        "CWC Schedule 2",
        "ML4",
        "CHPL",
        "ML8",
    ]
    domains = {c.code: code_domains(c) for c in found}
    assert domains["MTCR 2"] == (Domain.MISSILE,)
    assert domains["NSG Part 2 2.B.1"] == (Domain.NUCLEAR,)
    assert domains["CWC Schedule 2"] == (Domain.CHEMICAL,)
    assert domains["ML4"] == (Domain.MILITARY,)
    assert domains["AG"] == ()


def test_control_regimes_named_in_other_languages() -> None:
    russian = "Поставки подпадают под РКРТ, категория II."  # noqa: RUF001
    assert _codes(russian) == [("regime", "MTCR II")]
    chinese = "该设备属于核供应国集团控制清单，也在瓦森纳清单上。"  # noqa: RUF001
    assert _codes(chinese) == [
        ("regime", "NSG"),
        ("regime", "WA"),
    ]
