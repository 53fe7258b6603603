"""Without JavaScript the server sees the plaintext, and keeps none of it.

A tip whose every field and whose attachment carry a unique canary is sent
as a plain HTML form (the test client runs no script). Afterwards no byte of
the database (file and WAL, or every row on PostgreSQL), the blob store, the
instance folder, any temporary file written during the request, or the logs
holds the canary; the intake key opens the report with every field intact.
"""

from __future__ import annotations

import io
import logging
import secrets
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

from crypto import RecordKind, decrypt_attachment, open_record
from reporting.core.models import Attachment, IntakeType, Report
from tests.fixtures.app import csrf_token_from
from tests.public.support import open_intake_wrap, receipt_from

# Larger than Werkzeug's 500 KB threshold for spooling uploads to disk.
ATTACHMENT_SIZE = 3 * 1024 * 1024 + 17


class RecordingFile:
    """A temporary file that remembers every byte written to it."""

    def __init__(self, file, written: list[bytes]) -> None:
        self._file = file
        self._written = written

    def write(self, data) -> int:
        self._written.append(bytes(data))
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()


@pytest.fixture
def temporary_writes(monkeypatch) -> list[bytes]:
    """Every byte written to a temporary file made through `tempfile` during the test."""
    written: list[bytes] = []
    for name in ("TemporaryFile", "NamedTemporaryFile", "SpooledTemporaryFile"):
        original = getattr(tempfile, name)

        def recording(*args, _original=original, **kwargs):
            return RecordingFile(_original(*args, **kwargs), written)

        monkeypatch.setattr(tempfile, name, recording)
    return written


def tip_form(canary: str, token: str) -> dict[str, object]:
    data: dict[str, object] = {"csrf_token": token}
    for name in ("what_happened", "route", "dates", "payment", "how_known", "conflicts"):
        data[name] = f"{name} {canary}"
    for row in range(2):
        for name in ("description", "code", "quantity", "value"):
            data[f"goods-{row}-{name}"] = f"goods {row} {name} {canary}"
        for name in ("name", "country"):
            data[f"parties-{row}-{name}"] = f"party {row} {name} {canary}"
        data[f"parties-{row}-role"] = "consignee"
    return data


def files_under(*roots: Path) -> list[Path]:
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


def test_a_tip_without_javascript_leaves_no_plaintext_anywhere(
    app, client, settings, intake_key, tmp_path, caplog, temporary_writes
):
    caplog.set_level(logging.DEBUG)
    canary = f"CANARY-{secrets.token_hex(8)}"
    content = (f"{canary}\n".encode() * (ATTACHMENT_SIZE // 24 + 1))[:ATTACHMENT_SIZE]
    tmp_before = set(Path(tempfile.gettempdir()).iterdir())

    page = client.get("/tip")
    # Before submitting, the page says that the server will see the text.
    assert "JavaScript is off" in page.get_data(as_text=True)
    data = tip_form(canary, csrf_token_from(page.get_data(as_text=True)))
    data["attachments"] = [(io.BytesIO(content), f"shipping-{canary}.txt", "text/plain")]
    response = client.post(
        "/tip", data=data, content_type="multipart/form-data", follow_redirects=True
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert canary not in html
    receipt = receipt_from(html)
    app.extensions["vigil"].engine.dispose()  # checkpoint nothing, just close files

    needle = canary.encode()
    # The database, its WAL, the instance folder with the blob store, and any
    # file the request left in the system's temporary folder.
    new_tmp = [p for p in set(Path(tempfile.gettempdir()).iterdir()) - tmp_before if p.is_file()]
    for path in files_under(tmp_path, settings.instance_path) + new_tmp:
        assert needle not in path.read_bytes(), f"canary found in {path}"
    assert temporary_writes, "the upload was not spooled through a temporary file"
    assert all(needle not in chunk for chunk in temporary_writes)
    assert canary not in caplog.text
    assert receipt not in caplog.text

    engine = app.extensions["vigil"].engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            tables = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            for table in list(tables):
                hits = connection.execute(
                    text(
                        f"SELECT count(*) FROM {table} AS t WHERE CAST(t AS text) LIKE :plain"
                        " OR CAST(t AS text) LIKE :hex"
                    ),
                    {"plain": f"%{canary}%", "hex": f"%{needle.hex()}%"},
                ).scalar()
                assert hits == 0, f"canary in table {table}"

    # The investigator side opens it, every field intact.
    with app.extensions["vigil"].session_factory() as session:
        report = session.scalars(select(Report)).one()
        assert report.intake_type is IntakeType.TIP
        assert report.server_saw_plaintext
        key = open_intake_wrap(report, intake_key)
        body = open_record(key, RecordKind.BODY, report.body)
        expected = {k: v for k, v in tip_form(canary, "").items() if k != "csrf_token"}
        assert body["what_happened"] == expected["what_happened"]
        assert body["conflicts"] == [expected["conflicts"]]
        assert body["goods"][1]["value"] == expected["goods-1-value"]
        assert body["parties"][0] == {
            "name": expected["parties-0-name"],
            "country": expected["parties-0-country"],
            "role": "consignee",
        }
        for name in ("route", "dates", "payment", "how_known"):
            assert body[name] == expected[name]
        attachment = session.scalars(select(Attachment)).one()
        plain = io.BytesIO()
        with app.extensions["vigil"].blob_store.open_reader(attachment.blob_key) as source:
            info = decrypt_attachment(key, source, plain)
        assert info.name == f"shipping-{canary}.txt"
        assert info.content_type == "text/plain"
        assert plain.getvalue() == content
