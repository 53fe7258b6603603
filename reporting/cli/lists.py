"""`vigil lists` and `vigil screen`: the screening lists, and a name screened against them."""

from __future__ import annotations

import json
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
from triage.screening import HIT_THRESHOLD, ListFormatError
from triage.screening.countries import country_code


@click.group("lists")
def lists_group() -> None:
    """Sanctions and denied-party lists (UN, OFAC SDN, BIS DPL)."""


@lists_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def lists_import(path: Path) -> None:
    """Import a list file as a new version (format detected; the same file twice is a no-op).

    PATH: the UN consolidated XML, the OFAC SDN folder (or its sdn.csv, with
    alt.csv and add.csv beside it) or the BIS Denied Persons List text file.
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


@click.command("screen")
@click.argument("name")
@click.option("--country", help="ISO code or name of the party's country.")
@click.option("--imo", "imos", multiple=True, help="An IMO number of the party's vessel.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def screen_command(name: str, country: str | None, imos: tuple[str, ...], as_json: bool) -> None:
    """Screen NAME against the current lists: the hits, best first."""
    if country is not None and country_code(country) is None:
        raise click.BadParameter(f"unknown country {country!r}", param_hint="--country")
    engine = initialised_engine(load_settings())
    with Session(engine) as session:
        try:
            screener = load_screener(session)
        except NoListsImported as error:
            raise click.ClickException(str(error)) from None
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
