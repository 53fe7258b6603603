"""`vigil serve` needs neither the intake key file nor its passphrase (only the worker does)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.cli.test_cli import PASSPHRASE, run_vigil
from tests.pinned_cli import vigil_command


def fetch(url: str, server: subprocess.Popen[str]) -> tuple[int, str]:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url) as response:
                return response.status, response.read().decode()
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)


def test_serve_offers_the_report_form_with_the_key_file_gone_and_no_passphrase(
    tmp_path: Path, database_url: str
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
    env.update(
        VIGIL_INSTANCE=str(tmp_path / "instance"),
        VIGIL_DATABASE_URL=database_url,
        VIGIL_PASSWORD_COST="minimal",
        VIGIL_INTAKE_PASSPHRASE=PASSPHRASE,
    )
    assert run_vigil("init", env=env).returncode == 0
    key_file = tmp_path / "instance" / "intake.key"
    # The key file goes to the worker's host; the web process keeps nothing of it.
    key_file.rename(tmp_path / "worker-host-intake.key")
    del env["VIGIL_INTAKE_PASSPHRASE"]

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*vigil_command(), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status, page = fetch(f"http://127.0.0.1:{port}/tip", server)
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=30)
    assert status == 200, err
    assert "data-intake-key=" in page
    assert "Not accepting reports" not in page
    assert not key_file.exists()
