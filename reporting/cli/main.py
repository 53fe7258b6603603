"""The `vigil` command: set up, serve and check an instance.

Every failure an operator can cause (a missing or wrong passphrase, an
existing database, an unreachable database URL) ends with one clear line on
stderr and exit status 1, never a traceback (reporting/cli/operator.py).

The commands live in one module per group: instance (init, serve, intake),
demo (demo, demo-code), audit, lists (lists, screen), triage, retention and
confirmation.
"""

from __future__ import annotations

import os

import click

from reporting.cli.audit import audit
from reporting.cli.confirmations import confirmation_group
from reporting.cli.demo import demo, demo_code
from reporting.cli.instance import init, intake, serve_command
from reporting.cli.lists import lists_group, screen_command
from reporting.cli.retention import retention_group
from reporting.cli.triage import triage_group


@click.group()
def main() -> None:
    """Vigil: whistleblower and suspicious-activity reporting."""
    # The instance's files are created owner-only where they are made
    # (reporting/core/files.py); the umask covers anything else a command writes.
    os.umask(0o077)


for command in (
    init,
    serve_command,
    demo,
    demo_code,
    audit,
    intake,
    lists_group,
    screen_command,
    triage_group,
    retention_group,
    confirmation_group,
):
    main.add_command(command)


if __name__ == "__main__":
    main()
