"""Triage figures: quality on the labelled cases, throughput, and screening with the real lists.

    .venv/bin/python bench/triage.py [--lists tests/data/lists] [--seconds 5] [--no-screening]

Prints, in order:

- **Quality**: precision, recall and F1 per risk category, macro- and
  micro-F1, domains' micro-F1, side by side on the first 35 cases
  (tests/triage/cases/), the corpus's dev set and its frozen holdout
  (tests/triage/corpus/); then, on dev and holdout, macro-F1 per language
  and per kind of report, and how many controls went to general intake
  untagged. Extraction + indicators + scoring, without screening: the labels
  are about what the text says. The holdout is printed in aggregate only.
- **Throughput** on one core (this process, no threads, CPU time): reports/s for
  realistic 2-4 KiB reports with 3-6 parties, built from the cases (each
  case padded with another case's narrative and given parties from its
  neighbours until it is 2-4 KiB with 3-6 parties). First extraction +
  indicators + scoring only, then the same plus screening every party
  against all three lists (UN, OFAC SDN, BIS DPL) when they are there.
- **Screening** (bench/screening.py's figures): list import times, median and
  p99 time to screen one name, resident memory.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.triage.casebook import (  # noqa: E402
    CASES,
    CORPUS_DEV,
    CORPUS_HOLDOUT,
    LABELLED,
    Outcome,
    category_scores,
    load_cases,
    macro_f1,
    micro_f1,
    route_case,
    run_case,
)
from triage.extract import extract, report_fields  # noqa: E402
from triage.indicators import INDICATORS_VERSION, fire_indicators  # noqa: E402
from triage.routing import DEFAULT_QUEUE  # noqa: E402
from triage.scoring import assess  # noqa: E402

DEFAULT_LISTS = REPO / "tests" / "data" / "lists"
MIN_BYTES, MAX_BYTES = 2048, 4096


def _sets() -> dict[str, list[Outcome]]:
    """The outcomes of each labelled set, by name, in the order they are printed."""
    return {
        name: [run_case(case) for case in load_cases(folder)]
        for name, folder in (("cases", CASES), ("dev", CORPUS_DEV), ("holdout", CORPUS_HOLDOUT))
    }


def _party_recall(outcomes: list[Outcome]) -> float:
    expected = sum(len(o.case.parties) for o in outcomes)
    missing = sum(len(o.missing_parties()) for o in outcomes)
    return (expected - missing) / expected if expected else float("nan")


def _figure(value: float) -> str:
    return "   -" if value != value else f"{value:4.2f}"  # nan: no case to measure


def quality() -> None:
    sets = _sets()
    sizes = ", ".join(f"{name} {len(outcomes)}" for name, outcomes in sets.items())
    print(f"Quality (indicators {INDICATORS_VERSION}): {sizes} cases")
    print("  cases: the first 35, which triage was built on; dev: the corpus anyone may tune on;")
    print("  holdout: frozen before any tuning, never tuned on (tests/triage/corpus/README.md)")
    header = "".join(f" {name + ' P/R/F1 (n)':>24}" for name in sets)
    print(f"  {'category':<20}{header}")
    tables = {name: category_scores(outcomes) for name, outcomes in sets.items()}
    for label in LABELLED:
        cells = []
        for table in tables.values():
            s = table.get(label)
            cells.append(
                f"{s.precision:.2f}/{s.recall:.2f}/{s.f1:.2f} ({s.support:>3})" if s else "-"
            )
        print(f"  {label:<20}" + "".join(f" {cell:>24}" for cell in cells))
    rows: list[tuple[str, Callable[[list[Outcome]], float]]] = [
        ("categories macro-F1", macro_f1),
        ("categories micro-F1", micro_f1),
        ("domains micro-F1", lambda outcomes: micro_f1(outcomes, "domains")),
    ]
    rows.append(("key parties recall", _party_recall))
    for title, measure in rows:
        figures = "".join(f" {_figure(measure(outcomes)):>24}" for outcomes in sets.values())
        print(f"  {title:<20}{figures}")
    corpus = {name: outcomes for name, outcomes in sets.items() if name != "cases"}
    print("  by language, categories macro-F1 (cases):")
    languages = sorted({o.case.language for outcomes in corpus.values() for o in outcomes})
    for language in languages:
        cells = []
        for outcomes in corpus.values():
            chosen = [o for o in outcomes if o.case.language == language and o.case.categories]
            cells.append(f"{_figure(macro_f1(chosen))} ({len(chosen):>3})")
        print(f"    {language:<18}" + "".join(f" {cell:>24}" for cell in cells))
    cells = []
    for outcomes in corpus.values():
        chosen = [o for o in outcomes if o.case.language != "en" and o.case.categories]
        cells.append(f"{_figure(macro_f1(chosen))} ({len(chosen):>3})")
    print(f"    {'not English':<18}" + "".join(f" {cell:>24}" for cell in cells))
    print("  controls routed to general-intake, with no category:")
    for name, outcomes in corpus.items():
        controls = [o for o in outcomes if o.case.kind == "control"]
        quiet = sum(1 for o in controls if route_case(o) == DEFAULT_QUEUE and not o.categories)
        print(f"    {name:<18} {quiet}/{len(controls)}")
    print("  by kind, categories macro-F1 (cases):")
    for kind in ("tip", "narrative_tip", "disclosure"):
        cells = []
        for outcomes in corpus.values():
            chosen = [o for o in outcomes if o.case.kind == kind]
            cells.append(f"{_figure(macro_f1(chosen))} ({len(chosen):>3})")
        print(f"    {kind:<18}" + "".join(f" {cell:>24}" for cell in cells))


def realistic_reports() -> list[dict[str, Any]]:
    """One 2-4 KiB tip with 3-6 parties per case, built from the cases themselves."""
    cases = [c.body for c in load_cases() if c.body["form"] == "tip"]
    reports = []
    for index, case in enumerate(cases):
        body = {k: copy.deepcopy(v) for k, v in case.items() if not k.startswith("_")}
        neighbour = cases[(index + 1) % len(cases)]
        parties = body["parties"]
        for extra in neighbour["parties"] + cases[(index + 2) % len(cases)]["parties"]:
            if len(parties) >= 3 + index % 4:
                break
            parties.append(dict(extra))
        body["how_known"] = (
            "I worked with these companies. " + neighbour["what_happened"] + " " + body["how_known"]
        )
        text = json.dumps(body)
        while len(text.encode()) < MIN_BYTES:
            body["how_known"] += " " + cases[(index + 3) % len(cases)]["what_happened"]
            text = json.dumps(body)
        if len(text.encode()) > MAX_BYTES:
            body["how_known"] = body["how_known"][
                : len(body["how_known"]) - (len(text) - MAX_BYTES)
            ]
        assert MIN_BYTES <= len(json.dumps(body).encode()) <= MAX_BYTES + 64
        assert 3 <= len(parties) <= 6
        reports.append(body)
    return reports


def rate(
    work: Callable[[dict[str, Any]], object], reports: list[dict[str, Any]], seconds: float
) -> tuple[float, float, float]:
    """Reports/s over `seconds`, and median and p99 ms per report, in CPU time.

    CPU time of this process (`time.process_time`), not wall time, so other
    work on a shared machine does not count against triage.
    """
    for report in reports:  # warm up caches and lazy loads
        work(report)
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    index = 0
    while time.perf_counter() < deadline:
        report = reports[index % len(reports)]
        started = time.process_time()
        work(report)
        times.append(time.process_time() - started)
        index += 1
    times.sort()
    return (
        len(times) / sum(times),
        statistics.median(times) * 1000,
        times[int(len(times) * 0.99)] * 1000,
    )


def throughput(lists_dir: Path, seconds: float, screening: bool) -> None:
    reports = realistic_reports()
    sizes = sorted(len(json.dumps(r).encode()) for r in reports)
    parties = sorted(len(r["parties"]) for r in reports)
    print(
        f"Throughput on one core: {len(reports)} reports of {sizes[0]}-{sizes[-1]} bytes "
        f"(median {statistics.median(sizes):.0f}), {parties[0]}-{parties[-1]} structured parties"
    )

    def without_screening(report: dict[str, Any]) -> object:
        fields = report_fields(report)
        extraction = extract(report, fields=fields)
        return assess(extraction, fire_indicators(report, extraction, fields=fields), (), "tip")

    per_second, median, p99 = rate(without_screening, reports, seconds)
    print(
        f"  extraction + indicators + scoring: {per_second:,.0f} reports/s "
        f"(median {median:.2f} ms, p99 {p99:.2f} ms)"
    )
    if not screening:
        return
    try:
        from triage.pipeline import screen_parties
        from triage.screening import Screener, parse_list
    except ImportError as error:  # the screening package is someone else's, may lag
        print(f"  with screening: not measured ({error})")
        return
    files = {"un": "un_sc_consolidated.xml", "ofac_sdn": "ofac_sdn", "bis_dpl": "bis_dpl.txt"}
    if not all((lists_dir / name).exists() for name in files.values()):
        print(f"  with screening: not measured (lists not found in {lists_dir})")
        return
    screener = Screener([parse_list(lists_dir / name) for name in files.values()])

    def with_screening(report: dict[str, Any]) -> object:
        fields = report_fields(report)
        extraction = extract(report, fields=fields)
        fired = fire_indicators(report, extraction, fields=fields)
        return assess(extraction, fired, screen_parties(extraction, screener), "tip")

    per_second, median, p99 = rate(with_screening, reports, seconds)
    print(
        f"  + screening every party against UN, OFAC SDN and BIS DPL: {per_second:,.0f} "
        f"reports/s (median {median:.2f} ms, p99 {p99:.2f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-screening", action="store_true")
    args = parser.parse_args()
    quality()
    print()
    throughput(args.lists, args.seconds, not args.no_screening)
    if not args.no_screening:
        print()
        from bench.screening import print_figures, screening_figures

        print_figures(screening_figures(args.lists))


if __name__ == "__main__":
    main()
