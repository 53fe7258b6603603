"""Make tests/vectors/browser-v1.json: protocol v1 objects made by the browser implementation.

Run from the repository root after `npm ci && npm run build`:

    .venv/bin/python tests/vectors/make_browser_vectors.py

Every object is made in headless Chromium by static/dist/vigil-crypto.js (keys
and nonces from the browser's CSPRNG); Python only chooses the plaintexts and
derives the `invalid` entries by damaging valid ones. The Python implementation
must open every valid entry and refuse every invalid one, without a browser:
tests/crypto/test_vectors.py. The file is committed; rerunning this
script replaces it with new random keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import struct
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "static" / "dist" / "vigil-crypto.js"
OUT = ROOT / "tests" / "vectors" / "browser-v1.json"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

BODIES = [
    {},
    {
        "subject": "Vacuum furnaces re-exported through a free zone",
        "details": "Shipped as 'industrial ovens'; end user is a missile workshop.\nÄ ✓ 😀",
        "contact": "",
        "self_disclosure": False,
    },
    {"details": "x" * 3000, "items": [{"hs": "8419.89", "qty": 2}]},
]
PAYLOADS = [
    [1, {"text": "A message from the reporter: the invoices are attached."}],
    [2, {"text": "Hello", "attachments": []}],
    [3, {"note": "Ask customs for the bill of lading", "by": 17}],
    [4, {"entities": ["Example Trading FZE"], "hits": [], "score": 0.25}],
    [1, "a bare string"],
    [2, [1, 2.5, -3, None, True, False, {"ü": "ß"}]],
    [3, None],
    [4, {"pad": "y" * 600}],
]
ATTACHMENTS = [
    ["empty.txt", "text/plain", 0, 65536],
    ["one-byte.bin", "application/octet-stream", 1, 1024],
    ["three-chunks.pdf", "application/pdf", 3000, 1024],
    ["exact-multiple.bin", "application/octet-stream", 4096, 1024],
    ["Lieferschein März.xlsx", "application/vnd.ms-excel", 70000, 65536],
]

MAKE = """
async ([bodies, payloads, attachments]) => {
  const V = window.VigilCrypto;
  const e = V.b64encode, d = V.b64decode;
  const out = {
    receipts: [], fingerprints: [], envelopes: [], records: [], wraps: [], attachments: [],
  };
  for (let i = 0; i < 4; i++) {
    const receipt = V.generateReceipt();
    const k = V.reporterKeyPair(receipt);
    const token = V.lookupToken(receipt);
    out.receipts.push({
      receipt, reporter_private_key: e(k.secretKey), reporter_public_key: e(k.publicKey),
      lookup_token: e(token), lookup_hash: e(V.lookupHash(token)),
    });
    out.fingerprints.push({ public_key: e(k.publicKey), fingerprint: V.fingerprint(k.publicKey) });
  }
  for (const body of bodies) {
    const intake = V.reporterKeyPair(V.generateReceipt());  // any X25519 key pair
    const receipt = V.generateReceipt();
    const { envelope } = V.sealReport(body, intake.publicKey, V.reporterKeyPair(receipt).publicKey);
    out.envelopes.push({ intake_private_key: e(intake.secretKey), receipt, envelope, body });
  }
  for (const [kind, payload] of payloads) {
    const rk = V.generateReportKey();
    const record = e(V.sealRecord(rk, kind, payload));
    out.records.push({ report_key: e(rk), kind, record, payload });
  }
  for (let i = 0; i < 3; i++) {
    const holder = V.reporterKeyPair(V.generateReceipt());
    const rk = V.generateReportKey();
    const wrap = e(V.wrapReportKey(rk, holder.publicKey));
    out.wraps.push({ private_key: e(holder.secretKey), wrap, report_key: e(rk) });
  }
  for (const [name, type, data, chunkSize] of attachments) {
    const rk = V.generateReportKey();
    const file = new File([d(data)], name, { type });
    const ct = await V.encryptAttachmentToBytes(rk, file, { chunkSize });
    out.attachments.push({
      report_key: e(rk), attachment: e(ct), name, type, chunk_size: chunkSize,
    });
  }
  return out;
}
"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def invalid_entries(vectors: dict[str, Any]) -> list[dict[str, Any]]:
    """Damaged copies of the valid objects: every one must be refused."""
    out: list[dict[str, Any]] = []
    rec = vectors["records"][0]
    raw = unb64(rec["record"])
    base = {"op": "open_record", "report_key": rec["report_key"], "kind": rec["kind"]}
    for what, bad in {
        "record: version 2": b"\x02" + raw[1:],
        "record: wrong kind byte": raw[:1] + bytes([rec["kind"] % 4 + 1]) + raw[2:],
        "record: flipped nonce": flip(raw, 10),
        "record: flipped ciphertext": flip(raw, len(raw) - 1),
        "record: truncated": raw[:-1],
        "record: too short": raw[:553],
    }.items():
        out.append({"what": what, **base, "input": b64(bad)})
    other = vectors["records"][1]
    out.append({"what": "record: wrong key", **base, "report_key": other["report_key"],
                "input": rec["record"]})  # fmt: skip

    wrap = vectors["wraps"][0]
    raw = unb64(wrap["wrap"])
    for what, bad in {
        "wrap: flipped ephemeral key": flip(raw, 0),
        "wrap: flipped tag": flip(raw, 40),
        "wrap: flipped ciphertext": flip(raw, 81),
        "wrap: truncated": raw[:-1],
    }.items():
        out.append(
            {"what": what, "op": "unwrap", "private_key": wrap["private_key"], "input": b64(bad)}
        )
    other_key = vectors["wraps"][1]["private_key"]
    out.append({"what": "wrap: wrong key", "op": "unwrap", "private_key": other_key,
                "input": wrap["wrap"]})  # fmt: skip

    env = vectors["envelopes"][1]
    e = env["envelope"]
    body = unb64(e["body"])
    for what, bad in {
        "envelope: v 2": {**e, "v": 2},
        "envelope: extra member": {**e, "extra": 1},
        "envelope: swapped wraps": {
            **e,
            "wraps": {"intake": e["wraps"]["reporter"], "reporter": e["wraps"]["intake"]},
        },
        "envelope: flipped body": {**e, "body": b64(flip(body, len(body) - 1))},
        "envelope: body of another report": {
            **e,
            "body": vectors["envelopes"][0]["envelope"]["body"],
        },
    }.items():
        out.append({"what": what, "op": "open_envelope", "private_key": env["intake_private_key"],
                    "as_holder": "intake", "input": bad})  # fmt: skip

    att = vectors["attachments"][2]
    raw = unb64(att["attachment"])
    chunk_size = struct.unpack(">I", raw[2:6])[0]
    meta_len = struct.unpack(">I", raw[97:101])[0]
    head, rest = raw[: 101 + meta_len], raw[101 + meta_len :]
    step = chunk_size + 16
    chunks = [rest[i : i + step] for i in range(0, len(rest), step)]
    for what, bad in {
        "attachment: version 2": b"\x02" + raw[1:],
        "attachment: flipped file key box": flip(raw, 60),
        "attachment: flipped meta": flip(raw, 150),
        "attachment: flipped chunk": flip(raw, len(raw) - 1),
        "attachment: dropped chunk": head + chunks[0] + b"".join(chunks[2:]),
        "attachment: reordered chunks": head + chunks[1] + chunks[0] + b"".join(chunks[2:]),
        "attachment: cut at chunk boundary": head + b"".join(chunks[:-1]),
        "attachment: cut mid chunk": raw[:-3],
        "attachment: appended chunk": raw + chunks[-1],
    }.items():
        out.append({"what": what, "op": "open_attachment", "report_key": att["report_key"],
                    "input": b64(bad)})  # fmt: skip

    receipt = vectors["receipts"][0]["receipt"]
    for what, bad in {
        "receipt: too short": receipt[:-1],
        "receipt: U is not in the alphabet": receipt[:-1] + "U",
        "receipt: non-ASCII letter": receipt[:-1] + "\u0131",
    }.items():
        out.append({"what": what, "op": "parse_receipt", "input": bad})
    return out


