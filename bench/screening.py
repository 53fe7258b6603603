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

`--batch` (default 10,000 lines; 0 skips it) then measures screening a
customer file, names per second, each against a baseline from the same run:

- in process: the per-name call loop (`screener.screen(name, country)` for
  each line) against the batch path of `vigil screen --batch --json`
  (`read_batch` checking the file, `screen_batch`, one JSON line per name);
- as commands, on a SQLite instance made with `vigil init` and the three
  lists imported: `vigil screen --batch FILE --json` for the whole file, list
  loading included, against `vigil screen NAME --json` run once per name
  (timed over a few names: each run loads the lists).

The batch is the same seeded mix as above, a country on every other line.

Then (`--no-variants` skips it) bench/screening_variants.py: recall on
variants of every UN and OFAC NPWMD name by kind, false hits on ordinary names
of many origins, and speed, each for a frozen dev and holdout split.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy.orm import Session  # noqa: E402

from reporting.cli.lists import _batch_line  # noqa: E402
from reporting.core.db import create_db_engine, upgrade_database  # noqa: E402
from reporting.pipeline.screening_lists import load_screener, store_list  # noqa: E402
from triage.screening import Screener, parse_list  # noqa: E402
from triage.screening.batch import read_batch, screen_batch  # noqa: E402

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
    figures["screener"] = screener
    return figures


COUNTRIES = ["KP", "IR", "CN", "AE", "RU", "DE", "HK", "TR", "SG", "US"]


def batch_text(names: list[str], count: int, seed: int = 11) -> str:
    rng = random.Random(seed)
    lines = []
    for i, query in enumerate(queries(names, count, seed)):
        lines.append(f"{query}\t{rng.choice(COUNTRIES)}" if i % 2 else query)
    return "".join(line + "\n" for line in lines)


def vigil(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(
        [sys.executable, "-m", "reporting.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"vigil {args[0]} failed: {result.stderr.decode()[-500:]}")
    return result


def batch_figures(
    screener: Screener, lists_dir: Path = DEFAULT_LISTS, count: int = 10_000
) -> dict[str, object]:
    names = [entry.primary_name for entry in screener.entries]
    names += [alias.name for entry in screener.entries for alias in entry.aliases]
    text = batch_text(names, count)
    data = text.encode()
    parsed = [line.partition("\t") for line in text.splitlines()]
    figures: dict[str, object] = {"lines": len(parsed)}

    started = time.perf_counter()
    for name, _, country in parsed:
        screener.screen(name, country=country or None)
    figures["loop_s"] = time.perf_counter() - started

    started = time.perf_counter()
    batch = read_batch(data)
    out = [_batch_line(query, hits) for query, hits in screen_batch(screener, batch)]
    figures["batch_s"] = time.perf_counter() - started
    figures["distinct"] = len({(q.name, q.country) for q in batch})
    assert len(out) == len(parsed)

    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
        env.update(
            VIGIL_INSTANCE=f"{folder}/instance",
            VIGIL_DATABASE_URL=f"sqlite:///{folder}/vigil.sqlite3",
            VIGIL_PASSWORD_COST="minimal",
            VIGIL_INTAKE_PASSPHRASE="bench passphrase for batch screening",
        )
        vigil("init", env=env)
        for name in LIST_FILES.values():
            vigil("lists", "import", str(lists_dir / name), env=env)
        batch_file = Path(folder) / "customers.txt"
        batch_file.write_bytes(data)
        started = time.perf_counter()
        result = vigil("screen", "--batch", str(batch_file), "--json", env=env)
        figures["command_batch_s"] = time.perf_counter() - started
        assert len(result.stdout.splitlines()) == len(parsed)
        assert json.loads(result.stdout.splitlines()[0])["line"] == 1
        singles = []
        for name, _, _ in parsed[:3]:
            started = time.perf_counter()
            vigil("screen", name, "--json", env=env)
            singles.append(time.perf_counter() - started)
        figures["command_single_s"] = statistics.median(singles)
    return figures


def print_batch_figures(figures: dict[str, object]) -> None:
    lines = figures["lines"]
    assert isinstance(lines, int)

    def rate(seconds: object) -> str:
        assert isinstance(seconds, float)
        return f"{lines / seconds:>8,.0f} names/s ({seconds:.2f} s)"

    single = figures["command_single_s"]
    assert isinstance(single, float)
    print(f"Batch screening, {lines:,} lines ({figures['distinct']:,} distinct name and country)")
    print(f"  in process, per-name call loop (baseline): {rate(figures['loop_s'])}")
    print(f"  in process, read_batch + screen_batch + JSON lines: {rate(figures['batch_s'])}")
    print(
        f"  vigil screen NAME per name (baseline): {1 / single:>8,.2f} names/s"
        f" ({single:.2f} s a run)"
    )
    print(
        f"  vigil screen --batch FILE --json, lists loaded once: {rate(figures['command_batch_s'])}"
    )


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
    parser.add_argument("--batch", type=int, default=10_000, help="lines in the batch (0: none)")
    parser.add_argument("--no-variants", action="store_true", help="skip the variants benchmark")
    args = parser.parse_args()
    figures = screening_figures(args.lists, args.queries)
    print_figures(figures)
    if args.batch:
        screener = figures["screener"]
        assert isinstance(screener, Screener)
        print_batch_figures(batch_figures(screener, args.lists, args.batch))
    if not args.no_variants:
        from bench.screening_variants import print_report, run

        print_report(run(args.lists))


if __name__ == "__main__":
    main()
