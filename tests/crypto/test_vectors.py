"""Every vector file opens (and every invalid case fails) on the Python side.

Covers tests/vectors/python-v1.json (so the committed file is known good),
tests/vectors/browser-v1.json (made in Chromium by
tests/vectors/make_browser_vectors.py: the browser-to-Python direction of the
interoperability check, no browser needed) and any other ``*-v1.json`` there,
and a freshly built set, so the generator itself stays correct.
"""

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
    b64decode,
    b64encode,
    check_attachment_layout,
    check_attachment_structure,
    decrypt_attachment,
    lookup_hash,
    open_record,
    open_report,
    unwrap_report_key,
)
from tests.vectors import make_python_vectors

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
PYTHON_FILE = VECTORS / "python-v1.json"
BROWSER_FILE = VECTORS / "browser-v1.json"
INVALID_OPS = {"open_record", "unwrap", "open_envelope", "open_attachment", "parse_receipt"}
FILES = sorted(VECTORS.glob("*-v1.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module", params=[*FILES, "fresh"], ids=[*(f.name for f in FILES), "fresh"])
def vectors(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "fresh":
        return json.loads(json.dumps(make_python_vectors.build()))
    return _load(request.param)


def test_python_file_exists_and_is_small() -> None:
    assert PYTHON_FILE in FILES
    assert PYTHON_FILE.stat().st_size < 300_000
    data = _load(PYTHON_FILE)
    assert data["protocol"] == 1
    assert data["made_by"] == "python"


def test_python_file_covers_what_the_browser_test_needs() -> None:
    data = _load(PYTHON_FILE)
    assert len(data["receipts"]) >= 3
    assert len(data["envelopes"]) >= 2
    assert any(any(ord(c) > 0xFFFF for c in json.dumps(e["body"], ensure_ascii=False))
               for e in data["envelopes"])  # fmt: skip
    assert {r["kind"] for r in data["records"]} == {1, 2, 3, 4}
    assert any(len(b64decode(r["record"])) > 42 + 512 for r in data["records"])
    sizes = {a["size"] for a in data["attachments"]}
    assert {0, 1024, 3000} <= sizes
    assert all(a["chunk_size"] == 1024 for a in data["attachments"])
    assert any(not a["name"].isascii() for a in data["attachments"])
    assert {case["op"] for case in data["invalid"]} == INVALID_OPS


def test_browser_file_exists_and_covers_every_section() -> None:
    # A glob alone would pass silently if the browser's file went missing.
    assert BROWSER_FILE in FILES
    data = _load(BROWSER_FILE)
    assert data["protocol"] == 1
    assert data["made_by"] == "browser"
    for section in ("receipts", "fingerprints", "envelopes", "records", "wraps", "attachments"):
        assert data[section], section
    assert {case["op"] for case in data["invalid"]} == INVALID_OPS


def test_receipts(vectors: dict[str, Any]) -> None:
    for case in vectors["receipts"]:
        receipt = Receipt.parse(case["receipt"])
        assert str(receipt) == case["receipt"]
        key = receipt.reporter_private_key()
        assert b64encode(key._raw()) == case["reporter_private_key"]
        assert key.public_key.to_base64() == case["reporter_public_key"]
        assert b64encode(receipt.lookup_token()) == case["lookup_token"]
        assert b64encode(lookup_hash(receipt.lookup_token())) == case["lookup_hash"]


def test_fingerprints(vectors: dict[str, Any]) -> None:
    for case in vectors["fingerprints"]:
        assert PublicKey.from_base64(case["public_key"]).fingerprint == case["fingerprint"]


def test_envelopes(vectors: dict[str, Any]) -> None:
    for case in vectors["envelopes"]:
        envelope = ReportEnvelope.from_json(case["envelope"])
        assert envelope.to_json() == case["envelope"]
        intake = PrivateKey(b64decode(case["intake_private_key"]))
        reporter = Receipt.parse(case["receipt"]).reporter_private_key()
        key, body = open_report(envelope, intake, as_holder="intake")
        assert body == case["body"]
        assert open_report(envelope, reporter, as_holder="reporter") == (key, body)


def test_records(vectors: dict[str, Any]) -> None:
    for case in vectors["records"]:
        key = ReportKey(b64decode(case["report_key"]))
        record = b64decode(case["record"])
        assert open_record(key, RecordKind(case["kind"]), record) == case["payload"]
        # The writer padded the compact UTF-8 payload to its bucket (docs/crypto.md).
        payload = json.dumps(case["payload"], ensure_ascii=False, separators=(",", ":"))
        assert len(record) == 42 + max(512, 1 << (6 + len(payload.encode()) - 1).bit_length())


def test_wraps(vectors: dict[str, Any]) -> None:
    for case in vectors["wraps"]:
        holder = PrivateKey(b64decode(case["private_key"]))
        key = unwrap_report_key(b64decode(case["wrap"]), holder)
        assert b64encode(key._raw()) == case["report_key"]


def test_attachments(vectors: dict[str, Any]) -> None:
    for case in vectors["attachments"]:
        stream = b64decode(case["attachment"])
        assert check_attachment_structure(stream[:97]) == case["chunk_size"]
        assert check_attachment_layout(stream[:101], len(stream)) == case["chunk_size"]
        sink = io.BytesIO()
        info = decrypt_attachment(
            ReportKey(b64decode(case["report_key"])), io.BytesIO(stream), sink
        )
        assert (info.name, info.content_type, info.size) == (
            case["name"],
            case["type"],
            case["size"],
        )
        assert hashlib.sha256(sink.getvalue()).hexdigest() == case["sha256"]
        assert len(sink.getvalue()) == case["size"]


def _attempt(case: dict[str, Any]) -> None:
    op = case["op"]
    if op == "open_record":
        key = ReportKey(b64decode(case["report_key"]))
        open_record(key, case["kind"], b64decode(case["input"]))
    elif op == "unwrap":
        unwrap_report_key(b64decode(case["input"]), PrivateKey(b64decode(case["private_key"])))
    elif op == "open_envelope":
        holder = PrivateKey(b64decode(case["private_key"]))
        open_report(ReportEnvelope.from_json(case["input"]), holder, as_holder=case["as_holder"])
    elif op == "open_attachment":
        key = ReportKey(b64decode(case["report_key"]))
        decrypt_attachment(key, io.BytesIO(b64decode(case["input"])), io.BytesIO())
    elif op == "parse_receipt":
        Receipt.parse(case["input"])
    else:
        pytest.fail(f"unknown op {op!r}")


def test_invalid_cases_fail(vectors: dict[str, Any]) -> None:
    assert vectors["invalid"]
    for case in vectors["invalid"]:
        with pytest.raises(CryptoError):
            _attempt(case)
