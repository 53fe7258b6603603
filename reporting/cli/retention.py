"""`vigil retention purge`: delete the cases closed longer ago than the retention period."""

from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy.orm import Session

from reporting.admin.retention import closed_cases_due, purge_closed_cases
from reporting.cli.operator import initialised_engine, load_settings
from reporting.core import clock
from reporting.core.blobstore import FilesystemBlobStore


@click.group("retention")
def retention_group() -> None:
    """Retention: closed cases are deleted VIGIL_RETENTION_DAYS after closing."""


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="List the cases due, delete nothing.")
def retention_purge(dry_run: bool) -> None:
    """Delete the cases closed longer ago than the retention period (run it daily).

    Each case goes with its messages, notes, attachments (rows and blobs) and
    key wraps; the audit log keeps one `report.purge` entry per case.
    """
    settings = load_settings()
    if settings.retention_days == 0:
        click.echo("retention is off (VIGIL_RETENTION_DAYS=0): nothing is purged")
        return
    engine = initialised_engine(settings)
    older_than = timedelta(days=settings.retention_days)
    now = clock.now()
    with Session(engine) as session:
        if dry_run:
            due = closed_cases_due(session, older_than=older_than, now=now)
            click.echo(
                f"{len(due)} closed case{'' if len(due) == 1 else 's'} older than"
                f" {settings.retention_days} days would be purged (dry run: nothing deleted)"
            )
            for candidate in due:
                click.echo(
                    f"  {candidate.reference}  closed {candidate.closed_hour:%Y-%m-%d %H:00}"
                )
            return
        summary = purge_closed_cases(
            session,
            FilesystemBlobStore(settings.blob_dir),
            older_than=older_than,
            now=now,
            actor_user_id=None,
        )
    click.echo(
        f"purged {len(summary.purged)} closed case{'' if len(summary.purged) == 1 else 's'}"
        f" older than {settings.retention_days} days: {summary.messages} messages,"
        f" {summary.parts} parts, {summary.attachments} attachments, {summary.wraps} wraps;"
        f" {summary.blobs_deleted} blobs deleted"
    )
    for reference in summary.purged:
        click.echo(f"  {reference}")
    if summary.blobs_pending:
        raise click.ClickException(
            f"{len(summary.blobs_pending)} blobs could not be deleted; the next run retries them"
        )
