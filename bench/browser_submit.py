"""Time to receipt in Chromium, with the JavaScript JIT on and off (Tor Browser at "Safer").

    .venv/bin/python bench/browser_submit.py [--runs 3] [--file-mib 5] [--difficulty N]

A fresh instance in a temporary folder (SQLite, `vigil init` with the minimal
password cost, the default proof-of-work difficulty unless ``--difficulty``)
is served on 127.0.0.1 by the real app in a background thread. Headless
Chromium (Debian's, ``/usr/bin/chromium``) then files a tip with one attached
file of ``--file-mib`` MiB of random bytes, as a reporter would: open the tip
form, type the report, attach the file, press the button, wait for the
receipt panel. Each run is a fresh browser context; the time is from the
click to the receipt. It is measured first with the JIT on, then with
``--js-flags=--jitless`` (what Tor Browser's "Safer" level turns off;
WebAssembly goes with it), and the script's own phases are read from its
progress messages: proof of work, encrypting and uploading the file, sending.

Prints the median, min and max per mode and the ratio jitless / JIT.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from werkzeug.serving import make_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


@contextmanager
def served_instance(difficulty: int | None) -> Iterator[str]:
    from reporting.app import create_app
    from reporting.cli.bootstrap import initialise
    from reporting.core.db import create_db_engine
    from reporting.core.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "VIGIL_INSTANCE": folder,
            "VIGIL_PASSWORD_COST": "minimal",
            "VIGIL_SECURE_COOKIES": "false",
            "VIGIL_COMPONENTS": "public",
            "VIGIL_SECRET_KEY": secrets.token_hex(32),
            "VIGIL_LIMIT_SUBMISSIONS": "10000/minute",
        }
        if difficulty is not None:
            env["VIGIL_POW_DIFFICULTY"] = str(difficulty)
        settings = Settings.from_env(env)
        engine = create_db_engine(settings.database_url)
        initialise(engine, settings, passphrase="bench passphrase", admin_username="admin")
        engine.dispose()
        app = create_app(settings)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            app.extensions["vigil"].engine.dispose()


def time_to_receipt(browser: object, base: str, attachment: Path) -> float:
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.set_default_timeout(600_000)
        page.goto(base + "/tip", wait_until="load")
        page.fill("[name=what_happened]", "Valves relabelled as plumbing parts, shipped via Dubai.")
        page.set_input_files("#attachments", str(attachment))
        started = time.perf_counter()
        page.locator("#report-form [type=submit]").click()
        page.locator("[data-receipt-panel]").wait_for()
        return time.perf_counter() - started
    finally:
        context.close()


def measure(base: str, attachment: Path, runs: int, jitless: bool) -> list[float]:
    from playwright.sync_api import sync_playwright

    arguments = ["--js-flags=--jitless"] if jitless else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=arguments)
        try:
            time_to_receipt(browser, base, attachment)  # warm-up: caches, first connection
            return [time_to_receipt(browser, base, attachment) for _ in range(runs)]
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file-mib", type=float, default=5.0)
    parser.add_argument("--difficulty", type=int, default=None)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, served_instance(options.difficulty) as base:
        attachment = Path(folder) / "evidence.bin"
        attachment.write_bytes(os.urandom(int(options.file_mib * 2**20)))
        print(
            f"Time to receipt in Chromium: a tip with a {options.file_mib:g} MiB file, "
            f"{options.runs} runs per mode after a warm-up"
        )
        results = {}
        for label, jitless in (("JIT on", False), ("JIT off (--jitless)", True)):
            times = measure(base, attachment, options.runs, jitless)
            results[label] = statistics.median(times)
            print(
                f"  {label:22} median {statistics.median(times):7.2f} s"
                f"   min {min(times):7.2f} s   max {max(times):7.2f} s"
            )
        on, off = results["JIT on"], results["JIT off (--jitless)"]
        print(f"  ratio JIT off / JIT on: {off / on:.1f}x")


if __name__ == "__main__":
    main()
