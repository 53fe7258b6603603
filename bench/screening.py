"""Screening figures with the three real lists loaded.

    .venv/bin/python bench/screening.py [--lists tests/data/lists] [--queries 3000]

Prints, for each list (UN XML, OFAC SDN set, BIS DPL): parse time, the time
to store it as a list version in a fresh SQLite database (migrated), and its
entry count; then the time to load all three back from the database and
build the Screener, the names indexed; then the time to screen one name:
median, p90, p99 and max, over a fixed, seeded mix of queries: a third listed
names as written, a third listed names with one typo and the words shuffled,
a third ordinary names that are not listed (which still cost a candidate
search); and the process's resident memory (now and peak).

`screening_figures()` returns the same figures as a dict, for bench/triage.py.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy.orm import Session  # noqa: E402

from reporting.core.db import create_db_engine, upgrade_database  # noqa: E402
from reporting.pipeline.screening_lists import load_screener, store_list  # noqa: E402
from triage.screening import parse_list  # noqa: E402

LIST_FILES = {"un": "un_sc_consolidated.xml", "ofac_sdn": "ofac_sdn", "bis_dpl": "bis_dpl.txt"}
DEFAULT_LISTS = REPO / "tests" / "data" / "lists"

FIRST = ["John", "Maria", "Wei", "Anna", "Pieter", "Olga", "Carlos", "Aisha", "Kenji", "Lena"]
LAST = ["Smith", "Garcia", "Chen", "Novak", "Jansen", "Ivanova", "Silva", "Okafor", "Sato"]
WORDS = ["Global", "Precision", "Harbour", "Alpine", "Northern", "Delta", "Sunrise", "Vector"]
TRADES = ["Logistics", "Machinery", "Components", "Trading", "Instruments", "Optics", "Metals"]
FORMS = ["Ltd", "GmbH", "LLC", "Co., Ltd.", "S.A.", "FZE", "B.V.", ""]


def rss_mib() -> tuple[float, float]:
    """Resident memory now and at its peak, in MiB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    now = pages * resource.getpagesize() / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return now, peak


def typo(name: str, rng: random.Random) -> str:
    words = name.split()
    rng.shuffle(words)
    long_words = [i for i, word in enumerate(words) if len(word) >= 5]
    if long_words:
        i = rng.choice(long_words)
        at = rng.randrange(1, len(words[i]) - 1)
        words[i] = words[i][:at] + rng.choice("aeiourtn") + words[i][at + 1 :]
    return " ".join(words)


def queries(names: list[str], count: int, seed: int = 4) -> list[str]:
    rng = random.Random(seed)
    mix = []
    for i in range(count):
        if i % 3 == 0:
            mix.append(rng.choice(names))
        elif i % 3 == 1:
            mix.append(typo(rng.choice(names), rng))
        elif rng.random() < 0.5:
            mix.append(f"{rng.choice(FIRST)} {rng.choice(LAST)}")
        else:
            mix.append(f"{rng.choice(WORDS)} {rng.choice(TRADES)} {rng.choice(FORMS)}".strip())
    return mix


def screening_figures(
    lists_dir: Path = DEFAULT_LISTS, query_count: int = 3000
) -> dict[str, object]:
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        engine = create_db_engine(f"sqlite:///{folder}/bench.sqlite3")
        upgrade_database(engine)
        imports = {}
        for source, name in LIST_FILES.items():
            started = time.perf_counter()
            parsed = parse_list(lists_dir / name)
            parsed_at = time.perf_counter()
            with Session(engine) as session:
                store_list(session, parsed)
            imports[source] = {
                "entries": len(parsed.entries),
                "parse_s": parsed_at - started,
                "store_s": time.perf_counter() - parsed_at,
            }
        figures["imports"] = imports
        started = time.perf_counter()
        with Session(engine) as session:
            screener = load_screener(session)
        figures["load_and_build_s"] = time.perf_counter() - started
        engine.dispose()
    figures["entries"] = len(screener)
    figures["names"] = screener.name_count

    names = [entry.primary_name for entry in screener.entries]
    names += [alias.name for entry in screener.entries for alias in entry.aliases]
    mix = queries(names, query_count)
    for query in mix[:200]:  # warm up
        screener.screen(query)
    times = []
    hits = 0
    for query in mix:
        started = time.perf_counter()
        found = screener.screen(query)
        times.append(time.perf_counter() - started)
        hits += bool(found)
    times.sort()
    figures["queries"] = len(times)
    figures["queries_with_hits"] = hits
    figures["screen_ms"] = {
        "median": statistics.median(times) * 1000,
        "p90": times[int(len(times) * 0.90)] * 1000,
        "p99": times[int(len(times) * 0.99)] * 1000,
        "max": times[-1] * 1000,
    }
    figures["rss_mib"], figures["peak_rss_mib"] = rss_mib()
    return figures


def print_figures(figures: dict[str, object]) -> None:
    imports = figures["imports"]
    assert isinstance(imports, dict)
    print("Screening (all three lists loaded)")
    print(f"  {'list':<10} {'entries':>8} {'parse':>9} {'store':>9}")
    for source, row in imports.items():
        print(
            f"  {source:<10} {row['entries']:>8} {row['parse_s'] * 1000:>7.0f} ms"
            f" {row['store_s'] * 1000:>6.0f} ms"
        )
    print(
        f"  load from the database and build the index: {figures['load_and_build_s']:.2f} s"
        f" ({figures['entries']} entries, {figures['names']} names)"
    )
    screen = figures["screen_ms"]
    assert isinstance(screen, dict)
    print(
        f"  screen one name ({figures['queries']} queries, {figures['queries_with_hits']} with"
        f" hits): median {screen['median']:.3f} ms, p90 {screen['p90']:.3f} ms,"
        f" p99 {screen['p99']:.3f} ms, max {screen['max']:.3f} ms"
    )
    print(
        f"  resident memory: {figures['rss_mib']:.0f} MiB now,"
        f" {figures['peak_rss_mib']:.0f} MiB peak"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument("--queries", type=int, default=3000)
    args = parser.parse_args()
    print_figures(screening_figures(args.lists, args.queries))


if __name__ == "__main__":
    main()
