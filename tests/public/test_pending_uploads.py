"""Pending uploads: a part of the largest size, a bound on their total, oldest first, a janitor."""

from __future__ import annotations

import fcntl
import os
import time
from dataclasses import replace

import pytest

from crypto import ReportKey
from reporting.app import create_app
from reporting.core.settings import Settings, SettingsError
from reporting.intake.upload_janitor import Janitor
from reporting.intake.upload_space import MIN_CHARGE
from reporting.intake.uploads import MAX_PART_BYTES
from tests.public.support import Reporter, attachment_stream

KIB = 1024
MIB = 1024 * KIB
# As gunicorn sends every request: the stream then refuses a read past its maximum.
GUNICORN = {"wsgi.input_terminated": True}


@pytest.fixture
def bounded(settings, intake_key):
    """An instance whose pending uploads may hold 1 MiB together (16 empty uploads)."""
    app = create_app(
        replace(settings, max_attachment_bytes=1024 * KIB, pending_upload_bytes=1024 * KIB)
    )
    yield app
    app.extensions["vigil"].engine.dispose()


@pytest.fixture
def stream() -> bytes:
    return attachment_stream(ReportKey.generate(), os.urandom(600 * KIB))


def test_a_part_of_exactly_the_largest_size_is_accepted(app, intake_key):
    reporter = Reporter(app.test_client())
    stream = attachment_stream(ReportKey.generate(), os.urandom(MAX_PART_BYTES))
    assert len(stream) > MAX_PART_BYTES
    upload = reporter.open_upload()
    part = reporter.client.post(
        f"/api/uploads/{upload}?offset=0",
        data=stream[:MAX_PART_BYTES],
        content_type="application/octet-stream",
        headers={"X-CSRFToken": reporter.csrf},
        environ_overrides=GUNICORN,
    )
    assert part.status_code == 200, part.get_json()
    assert part.get_json() == {"received": MAX_PART_BYTES}

    one_more = reporter.client.post(
        f"/api/uploads/{reporter.open_upload()}?offset=0",
        data=stream[: MAX_PART_BYTES + 1],
        content_type="application/octet-stream",
        headers={"X-CSRFToken": reporter.csrf},
        environ_overrides=GUNICORN,
    )
    assert one_more.status_code == 413
    assert one_more.get_json()["error"] == "too_large"


def test_past_the_bound_the_oldest_upload_goes_first(bounded, stream):
    reporter = Reporter(bounded.test_client())
    uploads = bounded.extensions["vigil"].uploads
    first, second, third, fourth = (reporter.open_upload() for _ in range(4))
    for upload in (first, second, third):
        assert reporter.send_part(upload, 0, stream[: 300 * KIB]).status_code == 200
    assert uploads.total_charged() == 3 * 300 * KIB + MIN_CHARGE

    # The fourth upload's part needs room: the first upload, the oldest, makes it.
    assert reporter.send_part(fourth, 0, stream[: 300 * KIB]).status_code == 200
    assert uploads.total_charged() == 3 * 300 * KIB <= uploads.max_total_bytes
    gone = reporter.send_part(first, 300 * KIB, stream[300 * KIB : 301 * KIB])
    assert gone.status_code == 404
    assert gone.get_json()["error"] == "not_found"
    # The newest finishing pushes out the next oldest, and only it.
    rest = reporter.send_part(fourth, 300 * KIB, stream[300 * KIB :], final=True)
    assert rest.status_code == 200, rest.get_json()
    assert uploads.total_charged() <= uploads.max_total_bytes
    assert reporter.send_part(second, 300 * KIB, stream[300 * KIB : 301 * KIB]).status_code == 404
    assert reporter.send_part(third, 300 * KIB, stream[300 * KIB : 301 * KIB]).status_code == 200


