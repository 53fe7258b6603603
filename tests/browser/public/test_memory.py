"""A 50 MiB attachment through the browser: the server's memory stays bounded.

The server runs in its own process here (tests/browser/public/serve.py), so
its resident memory is the app's alone, and is read from /proc: the peak
(VmHWM) is reset after a warm-up submission, then compared after the large
one with the resident size before it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import PublicBrowser
from tests.browser.public.helpers import (
    decrypt_stored,
    open_as_intake,
    stored_reports,
    submit_and_wait_for_receipt,
)
from tests.fixtures.browser import PROJECT_ROOT

pytestmark = pytest.mark.browser

MIB = 1024 * 1024
FILE_SIZE = 50 * MIB
# "Well under the file's size": a part is 4 MiB, the server copies 64 KiB at a time.
ALLOWED_GROWTH = 25 * MIB


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for process {pid}")


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current RSS (Linux 4.0+); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@pytest.fixture
def server_process(settings, intake_key) -> Iterator[tuple[str, int]]:
    if not Path("/proc/self/status").is_file():
        pytest.skip("needs Linux /proc to read the server's memory")
    environment = {
        **os.environ,
        "VIGIL_INSTANCE": str(settings.instance_path),
        "VIGIL_DATABASE_URL": settings.database_url,
        "VIGIL_BLOB_DIR": str(settings.blob_dir),
        "VIGIL_INTAKE_KEY_FILE": str(settings.intake_key_file),
        "VIGIL_SECRET_KEY": settings.secret_key or "",
        "VIGIL_SECURE_COOKIES": "false",
        "VIGIL_PASSWORD_COST": "minimal",
        "VIGIL_POW_DIFFICULTY": str(settings.pow_difficulty),
        "VIGIL_POW_ITERATIONS": str(settings.pow_iterations),
        "VIGIL_MAX_ATTACHMENT_BYTES": str(64 * MIB),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.public.serve"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def send_tip(browser: PublicBrowser, attachment: Path) -> None:
    tab = browser.new_page()
    tab.goto("/tip")
    tab.page.fill("#what_happened", "Large scanned shipping documents attached.")
    tab.page.set_input_files("#attachments", str(attachment))
    submit_and_wait_for_receipt(tab.page, "Send the report")


def test_a_50_mib_attachment_keeps_server_memory_bounded(
    chromium_browser, server_process, app, intake_key, settings, tmp_path_factory, capsys
):
    base_url, pid = server_process
    browser = PublicBrowser(chromium_browser, base_url)
    files = tmp_path_factory.mktemp("reporter")
    small = files / "small.bin"
    small.write_bytes(os.urandom(MIB))
    large = files / "large.bin"
    with large.open("wb") as handle:
        for _ in range(FILE_SIZE // MIB):
            handle.write(os.urandom(MIB))
    try:
        # Warm up every code path (imports, caches, connection pool) first.
        send_tip(browser, small)
        before = memory_kib(pid, "VmRSS")
        exact = reset_peak(pid)
        baseline = memory_kib(pid, "VmHWM") if exact else before
        send_tip(browser, large)
        peak = memory_kib(pid, "VmHWM")
    finally:
        browser.close()

    growth = (peak - baseline) * 1024
    with capsys.disabled():
        print(
            f"\n50 MiB attachment: server peak RSS grew by {growth / MIB:.1f} MiB"
            f" (from {baseline / 1024:.1f} to {peak / 1024:.1f} MiB"
            f"{'' if exact else ', peak since start'})"
        )
    assert growth < ALLOWED_GROWTH

    # And it arrived whole.
    with app.extensions["vigil"].session_factory() as session:
        _, stored_large = stored_reports(session)
        key, _ = open_as_intake(stored_large, intake_key)
        (attachment,) = stored_large.attachments
        info, data = decrypt_stored(key, attachment, settings.blob_dir)
    assert info.size == FILE_SIZE
    assert data == large.read_bytes()
