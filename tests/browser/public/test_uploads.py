"""Chunked uploads over a bad connection: parts cut off, answers lost, requests dropped."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.public.helpers import (
    decrypt_stored,
    open_as_intake,
    stored_reports,
    submit_and_wait_for_receipt,
)

pytestmark = pytest.mark.browser

MIB = 1024 * 1024
CUT = MIB + 123


def test_an_upload_survives_interruptions_and_resumes_where_the_server_stands(
    public_browser, intake_key, app, settings, tmp_path_factory
):
    attachment = tmp_path_factory.mktemp("reporter") / "scan.bin"
    attachment.write_bytes(os.urandom(9 * MIB))  # three parts: 4 MiB, 4 MiB, the rest
    tab = public_browser.new_page()
    page = tab.page
    done: set[str] = set()

    def bad_network(route):
        query = parse_qs(urlparse(route.request.url).query)
        offset = int(query["offset"][0])
        body = route.request.post_data_buffer or b""
        if offset == 0 and "cut" not in done:
            # The first part is cut off in transit: a prefix arrives, no answer comes.
            done.add("cut")
            route.fetch(post_data=body[:CUT])
            route.abort()
        elif offset > CUT and "final" not in query and "lost" not in done:
            # The second part arrives whole, but its answer is lost.
            done.add("lost")
            route.fetch()
            route.abort()
        elif "final" in query and "dropped" not in done:
            # The last part never reaches the server.
            done.add("dropped")
            route.abort()
        else:
            route.continue_()

    page.route(re.compile(r".*/api/uploads/[0-9a-f]{32}\?offset=.*"), bad_network)
    tab.goto("/tip")
    page.fill("#what_happened", "Scans of the bills of lading.")
    page.set_input_files("#attachments", str(attachment))
    submit_and_wait_for_receipt(page, "Send the report")
    assert done == {"cut", "lost", "dropped"}

    offsets = [
        int(parse_qs(urlparse(r.url).query)["offset"][0])
        for r in tab.requests
        if "/api/uploads/" in r.url and "offset=" in r.url
    ]
    # After the cut the script asked again at 0, was told how much had arrived
    # (409 offset_mismatch), and sent only the rest of the part.
    assert offsets[:3] == [0, 0, CUT]
    # The second part was sent twice; the repeat was answered "already here".
    second = offsets[3]
    assert offsets[4] == second
    assert offsets[5] > second

    with app.extensions["vigil"].session_factory() as session:
        (report,) = stored_reports(session)
        key, _ = open_as_intake(report, intake_key)
        (stored,) = report.attachments
        info, data = decrypt_stored(key, stored, settings.blob_dir)
    assert info.name == "scan.bin"
    assert data == attachment.read_bytes()
    # The dropped requests were logged by Chromium as failed loads; they were on purpose.
    tab.problems.console_errors[:] = [
        m for m in tab.problems.console_errors if "net::ERR_FAILED" not in m
    ]
