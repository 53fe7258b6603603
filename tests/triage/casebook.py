"""The labelled enforcement cases in tests/triage/cases/ and how they score.

Shared by the case test and bench/triage.py: run extraction, indicators and
scoring (no screening: the cases are about what the text says) on every
case, and compare the categories, domains and parties with the labels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.extract import extract, report_fields
from triage.indicators import fire_indicators
from triage.model import Assessment, Category, Extraction, FiredIndicator
from triage.scoring import assess
from triage.text import name_tokens

CASES = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Case:
    name: str
    body: dict[str, Any]
    source: str
    categories: frozenset[str]
    domains: frozenset[str]
    parties: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    case: Case
    extraction: Extraction
    indicators: tuple[FiredIndicator, ...]
    assessment: Assessment

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(str(c) for c in self.assessment.categories)

    @property
    def domains(self) -> frozenset[str]:
        return frozenset(str(d) for d in self.assessment.domains)

    def missing_parties(self) -> list[str]:
        found = [" ".join(name_tokens(p.name)) for p in self.extraction.parties]
        missing = []
        for expected in self.case.parties:
            key = " ".join(name_tokens(expected))
            if not any(f" {key} " in f" {name} " for name in found):
                missing.append(expected)
        return missing


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        expected = body["_expected"]
        cases.append(
            Case(
                name=path.stem,
                body=body,
                source=body["_source"],
                categories=frozenset(expected["categories"]),
                domains=frozenset(expected["domains"]),
                parties=tuple(expected["parties"]),
            )
        )
    return cases


def run_case(case: Case) -> Outcome:
    fields = report_fields(case.body)
    extraction = extract(case.body, fields=fields)
    fired = tuple(fire_indicators(case.body, extraction, fields=fields))
    assessment = assess(extraction, fired, (), str(case.body["form"]))
    return Outcome(case, extraction, fired, assessment)


def precision_recall(outcomes: list[Outcome]) -> dict[str, tuple[float, float, int]]:
    """Per category: (precision, recall, number of cases labelled with it)."""
    table: dict[str, tuple[float, float, int]] = {}
    for category in Category:
        label = str(category)
        tp = sum(1 for o in outcomes if label in o.categories and label in o.case.categories)
        fp = sum(1 for o in outcomes if label in o.categories and label not in o.case.categories)
        fn = sum(1 for o in outcomes if label not in o.categories and label in o.case.categories)
        support = tp + fn
        if support == 0 and fp == 0:
            continue
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / support if support else 0.0
        table[label] = (precision, recall, support)
    return table
