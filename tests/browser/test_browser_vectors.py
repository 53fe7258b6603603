"""tests/vectors/browser-v1.json, made in Chromium by the JS implementation, opens in Python.

No browser is needed here: the file is committed (remake it with
tests/vectors/make_browser_vectors.py). Every valid object opens with
crypto/ to exactly what the file says, and every `invalid` entry raises
CryptoError.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from crypto import (
    CryptoError,
    PrivateKey,
    PublicKey,
    Receipt,
    RecordKind,
    ReportEnvelope,
    ReportKey,
    decrypt_attachment,
    lookup_hash,
    open_record,
    open_report,
    unwrap_report_key,
)
from tests.browser.support import b64, bucket, unb64

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "browser-v1.json"


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    data = json.loads(VECTORS.read_text(encoding="utf-8"))
    assert data["protocol"] == 1
    assert data["made_by"] == "browser"
    for section in ("receipts", "fingerprints", "envelopes", "records", "wraps", "attachments"):
        assert data[section], section
    return data


def test_browser_receipts(vectors):
    for entry in vectors["receipts"]:
        receipt = Receipt.parse(entry["receipt"])
        assert str(receipt) == entry["receipt"]
        key = receipt.reporter_private_key()
        assert b64(key._raw()) == entry["reporter_private_key"]
        assert key.public_key.to_base64() == entry["reporter_public_key"]
        assert b64(receipt.lookup_token()) == entry["lookup_token"]
        assert b64(lookup_hash(receipt.lookup_token())) == entry["lookup_hash"]


def test_browser_fingerprints(vectors):
    for entry in vectors["fingerprints"]:
        assert PublicKey.from_base64(entry["public_key"]).fingerprint == entry["fingerprint"]


def test_browser_envelopes(vectors):
    for entry in vectors["envelopes"]:
        envelope = ReportEnvelope.from_json(entry["envelope"])
        assert envelope.to_json() == entry["envelope"]
        intake = PrivateKey(unb64(entry["intake_private_key"]))
        reporter = Receipt.parse(entry["receipt"]).reporter_private_key()
        rk1, body1 = open_report(envelope, intake, as_holder="intake")
        rk2, body2 = open_report(envelope, reporter, as_holder="reporter")
        assert body1 == body2 == entry["body"]
        assert rk1 == rk2


def test_browser_records(vectors):
    for entry in vectors["records"]:
        record = unb64(entry["record"])
        payload = json.dumps(entry["payload"], ensure_ascii=False, separators=(",", ":"))
        assert len(record) == 42 + bucket(6 + len(payload.encode()))
        key = ReportKey(unb64(entry["report_key"]))
        assert open_record(key, RecordKind(entry["kind"]), record) == entry["payload"]


def test_browser_wraps(vectors):
    for entry in vectors["wraps"]:
        key = unwrap_report_key(unb64(entry["wrap"]), PrivateKey(unb64(entry["private_key"])))
        assert b64(key._raw()) == entry["report_key"]


def test_browser_attachments(vectors):
    for entry in vectors["attachments"]:
        raw = unb64(entry["attachment"])
        assert int.from_bytes(raw[2:6], "big") == entry["chunk_size"]
        sink = io.BytesIO()
        info = decrypt_attachment(ReportKey(unb64(entry["report_key"])), io.BytesIO(raw), sink)
        assert (info.name, info.content_type, info.size) == (
            entry["name"],
            entry["type"],
            entry["size"],
        )
        assert hashlib.sha256(sink.getvalue()).hexdigest() == entry["sha256"]


def run_invalid(entry: dict[str, Any]) -> object:
    op = entry["op"]
    if op == "open_record":
        key = ReportKey(unb64(entry["report_key"]))
        return open_record(key, RecordKind(entry["kind"]), unb64(entry["input"]))
    if op == "unwrap":
        return unwrap_report_key(unb64(entry["input"]), PrivateKey(unb64(entry["private_key"])))
    if op == "open_envelope":
        envelope = ReportEnvelope.from_json(entry["input"])
        key = PrivateKey(unb64(entry["private_key"]))
        return open_report(envelope, key, as_holder=entry["as_holder"])
    if op == "open_attachment":
        key = ReportKey(unb64(entry["report_key"]))
        return decrypt_attachment(key, io.BytesIO(unb64(entry["input"])), io.BytesIO())
    if op == "parse_receipt":
        return Receipt.parse(entry["input"])
    raise AssertionError(f"unknown op {op}")


def test_browser_invalid_entries_raise_crypto_error(vectors):
    entries = vectors["invalid"]
    assert {e["op"] for e in entries} == {
        "open_record",
        "unwrap",
        "open_envelope",
        "open_attachment",
        "parse_receipt",
    }
    for entry in entries:
        with pytest.raises(CryptoError):
            run_invalid(entry)
