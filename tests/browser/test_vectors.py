"""tests/vectors/python-v1.json, made by the Python implementation, opens in Chromium.

Every valid object opens with the JavaScript implementation to exactly what
the file says, and every `invalid` entry throws VigilCryptoError.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import unb64
from tests.fixtures.browser import unavailable

pytestmark = pytest.mark.browser

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "python-v1.json"


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    if not VECTORS.is_file():
        unavailable(f"{VECTORS.name} is missing (tests/vectors/make_python_vectors.py)")
    data = json.loads(VECTORS.read_text(encoding="utf-8"))
    assert data["protocol"] == 1
    assert data["made_by"] == "python"
    return data


def test_python_receipts_and_fingerprints(crypto_page, vectors):
    assert vectors["receipts"]
    assert vectors["fingerprints"]
    got = crypto_page.call(
        """(V, receipts) => receipts.map(({ receipt }) => {
          const k = V.reporterKeyPair(receipt);
          const token = V.lookupToken(receipt);
          return {
            receipt,
            reporter_private_key: V.b64encode(k.secretKey),
            reporter_public_key: V.b64encode(k.publicKey),
            lookup_token: V.b64encode(token),
            lookup_hash: V.b64encode(V.lookupHash(token)),
          };
        })""",
        vectors["receipts"],
    )
    assert got == vectors["receipts"]
    fingerprints = crypto_page.call(
        "(V, entries) => entries.map((e) => V.fingerprint(V.b64decode(e.public_key)))",
        vectors["fingerprints"],
    )
    assert fingerprints == [e["fingerprint"] for e in vectors["fingerprints"]]


def test_python_envelopes(crypto_page, vectors):
    assert vectors["envelopes"]
    got = crypto_page.call(
        """(V, entries) => entries.map((e) => {
          const intake = V.openReport(e.envelope, V.b64decode(e.intake_private_key), "intake");
          const reporter = V.openReport(
            e.envelope, V.reporterKeyPair(e.receipt).secretKey, "reporter");
          if (V.b64encode(intake.reportKey) !== V.b64encode(reporter.reportKey)) {
            throw new Error("the two wraps hold different report keys");
          }
          return [intake.body, reporter.body];
        })""",
        vectors["envelopes"],
    )
    assert got == [[e["body"], e["body"]] for e in vectors["envelopes"]]


def test_python_records_and_wraps(crypto_page, vectors):
    assert vectors["records"]
    assert vectors["wraps"]
    payloads = crypto_page.call(
        """(V, entries) => entries.map((e) =>
             V.openRecord(V.b64decode(e.report_key), e.kind, V.b64decode(e.record)))""",
        vectors["records"],
    )
    assert payloads == [e["payload"] for e in vectors["records"]]
    keys = crypto_page.call(
        """(V, entries) => entries.map((e) =>
             V.b64encode(V.unwrapReportKey(V.b64decode(e.wrap), V.b64decode(e.private_key))))""",
        vectors["wraps"],
    )
    assert keys == [e["report_key"] for e in vectors["wraps"]]


def test_python_attachments(crypto_page, vectors):
    assert vectors["attachments"]
    for entry in vectors["attachments"]:
        raw = unb64(entry["attachment"])
        assert int.from_bytes(raw[2:6], "big") == entry["chunk_size"]
        for as_blob in (False, True):
            name, ctype, size, data = crypto_page.call(
                """async (V, [e, asBlob]) => {
                  const bytes = V.b64decode(e.attachment);
                  const r = await V.decryptAttachment(
                    V.b64decode(e.report_key), asBlob ? new Blob([bytes]) : bytes);
                  return [r.name, r.type, r.size, V.b64encode(r.data)];
                }""",
                [entry, as_blob],
            )
            assert (name, ctype, size) == (entry["name"], entry["type"], entry["size"])
            assert hashlib.sha256(unb64(data)).hexdigest() == entry["sha256"]


# Runs one invalid entry; returns the error as data so that all are reported.
RUN_INVALID = """async (V, e) => {
  const d = V.b64decode;
  switch (e.op) {
    case "open_record": return V.openRecord(d(e.report_key), e.kind, d(e.input));
    case "unwrap": return V.b64encode(V.unwrapReportKey(d(e.input), d(e.private_key)));
    case "open_envelope": return V.openReport(e.input, d(e.private_key), e.as_holder).body;
    case "open_attachment": {
      const r = await V.decryptAttachment(d(e.report_key), new Blob([d(e.input)]));
      return [r.name, r.size];
    }
    case "parse_receipt": return V.b64encode(V.parseReceipt(e.input));
    default: throw new Error("unknown op " + e.op);
  }
}"""


def test_python_invalid_entries_throw_vigil_crypto_error(crypto_page, vectors):
    entries = vectors["invalid"]
    ops = {e["op"] for e in entries}
    assert ops == {"open_record", "unwrap", "open_envelope", "open_attachment", "parse_receipt"}
    wrong = []
    for entry in entries:
        result = crypto_page.try_call(RUN_INVALID, entry)
        if result["ok"]:
            wrong.append(f"{entry['op']}: {entry['what']}: accepted")
        elif not result["vigil"]:
            wrong.append(f"{entry['op']}: {entry['what']}: threw {result['name']}")
    assert not wrong, "\n".join(wrong)
    # Attachments also fail when given as bytes rather than a Blob.
    for entry in (e for e in entries if e["op"] == "open_attachment"):
        crypto_page.expect_error(
            "(V, e) => V.decryptAttachment(V.b64decode(e.report_key), V.b64decode(e.input))",
            entry,
        )