def test_the_oldest_upload_growing_past_the_bound_goes_itself(bounded, stream):
    reporter = Reporter(bounded.test_client())
    uploads = bounded.extensions["vigil"].uploads
    oldest, newer = reporter.open_upload(), reporter.open_upload()
    assert reporter.send_part(oldest, 0, stream[: 400 * KIB]).status_code == 200
    assert reporter.send_part(newer, 0, stream[: 500 * KIB]).status_code == 200

    # Room for the oldest upload's growth is not taken from newer ones.
    evicted = reporter.send_part(oldest, 400 * KIB, stream[400 * KIB : 600 * KIB])
    assert evicted.status_code == 404
    assert "removed to make room" in evicted.get_json()["message"]
    assert uploads.total_charged() == 500 * KIB
    assert reporter.send_part(newer, 500 * KIB, stream[500 * KIB :], final=True).status_code == 200


def test_an_upload_receiving_a_part_is_passed_over(bounded, stream):
    reporter = Reporter(bounded.test_client())
    uploads = bounded.extensions["vigil"].uploads
    busy, idle, growing = (reporter.open_upload() for _ in range(3))
    assert reporter.send_part(busy, 0, stream[: 300 * KIB]).status_code == 200
    assert reporter.send_part(idle, 0, stream[: 300 * KIB]).status_code == 200
    with (uploads.directory / busy).open("ab") as handle:
        # What a part still arriving holds.
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        assert reporter.send_part(growing, 0, stream[: 500 * KIB]).status_code == 200
    next_byte = stream[300 * KIB : 300 * KIB + 1]
    assert reporter.send_part(idle, 300 * KIB, next_byte).status_code == 404
    assert reporter.send_part(busy, 300 * KIB, next_byte).status_code == 200


def test_the_total_is_recounted_from_the_files(bounded, stream):
    reporter = Reporter(bounded.test_client())
    uploads = bounded.extensions["vigil"].uploads
    upload = reporter.open_upload()
    assert reporter.send_part(upload, 0, stream[: 100 * KIB]).status_code == 200
    uploads.ledger_path.write_text("999999999 7\n")  # as after a crash in between
    assert uploads.recount() == 100 * KIB
    uploads.ledger_path.write_text("damaged")
    assert uploads.total_charged() == 100 * KIB


def test_the_janitor_removes_expired_uploads_by_itself(bounded):
    reporter = Reporter(bounded.test_client())
    uploads = bounded.extensions["vigil"].uploads
    expired, fresh = reporter.open_upload(), reporter.open_upload()
    os.utime(uploads.directory / expired, (0, 0))
    janitor = Janitor(interval=0.05)
    janitor.watch(uploads)
    try:
        deadline = time.monotonic() + 5
        while (uploads.directory / expired).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        janitor.stop()
    assert not (uploads.directory / expired).exists()
    assert (uploads.directory / fresh).exists()
    assert uploads.total_charged() == MIN_CHARGE
    assert [path.name.endswith(fresh) for path in (uploads.directory / "order").iterdir()] == [True]


def test_the_bound_holds_at_least_one_report_at_its_largest():
    assert Settings.from_env({}).pending_upload_bytes == 10 * 1024 * MIB
    with pytest.raises(SettingsError, match="VIGIL_PENDING_UPLOAD_BYTES"):
        Settings.from_env({"VIGIL_PENDING_UPLOAD_BYTES": str(1024 * MIB)})  # < 10 x 200 MiB
    small = {"VIGIL_MAX_ATTACHMENT_BYTES": str(MIB), "VIGIL_PENDING_UPLOAD_BYTES": str(64 * MIB)}
    assert Settings.from_env(small).pending_upload_bytes == 64 * MIB
    # Larger attachments than the default bound holds: the default grows to hold them.
    large = Settings.from_env({"VIGIL_MAX_ATTACHMENT_BYTES": str(2 * 1024 * MIB)})
    assert large.pending_upload_bytes > 10 * 2 * 1024 * MIB


def test_an_upload_keeps_no_time_finer_than_the_hour(app, intake_key):
    reporter = Reporter(app.test_client())
    stream = attachment_stream(ReportKey.generate(), os.urandom(100 * KIB))
    upload = reporter.upload(stream)  # the checks of its header and layout read it
    times = os.stat(app.extensions["vigil"].uploads.directory / f"{upload}.complete")
    assert times.st_atime == times.st_mtime
    assert times.st_mtime % 3600 == 0
