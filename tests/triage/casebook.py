"""The labelled cases and how they score: tests/triage/cases/ and the corpus's dev and holdout.

Shared by the case test and bench/triage.py: run extraction, indicators and
scoring (no screening: the cases are about what the text says) on every
case, and compare the categories, domains and parties with the labels;
`route_case` adds the default routing rules, for the controls' queue. The
corpus (tests/triage/corpus/README.md) adds each case's kind and language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reporting.pipeline.routing_rules import default_ruleset
from triage.extract import extract, report_fields
from triage.indicators import fire_indicators
from triage.model import Assessment, Category, Extraction, FiredIndicator
from triage.pipeline import involved_countries
from triage.routing import Ruleset, route
from triage.scoring import assess
from triage.text import name_tokens

CASES = Path(__file__).parent / "cases"
CORPUS_DEV = Path(__file__).parent / "corpus" / "dev"
CORPUS_HOLDOUT = Path(__file__).parent / "corpus" / "holdout"
# The categories a case is labelled with; `other` is triage's last resort,
# which a label never names (a case without a category is a control).
LABELLED = tuple(str(category) for category in Category if category is not Category.OTHER)


@dataclass(frozen=True)
class Case:
    name: str
    body: dict[str, Any]
    source: str
    categories: frozenset[str]
    domains: frozenset[str]
    parties: tuple[str, ...]
    kind: str
    language: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    extraction: Extraction
    indicators: tuple[FiredIndicator, ...]
    assessment: Assessment

    @property
    def categories(self) -> frozenset[str]:
        """The labelled categories triage tagged (`other` is no label)."""
        return frozenset(str(c) for c in self.assessment.categories) & frozenset(LABELLED)

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


def load_cases(folder: Path = CASES) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.json")):
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
                kind=body.get("_kind", body["form"]),
                language=body.get("_language", "en"),
            )
        )
    return cases


def run_case(case: Case) -> Outcome:
    fields = report_fields(case.body)
    extraction = extract(case.body, fields=fields)
    fired = tuple(fire_indicators(case.body, extraction, fields=fields))
    assessment = assess(extraction, fired, (), str(case.body["form"]))
    return Outcome(case, extraction, fired, assessment)


@cache
def _default_ruleset() -> Ruleset:
    return default_ruleset()


def route_case(outcome: Outcome) -> str:
    """The queue the default routing rules give the case (as `vigil triage file` does)."""
    ruleset = _default_ruleset()
    countries = involved_countries(outcome.extraction)
    decision = route(
        outcome.assessment, str(outcome.case.body["form"]), countries, ruleset.rules, 0
    )
    return decision.queue


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int


def _f1(tp: int, fp: int, fn: int) -> Score:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, tp + fn)


def category_scores(outcomes: list[Outcome]) -> dict[str, Score]:
    """Per labelled category with any support or false tag: precision, recall, F1."""
    table: dict[str, Score] = {}
    for label in LABELLED:
        tp = sum(1 for o in outcomes if label in o.categories and label in o.case.categories)
        fp = sum(1 for o in outcomes if label in o.categories and label not in o.case.categories)
        fn = sum(1 for o in outcomes if label not in o.categories and label in o.case.categories)
        if tp + fp + fn:
            table[label] = _f1(tp, fp, fn)
    return table


def macro_f1(outcomes: list[Outcome]) -> float:
    """The mean F1 over the categories the cases are labelled with (nan when none is)."""
    scores = [score.f1 for score in category_scores(outcomes).values() if score.support]
    return sum(scores) / len(scores) if scores else float("nan")


def micro_f1(outcomes: list[Outcome], labels: str = "categories") -> float:
    """F1 over all (case, label) pairs: `categories` or `domains`."""
    if not outcomes:
        return float("nan")
    tp = fp = fn = 0
    for o in outcomes:
        found, expected = getattr(o, labels), getattr(o.case, labels)
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
    return _f1(tp, fp, fn).f1


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
