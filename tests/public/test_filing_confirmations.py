"""A disclosure's filing confirmations: dated, signed, and checkable away from Vigil."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from reporting.cli.main import main
from reporting.core.models import Attachment, Report, ReportPart
from tests.fixtures.app import csrf_token_from, shown_html
from tests.public.support import Reporter, seal_tip
from tests.public.test_followup import file_nojs, open_case

DISCLOSURE = {
    "company": "Acme Machine Tools GmbH",
    "contact_name": "C. Weber",
    "contact_email": "compliance@acme.example",
    "violation": "Two spindles shipped to Dubai without a licence.",
    "certified": "y",
}


def _stored(app, reference: str) -> tuple[Report, list[ReportPart], dict[int | None, list[bytes]]]:
    """The case as stored, and each stage's attachment streams as they lie in the blob store."""
    context = app.extensions["vigil"]
    with context.session_factory() as session:
        report = session.scalars(select(Report).where(Report.public_reference == reference)).one()
        parts = list(report.parts)
        streams: dict[int | None, list[bytes]] = {}
        for attachment in session.scalars(select(Attachment).order_by(Attachment.id)):
            with context.blob_store.open_reader(attachment.blob_key) as source:
                streams.setdefault(attachment.part_id, []).append(source.read())
        session.expunge_all()
    return report, parts, streams


def _digest(body: bytes, streams: list[bytes]) -> str:
    digest = hashlib.sha256(body)
    for stream in streams:
        digest.update(hashlib.sha256(stream).digest())
    return digest.hexdigest()


def _verify(tmp_path, document: bytes, *key_args: str):
    path = tmp_path / "confirmation.json"
    path.write_bytes(document)
    return CliRunner().invoke(main, ["confirmation", "verify", str(path), *key_args])


def _file_stage(client, receipt: str, stage: str, narrative: str, **files: object):
    """A later stage filed from the case page, without JavaScript."""
    page = open_case(client, receipt).get_data(as_text=True)
    return client.post(
        "/followup/parts",
        data={
            "csrf_token": csrf_token_from(page),
            "stage": stage,
            "narrative": narrative,
            "certified": "y",
            **files,
        },
        content_type="multipart/form-data",
    )


def _published_key(settings) -> str:
    return settings.resolved_filing_key().verify_key.to_base64()


def test_each_stage_of_a_disclosure_has_a_signed_dated_confirmation(
    app, client, intake_key, settings, tmp_path, pinned_clock
):
    receipt = file_nojs(
        client,
        "/disclosure",
        {**DISCLOSURE, "attachments": (io.BytesIO(b"%PDF- invoice 4711"), "invoice.pdf")},
    )
    receipt_page = client.get("/receipt").get_data(as_text=True)
    assert "Download the filing confirmation" in receipt_page
    fingerprint = settings.resolved_filing_key().verify_key.fingerprint
    assert fingerprint in receipt_page

    first = client.get("/case/confirmation")
    assert first.status_code == 200
    assert first.mimetype == "application/json"
    document = json.loads(first.data)
    report, _, streams = _stored(app, document["reference"])
    assert document == {
        "format": "vigil-filing-confirmation/1",
        "reference": report.public_reference,
        "stage": "initial_notification",
        "filed_hour": report.received_hour.strftime("%Y-%m-%dT%H:00:00Z"),
        "sha256": _digest(report.body, streams[None]),
        "signing_key": _published_key(settings),
        "signing_key_fingerprint": fingerprint,
        "signature": document["signature"],
    }
    assert (
        f"filename*=UTF-8''{report.public_reference}-initial-notification-confirmation.json"
        in first.headers["Content-Disposition"]
    )
    # The same confirmation whenever it is asked for: nothing about it is stored.
    assert client.get("/case/confirmation").data == first.data

    checked = _verify(tmp_path, first.data, "--key", _published_key(settings))
    assert checked.exit_code == 0, checked.output
    assert f"reference: {report.public_reference}" in checked.output
    assert "stage:     initial_notification" in checked.output

    # A later stage, filed an hour on, has its own confirmation with its own hour and digest.
    pinned_clock.advance(timedelta(hours=1))
    filed = _file_stage(
        client,
        receipt,
        "full_narrative",
        "The spindles were re-exported to Iran.",
        attachments=(io.BytesIO(b"bill of lading"), "bl.txt"),
    )
    assert filed.status_code == 303
    filed = client.get(filed.headers["Location"])
    report, parts, streams = _stored(app, report.public_reference)
    (narrative,) = parts
    case_page = shown_html(filed.get_data(as_text=True))
    assert "Filing confirmation of the initial notification" in case_page
    assert f'href="/case/confirmation/{narrative.id}"' in case_page
    later = json.loads(client.get(f"/case/confirmation/{narrative.id}").data)
    assert later["stage"] == "full_narrative"
    assert later["filed_hour"] == narrative.submitted_hour.strftime("%Y-%m-%dT%H:00:00Z")
    assert later["sha256"] == _digest(narrative.body, streams[narrative.id])
    assert later["filed_hour"] != document["filed_hour"]


