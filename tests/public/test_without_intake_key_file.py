"""The web process takes reports without the intake key file or its passphrase.

Only the triage worker needs the intake private key; the public site seals
to the intake PUBLIC key, which it reads from the database. These tests run
the app with the key file gone and no passphrase in the environment, then
check that the stored reports open with the intake key as the worker holds it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from crypto import PrivateKey, RecordKind, decrypt_attachment, open_record
from reporting.app import create_app
from reporting.core.models import Attachment, IntakeType, Report
from reporting.core.settings import Settings
from tests.fixtures.app import csrf_token_from
from tests.public.support import Reporter, attachment_stream, open_intake_wrap, seal_tip


@pytest.fixture
def keyless_app(
    settings: Settings,
    intake_key: PrivateKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    """A fresh app on an initialised instance whose key file was moved off the host."""
    settings.intake_key_file.rename(tmp_path / "intake.key.elsewhere")
    monkeypatch.delenv("VIGIL_INTAKE_PASSPHRASE", raising=False)
    application = create_app(settings)
    yield application
    application.extensions["vigil"].engine.dispose()


def test_a_tip_without_javascript_is_taken_without_the_key_file(
    keyless_app: Flask, settings: Settings, intake_key: PrivateKey
) -> None:
    assert not settings.intake_key_file.exists()
    client = keyless_app.test_client()
    page = client.get("/tip")
    assert page.status_code == 200
    assert f'data-intake-key="{intake_key.public_key.to_base64()}"' in page.get_data(as_text=True)
    response = client.post(
        "/tip",
        data={
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            "what_happened": "Valves shipped to a front company.",
            "attachments": [(io.BytesIO(b"bill of lading"), "bill.txt", "text/plain")],
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert 'id="receipt"' in response.get_data(as_text=True)

    context = keyless_app.extensions["vigil"]
    with context.session_factory() as session:
        report = session.scalars(select(Report)).one()
        key = open_intake_wrap(report, intake_key)
        body = open_record(key, RecordKind.BODY, report.body)
        attachment = session.scalars(select(Attachment)).one()
        plain = io.BytesIO()
        with context.blob_store.open_reader(attachment.blob_key) as blob:
            info = decrypt_attachment(key, blob, plain)
    assert report.intake_type is IntakeType.TIP
    assert body["what_happened"] == "Valves shipped to a front company."
    assert (info.name, plain.getvalue()) == ("bill.txt", b"bill of lading")


def test_a_tip_with_javascript_is_taken_without_the_key_file(
    keyless_app: Flask, intake_key: PrivateKey
) -> None:
    reporter = Reporter(keyless_app.test_client())
    sealed = seal_tip(intake_key.public_key)
    upload = reporter.upload(attachment_stream(sealed.key, b"invoice", name="invoice.pdf"))
    response = reporter.submit(sealed, [upload])
    assert response.status_code == 201, response.get_json()

    context = keyless_app.extensions["vigil"]
    with context.session_factory() as session:
        report = session.scalars(select(Report)).one()
        assert open_intake_wrap(report, intake_key) == sealed.key
        attachment = session.scalars(select(Attachment)).one()
        plain = io.BytesIO()
        with context.blob_store.open_reader(attachment.blob_key) as blob:
            info = decrypt_attachment(sealed.key, blob, plain)
    assert (info.name, plain.getvalue()) == ("invoice.pdf", b"invoice")
