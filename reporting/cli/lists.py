"""`vigil lists` and `vigil screen`: the screening lists, and a name screened against them."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import click
from sqlalchemy.orm import Session

from reporting.cli.operator import initialised_engine, load_settings
from reporting.pipeline.rescreen import reports_due
from reporting.pipeline.screening_lists import (
    NoListsImported,
    import_list_file,
    list_versions,
    load_screener,
)
from triage.model import ScreeningHit
from triage.screening import HIT_THRESHOLD, ListFormatError
from triage.screening.batch import BatchInputError, BatchQuery, read_batch, screen_batch
from triage.screening.countries import country_code


@click.group("lists")
def lists_group() -> None:
    """Sanctions and denied-party lists (UN, OFAC SDN, BIS DPL, OpenSanctions, a watchlist)."""


@lists_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def lists_import(path: Path) -> None:
    """Import a list file as a new version (format detected; the same file twice is a no-op).

    PATH: the UN consolidated XML, the OFAC SDN folder (or its sdn.csv, with
    alt.csv and add.csv beside it), the BIS Denied Persons List text file,
    OpenSanctions' FollowTheMoney entities (JSON lines) or the agency's own
    watchlist CSV (header name,kind,aliases,country,identifiers,program,remarks).
    """
    engine = initialised_engine(load_settings())
    with Session(engine) as session:
        try:
            result = import_list_file(session, path)
        except ListFormatError as error:
            raise click.ClickException(str(error)) from None
    if result.created:
        click.echo(
            f"imported {result.source} version {result.version_label}: "
            f"{result.entry_count} entries (parse {result.parse_seconds:.2f} s, "
            f"store {result.store_seconds:.2f} s)"
        )
    else:
        click.echo(
            f"{result.source} version {result.version_label} is already imported "
            f"(sha256 {result.sha256[:12]}): nothing changed"
        )
    with Session(engine) as session:
        due = len(reports_due(session))
    if due:
        # Only an investigator's key can open a triaged report (docs/triage.md,
        # Re-screening): the import itself cannot re-screen them.
        click.echo(
            f"{due} triaged report{'s are' if due != 1 else ' is'} now due for re-screening:"
            " run `vigil triage rescreen --user USERNAME` as an investigator of their"
            " queues (or open them in the console)"
        )
    else:
        click.echo("no triaged report is due for re-screening")


@lists_group.command("status")
def lists_status() -> None:
    """The imported list versions, newest first; the current one of each source is marked."""
    engine = initialised_engine(load_settings())
    with Session(engine) as session:
        versions = list_versions(session)
    if not versions:
        click.echo("no screening list imported: run `vigil lists import PATH`")
        return
    click.echo(f"{'source':<10} {'version':<26} {'entries':>7}  {'imported (UTC)':<16}  sha256")
    for version in versions:
        click.echo(
            f"{version.source:<10} {version.version_label:<26} {version.entry_count:>7}  "
            f"{version.imported_at:%Y-%m-%d %H:%M}  {version.sha256[:12]}"
            + ("  current" if version.current else "")
        )


def _batch_line(query: BatchQuery, hits: list[ScreeningHit]) -> str:
    document = {
        "line": query.line,
        "name": query.name,
        "country": query.country,
        "hits": [asdict(hit) for hit in hits],
    }
    return json.dumps(document, ensure_ascii=False)


def _batch_rows(query: BatchQuery, hits: list[ScreeningHit]) -> str:
    head = f"{query.line:>6}  {query.name}" + (f"  [{query.country}]" if query.country else "")
    if not hits:
        return f"{head}\n        no hit"
    rows = [head]
    for hit in hits:
        rows.append(
            f"        {hit.score:.2f}  {hit.list_source} {hit.entry_id}  {hit.primary_name}"
            f"  [{', '.join(hit.programs)}]"
        )
        rows += [f"              {reason}" for reason in hit.reasons]
    return "\n".join(rows)


def _write_lines(lines: Iterable[str]) -> None:
    """Each line whole, or none: a closed pipe (`| head`) ends the command quietly."""
    out = sys.stdout
    try:
        for line in lines:
            out.write(line + "\n")
        out.flush()
    except BrokenPipeError:
        # Nothing more can be written; stop Python complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        raise SystemExit(1) from None


def _read_batch_file(path: str) -> list[BatchQuery]:
    try:
        if path == "-":
            data, label = sys.stdin.buffer.read(), "stdin"
        else:
            data, label = Path(path).read_bytes(), path
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror}") from None
    try:
        return read_batch(data, label=label)
    except BatchInputError as error:
        raise click.ClickException(f"nothing screened: {error}") from None


@click.command("screen")
@click.argument("name", required=False)
@click.option("--country", help="ISO code or name of the party's country.")
@click.option("--imo", "imos", multiple=True, help="An IMO number of the party's vessel.")
@click.option(
    "--batch",
    "batch",
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    help="Screen every name of this file (one a line, optionally TAB and a country; - for"
    " stdin) instead of NAME.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def screen_command(
    name: str | None, country: str | None, imos: tuple[str, ...], batch: str | None, as_json: bool
) -> None:
    """Screen NAME (or every name of a --batch file) against the current lists, best hits first.

    With --batch and --json: one JSON object a line, per name of the file, in
    its order (line, name, country, hits). The file is checked whole before
    anything is screened: a bad line (not UTF-8, an unknown country) prints
    every bad line on stderr and nothing on stdout.
    """
    if batch is not None:
        if name is not None or country is not None or imos:
            raise click.UsageError(
                "--batch takes no NAME, --country or --imo (use the file's tab column)"
            )
        queries = _read_batch_file(batch)
    elif name is None:
        raise click.UsageError("give a NAME or --batch FILE")
    elif country is not None and country_code(country) is None:
        raise click.BadParameter(f"unknown country {country!r}", param_hint="--country")
    engine = initialised_engine(load_settings())
    with Session(engine) as session:
        try:
            screener = load_screener(session)
        except NoListsImported as error:
            raise click.ClickException(str(error)) from None
    engine.dispose()
    if batch is not None:
        render = _batch_line if as_json else _batch_rows
        _write_lines(render(query, hits) for query, hits in screen_batch(screener, queries))
        return
    assert name is not None
    hits = screener.screen(name, country=country, identifiers=imos)
    if as_json:
        document = {
            "query": {"name": name, "country": country, "imo": list(imos)},
            "threshold": HIT_THRESHOLD,
            "list_versions": screener.versions,
            "hits": [asdict(hit) for hit in hits],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if not hits:
        click.echo(f"no hit (threshold {HIT_THRESHOLD})")
        return
    for hit in hits:
        programs = ", ".join(hit.programs)
        click.echo(
            f"{hit.score:.2f}  {hit.list_source} {hit.entry_id}  {hit.primary_name}  [{programs}]"
        )
        if hit.matched_name != hit.primary_name:
            click.echo(f"      matched: {hit.matched_name}")
        for reason in hit.reasons[1:]:
            click.echo(f"      {reason}")