def test_a_changed_confirmation_or_another_key_fails_the_check(
    app, client, intake_key, settings, tmp_path, monkeypatch
):
    file_nojs(client, "/disclosure", DISCLOSURE)
    original = client.get("/case/confirmation").data
    monkeypatch.setenv("VIGIL_FILING_KEY_FILE", str(settings.filing_key_file))
    assert _verify(tmp_path, original).exit_code == 0  # against the instance's own key
    monkeypatch.setenv("VIGIL_FILING_KEY_FILE", str(tmp_path / "nowhere.key"))
    assert "give the published one with --key" in _verify(tmp_path, original).output

    document = json.loads(original)
    later = document["filed_hour"].replace(document["filed_hour"][:4], "2031")
    for changed in (
        original.replace(document["filed_hour"].encode(), later.encode()),
        original.replace(document["sha256"].encode(), b"0" * 64),
        original.replace(b"initial_notification", b"full_narrative"),
    ):
        result = _verify(tmp_path, changed, "--key", _published_key(settings))
        assert result.exit_code == 1
        assert "NOT VALID: the signature does not verify" in result.output

    other_key = "A" * 43 + "="
    result = _verify(tmp_path, original, "--key", other_key)
    assert result.exit_code == 1
    assert "NOT VALID" in result.output
    assert _verify(tmp_path, b"{not json", "--key", _published_key(settings)).exit_code == 1
    assert "--key is not a filing key" in _verify(tmp_path, original, "--key", "abc").output


def test_the_published_key_is_the_one_that_signs(app, client, intake_key, settings, monkeypatch):
    monkeypatch.setenv("VIGIL_INSTANCE", str(settings.instance_path))
    monkeypatch.setenv("VIGIL_FILING_KEY_FILE", str(settings.filing_key_file))
    printed = CliRunner().invoke(main, ["confirmation", "key"])
    assert printed.exit_code == 0, printed.output
    assert f"filing key: {_published_key(settings)}" in printed.output
    file_nojs(client, "/disclosure", DISCLOSURE)
    assert json.loads(client.get("/case/confirmation").data)["signing_key"] in printed.output


def test_only_a_disclosure_stage_of_the_held_case_is_confirmed(app, client, intake_key):
    assert client.get("/case/confirmation").status_code == 303  # no receipt held
    file_nojs(client, "/tip", {"what_happened": "A lathe went east."})
    assert client.get("/case/confirmation").status_code == 404
    assert "confirmation" not in shown_html(client.get("/receipt").get_data(as_text=True)).lower()

    company = app.test_client()
    receipt = file_nojs(company, "/disclosure", DISCLOSURE)
    assert _file_stage(company, receipt, "supplement", "more").status_code == 303
    with app.extensions["vigil"].session_factory() as session:
        part_id = session.scalars(select(ReportPart.id)).one()
    assert company.get(f"/case/confirmation/{part_id}").status_code == 200
    # Another company's case does not confirm this one's stage.
    other = app.test_client()
    file_nojs(other, "/disclosure", DISCLOSURE)
    assert other.get(f"/case/confirmation/{part_id}").status_code == 404


def test_the_api_gives_the_same_confirmation(app, client, intake_key):
    reporter = Reporter(client, "/disclosure")
    sealed = seal_tip(
        intake_key.public_key,
        {"form": "disclosure", "format": 1, "stage": "initial_notification", **{
            "company": "Acme", "contact_name": "C", "contact_email": "c@acme.example",
            "violation": "v", "certified": True,
        }},
    )  # fmt: skip
    assert reporter.submit(sealed, intake_type="disclosure").status_code == 201
    answer = reporter.post_json("/api/case/confirmation", {"lookup_token": sealed.token})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert json.loads(answer.data)["stage"] == "initial_notification"
    for bad in ({"part": "1"}, {"part": 0}, {"part": True}, {"stage": 1}):
        refused = reporter.post_json(
            "/api/case/confirmation", {"lookup_token": sealed.token, **bad}
        )
        assert refused.status_code == 400, bad
    missing = reporter.post_json(
        "/api/case/confirmation", {"lookup_token": sealed.token, "part": 99}
    )
    assert missing.status_code == 404
