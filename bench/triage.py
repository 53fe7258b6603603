"""Triage figures: quality on the labelled cases, throughput, and screening with the real lists.

    .venv/bin/python bench/triage.py [--lists tests/data/lists] [--seconds 5] [--no-screening]

Prints, in order:

- **Quality**: precision and recall per risk category, and recall of WMD
  domains and parties, over tests/triage/cases/ (reports written from real
  public enforcement cases, each labelled). Extraction + indicators +
  scoring, without screening: the labels are about what the text says.
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

from tests.triage.casebook import load_cases, precision_recall, run_case  # noqa: E402
from triage.extract import extract, report_fields  # noqa: E402
from triage.indicators import INDICATORS_VERSION, fire_indicators  # noqa: E402
from triage.scoring import assess  # noqa: E402

DEFAULT_LISTS = REPO / "tests" / "data" / "lists"
MIN_BYTES, MAX_BYTES = 2048, 4096


def quality() -> None:
    cases = load_cases()
    outcomes = [run_case(case) for case in cases]
    print(f"Quality on {len(cases)} labelled enforcement cases (indicators {INDICATORS_VERSION})")
    print(f"  {'category':<22} {'precision':>9} {'recall':>7} {'cases':>6}")
    for category, (precision, recall, support) in precision_recall(outcomes).items():
        print(f"  {category:<22} {precision:>9.2f} {recall:>7.2f} {support:>6}")
    domains_expected = sum(len(o.case.domains) for o in outcomes)
    domains_found = sum(len(o.case.domains & o.domains) for o in outcomes)
    domains_extra = sum(len(o.domains - o.case.domains) for o in outcomes)
    parties_expected = sum(len(o.case.parties) for o in outcomes)
    parties_missing = sum(len(o.missing_parties()) for o in outcomes)
    print(
        f"  WMD domains: recall {domains_found}/{domains_expected}, "
        f"{domains_extra} tagged beyond the labels"
    )
    print(f"  key parties: recall {parties_expected - parties_missing}/{parties_expected}")
    priorities: dict[str, int] = {}
    for outcome in outcomes:
        key = str(outcome.assessment.priority)
        priorities[key] = priorities.get(key, 0) + 1
    print("  priorities: " + ", ".join(f"{k} {v}" for k, v in sorted(priorities.items())))


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
