"""The pipeline: composition, provenance and determinism (extraction and scoring have their own)."""

import json

import pytest

from reporting.pipeline.routing_rules import default_ruleset
from triage.pipeline import NotAReportBody, intake_type_of, run_triage
from triage.screening import EntryKind, Identifier, ListEntry, ParsedList, Screener

BODY = {
    "form": "tip",
    "format": 1,
    "what_happened": "Carbon fibre for rotors loaded on the vessel IMO 9187629 at Jebel Ali.",
    "goods": [{"description": "carbon fibre", "code": "6815.12", "quantity": "", "value": ""}],
    "parties": [
        {"name": "Ostrava Precision Machining s.r.o.", "country": "CZ", "role": "buyer"},
        {"name": "Blue Harbour Shipping", "country": "", "role": "freight_forwarder"},
    ],
    "route": "",
    "dates": "",
    "payment": "",
    "how_known": "",
    "conflicts": ["Erin Export"],
}


@pytest.fixture(scope="module")
def screener():
    entries = (
        ListEntry("DPL-1", EntryKind.ENTITY, "Ostrava Precision Machining", programs=("DPL",)),
        ListEntry(
            "SDN-7",
            EntryKind.ENTITY,
            "Blue Harbor Shipping Company",
            programs=("NPWMD",),
            identifiers=(Identifier("IMO", "9187629"),),
        ),
    )
    return Screener([ParsedList("bis_dpl", "v1", "a" * 64, entries)])


def test_parties_are_screened_and_the_result_names_its_versions(screener):
    result = run_triage(BODY, intake_type="tip", screener=screener, ruleset=default_ruleset())
    hit_entries = {hit.entry_id for hit in result.hits}
    assert {"DPL-1", "SDN-7"} <= hit_entries
    assert "sanctions" in result.assessment.categories
    assert result.routing.queue == "sanctions"
    assert result.routing.excluded_names == ("Erin Export",)
    assert result.versions["lists"] == "bis_dpl:v1"
    assert result.versions["ruleset"] == "0"
    assert result.versions["indicators"]
    assert result.versions["vocabulary"]
    # Hits best first.
    scores = [hit.score for hit in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_same_inputs_same_result(screener):
    first = run_triage(BODY, intake_type="tip", screener=screener, ruleset=default_ruleset())
    again = run_triage(
        json.loads(json.dumps(BODY)),
        intake_type="tip",
        screener=screener,
        ruleset=default_ruleset(),
    )
    assert json.dumps(first.to_json(), sort_keys=True) == json.dumps(
        again.to_json(), sort_keys=True
    )


def test_no_lists_means_no_hits_and_says_so_in_the_versions():
    result = run_triage(BODY, intake_type="tip", screener=Screener([]), ruleset=default_ruleset())
    assert result.hits == ()
    assert result.versions["lists"] == ""


def test_later_disclosure_stages_are_read_too(screener):
    body = {
        "form": "disclosure",
        "format": 1,
        "stage": "initial_notification",
        "company": "Example Exports GmbH",
        "violation": "Shipped without a licence.",
        "parts": [
            {
                "form": "disclosure",
                "format": 1,
                "stage": "full_narrative",
                "narrative": "The goods were maraging steel for Ostrava Precision Machining.",
                "certified": True,
            }
        ],
    }
    result = run_triage(
        body, intake_type="disclosure", screener=screener, ruleset=default_ruleset()
    )
    assert any(good.evidence.field.startswith("parts[0]") for good in result.extraction.goods)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"form": "tip", "format": 1}, "tip"),
        ({"form": "disclosure", "format": 1, "stage": "supplement"}, "disclosure"),
    ],
)
def test_intake_type_of_reads_the_form(body, expected):
    assert intake_type_of(body) == expected


@pytest.mark.parametrize(
    "body",
    [[], {"form": "tip"}, {"form": "tip", "format": True}, {"form": "memo", "format": 1}],
)
def test_intake_type_of_refuses_other_json(body):
    with pytest.raises(NotAReportBody):
        intake_type_of(body)
