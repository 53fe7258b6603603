"""The `vigil` command on the suite's clock, for tests that run it as a process.

`python -m tests.pinned_cli MOMENT ARGS...` runs `vigil ARGS...` with the
clock pinned at MOMENT (ISO 8601 with an offset) and running from there, so
a worker or a server started by a test sees the same date as the test that
filed its reports. Forked processes (gunicorn's workers) inherit the clock.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime

from reporting.cli.main import main
from reporting.core import clock
from reporting.core.clock import PinnedClock


def vigil_command() -> list[str]:
    """The command line that runs `vigil` at the suite's current time."""
    return [sys.executable, "-m", "tests.pinned_cli", clock.now().isoformat()]


def run_vigil(
    *args: str, env: Mapping[str, str] | None = None, stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    """Run `vigil ARGS...` to its end; `env` defaults to this one without any VIGIL_ setting."""
    if env is None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
    return subprocess.run(
        [*vigil_command(), *args],
        env=dict(env),
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


if __name__ == "__main__":
    clock.use(PinnedClock(datetime.fromisoformat(sys.argv[1])))
    sys.argv = ["vigil", *sys.argv[2:]]
    main()