def browser_name(user_agent: str) -> str:
    match = re.search(r"(HeadlessChrome|Chrome)/[0-9.]+", user_agent)
    return match.group(0) if match else "Chromium"


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not BUNDLE.is_file():
        print("build the bundle first: npm ci && npm run build", file=sys.stderr)
        return 1
    rng = random.Random(20240601)
    attachments = []
    for name, ctype, size, chunk_size in ATTACHMENTS:
        data = rng.randbytes(size)
        attachments.append((name, ctype, data, chunk_size))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        page.set_content("<!doctype html><title>vectors</title>")
        page.add_script_tag(path=str(BUNDLE))
        made = page.evaluate(
            MAKE,
            [BODIES, PAYLOADS, [[n, t, b64(d), c] for n, t, d, c in attachments]],
        )
        user_agent = page.evaluate("() => navigator.userAgent")
        browser.close()
    for entry, (_name, _ctype, data, _chunk) in zip(made["attachments"], attachments, strict=True):
        entry["size"] = len(data)
        entry["sha256"] = hashlib.sha256(data).hexdigest()
    vectors = {
        "protocol": 1,
        "made_by": "browser",
        "comment": f"made by tests/vectors/make_browser_vectors.py in {browser_name(user_agent)}",
        **made,
    }
    vectors["invalid"] = invalid_entries(vectors)
    OUT.write_text(json.dumps(vectors, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
