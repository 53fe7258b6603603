"""The corpus's files are well formed and labelled by its rules (tests/triage/corpus/README.md).

Only the shape and the labels' consistency are checked here, never what
triage makes of a case: the holdout's figures are printed by bench/triage.py
in aggregate, and no test may fail on one holdout case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from triage.model import Category, Domain
from triage.pipeline import intake_type_of

CORPUS = Path(__file__).parent / "corpus"
SPLITS = ("dev", "holdout")
KINDS = {"tip", "narrative_tip", "disclosure", "control"}
ROLES = {"", "buyer", "consignee", "end_user", "freight_forwarder", "bank", "intermediary", "other"}
LABELS = {str(category) for category in Category} - {"other"}
DOMAINS = {str(domain) for domain in Domain}
TIP_FIELDS = {
    "what_happened", "goods", "parties", "route", "dates", "payment", "how_known", "conflicts",
}  # fmt: skip
DISCLOSURE_FIELDS = {
    "stage", "company", "company_address", "contact_name", "contact_role", "contact_email",
    "contact_phone", "violation", "items", "licences", "parties", "dates",
    "corrective_actions", "conflicts", "certified",
}  # fmt: skip
GOOD_FIELDS = {"description", "code", "quantity", "value"}
ITEM_FIELDS = {"description", "eccn", "hs_code", "quantity", "value"}
PARTY_FIELDS = {"name", "country", "role"}
DISCLOSED_PARTY_FIELDS = {"name", "address", "country", "role"}


def corpus_files() -> list[Path]:
    return sorted(path for split in SPLITS for path in (CORPUS / split).glob("*.json"))


def _text(body: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in body.items() if not k.startswith("_")}, ensure_ascii=False)


def problems(body: dict[str, Any]) -> list[str]:
    """What is wrong with a case file, in words; empty when nothing is."""
    found: list[str] = []
    try:
        form = intake_type_of(body)
    except ValueError as error:
        return [str(error)]
    fields = TIP_FIELDS if form == "tip" else DISCLOSURE_FIELDS
    own = {key for key in body if not key.startswith("_")} - {"form", "format"}
    if own != fields:
        found.append(f"fields {sorted(own ^ fields)} differ from the {form} form's")
    for key in ("_source", "_kind", "_language", "_expected"):
        if not body.get(key):
            found.append(f"no {key}")
    if found:
        return found
    kind, expected = body["_kind"], body["_expected"]
    if kind not in KINDS:
        found.append(f"_kind {kind!r}")
    if (kind == "disclosure") != (form == "disclosure") and kind != "control":
        found.append(f"_kind {kind!r} on a {form}")
    language = body["_language"]
    if not (isinstance(language, str) and len(language) == 2 and language.islower()):
        found.append(f"_language {language!r} is not an ISO 639-1 code")
    categories, domains = expected.get("categories"), expected.get("domains")
    if not isinstance(categories, list) or not set(categories) <= LABELS:
        found.append(f"categories {categories!r}")
    if not isinstance(domains, list) or not set(domains) <= DOMAINS:
        found.append(f"domains {domains!r}")
    if kind == "control":
        if categories or expected.get("queue") != "general-intake":
            found.append("a control has no category and the queue general-intake")
    elif not categories:
        found.append("a case that is not a control has at least one category")
    text = _text(body)
    parties = expected.get("parties")
    if not isinstance(parties, list) or not all(isinstance(p, str) and p for p in parties):
        found.append(f"parties {parties!r}")
    else:
        found.extend(f"party {p!r} is not in the report" for p in parties if p not in text)
    rows = body.get("goods" if form == "tip" else "items", [])
    row_fields = GOOD_FIELDS if form == "tip" else ITEM_FIELDS
    party_fields = PARTY_FIELDS if form == "tip" else DISCLOSED_PARTY_FIELDS
    for row in rows:
        if set(row) != row_fields or not all(isinstance(v, str) for v in row.values()):
            found.append(f"goods row {row!r}")
    for row in body.get("parties", []):
        if set(row) != party_fields or row.get("role") not in ROLES or not row.get("name"):
            found.append(f"party row {row!r}")
    if kind == "narrative_tip" and (body["goods"] or body["parties"] or body["route"]):
        found.append("a narrative tip has only its narrative (and how the reporter knows)")
    return found


def test_the_corpus_has_the_mix_it_promises() -> None:
    bodies = [json.loads(path.read_text(encoding="utf-8")) for path in corpus_files()]
    holdout = list((CORPUS / "holdout").glob("*.json"))
    kinds = [body.get("_kind") for body in bodies]
    languages = {body.get("_language") for body in bodies}
    assert len(bodies) >= 120
    assert len(holdout) >= 40
    assert kinds.count("narrative_tip") >= 25
    assert kinds.count("disclosure") >= 15
    assert kinds.count("control") >= 25
    assert sum(body.get("_language") != "en" for body in bodies) >= 15
    assert {"ar", "de", "es", "fa", "fr", "ru", "zh"} <= languages


def test_no_case_is_in_two_places() -> None:
    names = [path.name for path in corpus_files()]
    names += [path.name for path in (CORPUS.parent / "cases").glob("*.json")]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("path", corpus_files(), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_a_case_file_is_well_formed(path: Path) -> None:
    assert problems(json.loads(path.read_text(encoding="utf-8"))) == []
