"""Screening a file of names: `read_batch` checks it whole, `screen_batch` screens it.

The input is UTF-8 text, one name a line, optionally followed by a tab and
the party's country (an ISO code or an English name). A BOM, CRLF line ends
and blank lines are allowed; a line that is not UTF-8, has more than one tab,
no name before its tab, or a country that is not known is an error, and all
of them (up to `MAX_ERRORS`) are reported with their line numbers before
anything is screened, so a bad file gives no partial output.

`screen_batch` screens each distinct (name, country) once: a customer file
repeats its names, and a repeat costs a dictionary look-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from triage.model import ScreeningHit
from triage.screening.countries import country_code
from triage.screening.screener import Screener

__all__ = ["MAX_ERRORS", "BatchInputError", "BatchQuery", "read_batch", "screen_batch"]

MAX_ERRORS = 10


class BatchInputError(ValueError):
    """The batch file has lines that cannot be screened; `problems` says which."""

    def __init__(self, problems: list[str], total: int) -> None:
        more = f"\n... and {total - len(problems)} more" if total > len(problems) else ""
        super().__init__("\n".join(problems) + more)
        self.problems = problems
        self.total = total


@dataclass(frozen=True, slots=True)
class BatchQuery:
    line: int  # 1-based line number in the input
    name: str
    country: str | None  # ISO 3166-1 alpha-2
    given_country: str | None  # as written in the file


def read_batch(data: bytes, *, label: str = "input") -> list[BatchQuery]:
    """The queries of a batch file's bytes, or `BatchInputError` listing every bad line."""
    queries: list[BatchQuery] = []
    problems: list[str] = []
    total = 0

    def problem(number: int, text: str) -> None:
        nonlocal total
        total += 1
        if len(problems) < MAX_ERRORS:
            problems.append(f"{label}, line {number}: {text}")

    for number, raw in enumerate(data.split(b"\n"), 1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        raw = raw.removesuffix(b"\r")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            problem(number, "not UTF-8")
            continue
        if not line.strip():
            continue
        name, tab, rest = line.partition("\t")
        name = " ".join(name.split())
        given = " ".join(rest.split()) if tab else ""
        if "\t" in rest:
            problem(number, "more than one tab (expected NAME or NAME<TAB>COUNTRY)")
        elif not name:
            problem(number, "no name before the tab")
        elif given and (code := country_code(given)) is None:
            problem(number, f"unknown country {given!r}")
        else:
            country = code if given else None
            queries.append(BatchQuery(number, name, country, given or None))
    if problems:
        raise BatchInputError(problems, total)
    return queries


def screen_batch(
    screener: Screener, queries: Iterable[BatchQuery]
) -> Iterator[tuple[BatchQuery, list[ScreeningHit]]]:
    """Each query with its hits, in input order; a repeated (name, country) is screened once."""
    seen: dict[tuple[str, str | None], list[ScreeningHit]] = {}
    for query in queries:
        key = (query.name, query.country)
        hits = seen.get(key)
        if hits is None:
            hits = seen[key] = screener.screen(query.name, country=query.country)
        yield query, hits
