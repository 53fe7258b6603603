"""`vigil audit verify`: check the hash-chained audit log."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session

from reporting.audit.verify import AuditAnchor, verify_audit_log
from reporting.cli.operator import initialised_engine, load_settings


@click.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
@click.option(
    "--anchor",
    metavar="SEQ:HASH",
    help="A head printed by an earlier run, kept outside the database: the chain must pass it.",
)
def audit_verify(anchor: str | None) -> None:
    """Check every entry of the audit log; name the first bad one."""
    engine = initialised_engine(load_settings())
    try:
        expected = AuditAnchor.parse(anchor) if anchor else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--anchor") from None
    with Session(engine) as session:
        verification = verify_audit_log(session, anchor=expected)
    if not verification.ok:
        raise click.ClickException(f"audit log damaged: {verification.message}")
    click.echo(f"audit log intact: {verification.entries_checked} entries")
    if verification.head is not None:
        click.echo(f"head: {verification.head}  (keep a copy; pass it as --anchor later)")
