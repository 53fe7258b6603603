"""People named only in a report's prose become parties, in Latin and Cyrillic script."""

from __future__ import annotations

import pytest

from tests.triage.test_extract import tip
from triage.extract import extract
from triage.people import find_people


def _people(text: str) -> list[str]:
    return [name for name, _, _ in find_people([(text, ())])[0]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The order came from Mohsen Afrasiabi last week.", ["Mohsen Afrasiabi"]),
        ("Im Juli 2008 lieferte Heinz Ulrich Kessel den Ofen.", ["Heinz Ulrich Kessel"]),
        ("Jacques Monsieur a proposé les moteurs.", ["Jacques Monsieur"]),
        ("Заказ подписал Андрей Сидоренко.", ["Андрей Сидоренко"]),
        (
            "Our contact was Gary Lam; Hossein Hatefi Ardakani paid.",
            ["Gary Lam", "Hossein Hatefi Ardakani"],
        ),
    ],
)
def test_people_in_prose(text: str, expected: list[str]) -> None:
    assert _people(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "In August the goods left.",  # an opener and a month
        "The Air Force bought radar parts.",  # an institution
        "They met at Stanley Drive.",  # a street
        "The Red Sea route was closed.",  # a sea
        "Our Chief Compliance Officer wrote.",  # a job title
        "It cost 2 Million Euro.",  # a sum
        "The plant in New Hampshire shipped it.",  # a state
    ],
)
def test_openers_institutions_streets_titles_and_sums_are_no_people(text: str) -> None:
    assert _people(text) == []


@pytest.mark.parametrize(
    ("text", "places", "expected"),
    [
        ("Sales Manager Reza Ahmadi called.", [], ["Reza Ahmadi"]),
        ("Contact: Denis Postovoy May 2020", [], ["Denis Postovoy"]),
        ("Greg Chung Hong Kong branch", [(11, 20)], ["Greg Chung"]),
        ("The Bill Of Lading was forged.", [], []),
        ("łukasz Nowak signed.", [], []),
        ("Іван Петренко підписав.", [], ["Іван Петренко"]),
    ],
)
def test_runs_are_cut_at_titles_places_and_dates(
    text: str, places: list[tuple[int, int]], expected: list[str]
) -> None:
    assert [name for name, _, _ in find_people([(text, places)])[0]] == expected


def test_a_place_is_no_person() -> None:
    text = "The broker flew to Hong Kong and met Greg Chung."
    spans = [(text.index("Hong Kong"), text.index("Hong Kong") + len("Hong Kong"))]
    assert [name for name, _, _ in find_people([(text, spans)])[0]] == ["Greg Chung"]


def test_people_in_the_text_are_parties_with_their_evidence() -> None:
    body = tip("The buyer in Hong Kong was introduced by Denis Postovoy in 2021.")
    parties = extract(body).parties
    assert [(p.name, p.role, p.evidence.field) for p in parties] == [
        ("Denis Postovoy", "", "what_happened")
    ]
    text = str(body["what_happened"])
    evidence = parties[0].evidence
    assert text[evidence.start : evidence.end] == "Denis Postovoy"
