"""`vigil confirmation`: publish the filing key, and check a company's filing confirmation."""

from __future__ import annotations

from pathlib import Path

import click

from crypto import CryptoError, VerifyKey
from reporting.cli.operator import load_settings, operator_errors
from reporting.intake.confirmations import ConfirmationInvalid, read_confirmation


@click.group("confirmation")
def confirmation_group() -> None:
    """Disclosures' signed filing confirmations."""


@confirmation_group.command("key")
def confirmation_key() -> None:
    """Print the filing key to publish: companies check their confirmations against it."""
    settings = load_settings()
    with operator_errors():
        key = settings.resolved_filing_key().verify_key
    click.echo(f"filing key: {key.to_base64()}")
    click.echo(f"fingerprint: {key.fingerprint}")


@confirmation_group.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_text",
    help="The published filing key (base64); by default, this instance's own.",
)
def confirmation_verify(path: Path, key_text: str | None) -> None:
    """Check that a filing confirmation is unchanged and was signed with the filing key."""
    if key_text is None:
        settings = load_settings()
        if not settings.filing_key_file.exists():
            raise click.ClickException(
                f"no filing key at {settings.filing_key_file}: give the published one with --key"
            )
        with operator_errors():
            trusted = settings.resolved_filing_key().verify_key
    else:
        try:
            trusted = VerifyKey.from_base64(key_text)
        except CryptoError:
            raise click.ClickException("--key is not a filing key (32 bytes, base64)") from None
    try:
        confirmation = read_confirmation(path.read_bytes(), trusted)
    except ConfirmationInvalid as error:
        raise click.ClickException(f"{path}: NOT VALID: {error}") from None
    click.echo(f"{path}: valid, signed by the filing key {trusted.fingerprint}")
    click.echo(f"  reference: {confirmation.reference}")
    click.echo(f"  stage:     {confirmation.stage}")
    click.echo(f"  filed:     {confirmation.filed_hour:%Y-%m-%d %H:00} UTC")
    click.echo(f"  sha256:    {confirmation.sha256}")
