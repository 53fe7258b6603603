"""Write tests/vectors/python-v1.json: objects made by the Python implementation.

The browser test opens every object in this file with the JavaScript
implementation, and tests/crypto/test_vectors.py opens them here, so the file
is the cross-implementation contract in executable form. Every secret needed to
open each object is in the file (these keys protect nothing). The content is
random on each run; regenerate with either of::

    .venv/bin/python -m tests.vectors.make_python_vectors
    .venv/bin/python tests/vectors/make_python_vectors.py
"""

import hashlib
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a plain script
    sys.path.insert(0, str(ROOT))

from crypto import (  # noqa: E402
    PrivateKey,
    Receipt,
    RecordKind,
    ReportKey,
    b64encode,
    encrypt_attachment,
    lookup_hash,
    seal_record,
    seal_report,
    wrap_report_key,
)
from tests.crypto import forge  # noqa: E402

OUTPUT = Path(__file__).with_name("python-v1.json")
CHUNK_SIZE = 1024


def _receipt(receipt: Receipt) -> dict[str, object]:
    key = receipt.reporter_private_key()
    token = receipt.lookup_token()
    return {
        "receipt": str(receipt),
        "reporter_private_key": b64encode(key._raw()),
        "reporter_public_key": b64encode(bytes(key.public_key)),
        "lookup_token": b64encode(token),
        "lookup_hash": b64encode(lookup_hash(token)),
    }


def _attachment(key: ReportKey, data: bytes, name: str, content_type: str) -> bytes:
    sink = io.BytesIO()
    encrypt_attachment(
        key,
        io.BytesIO(data),
        sink,
        name=name,
        content_type=content_type,
        size=len(data),
        chunk_size=CHUNK_SIZE,
    )
    return sink.getvalue()


def _flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def build() -> dict[str, object]:
    receipts = [Receipt.generate() for _ in range(3)]
    intake = PrivateKey.generate()
    other = PrivateKey.generate()

    bodies = [
        {
            "summary": "Dual-use valves shipped via Zürich to a front company",
            "entities": ["Ковальчук Trading LLC", "株式会社サンプル"],
            "contact_ok": False,
            "amount": 125000.5,
        },
        {"summary": "Über-invoiced lathes 🛠️ — see attachment", "country": "", "urgent": True},
        {},
    ]
    envelopes = []
    for receipt, body in zip(receipts, bodies, strict=True):
        reporter = receipt.reporter_private_key().public_key
        _, envelope = seal_report(body, intake.public_key, reporter)
        envelopes.append(
            {
                "intake_private_key": b64encode(intake._raw()),
                "receipt": str(receipt),
                "envelope": envelope.to_json(),
                "body": body,
            }
        )

    key = ReportKey.generate()
    raw = key._raw()
    payloads: list[tuple[RecordKind, object]] = [
        (RecordKind.BODY, {"summary": "Zürich", "n": 1}),
        (RecordKind.MESSAGE, {"from": "reporter", "text": "Ковальчук " * 60 + "🙂"}),
        (RecordKind.MESSAGE, "a bare string"),
        (RecordKind.NOTE, {"text": "Checked the shipping manifest.", "tags": [1, 2.5, None]}),
        (RecordKind.FINDINGS, {"entities": [{"name": "ACME GmbH", "hits": 0}], "score": -0.25}),
        (RecordKind.FINDINGS, None),
    ]
    records = [
        {
            "report_key": b64encode(raw),
            "kind": int(kind),
            "record": b64encode(seal_record(key, kind, payload)),
            "payload": payload,
        }
        for kind, payload in payloads
    ]

    wraps = [
        {
            "private_key": b64encode(holder._raw()),
            "wrap": b64encode(wrap_report_key(key, holder.public_key)),
            "report_key": b64encode(raw),
        }
        for holder in (intake, receipts[0].reporter_private_key())
    ]

    contents = [
        (b"", "empty.txt", "text/plain"),
        (bytes(range(256)) * 4, "exactly-one-chunk.bin", "application/octet-stream"),
        (bytes(range(256)) * 8, "two-full-chunks.bin", "application/octet-stream"),
        (hashlib.shake_256(b"vigil").digest(3000), "three chunks.bin", "application/octet-stream"),
        (
            "Отчёт из Цюриха 🙂\n".encode() * 20,
            "Отчёт - Zürich 🙂.txt",
            "text/plain; charset=utf-8",
        ),
    ]
    attachments = []
    streams = []
    for data, name, content_type in contents:
        stream = _attachment(key, data, name, content_type)
        streams.append(stream)
        attachments.append(
            {
                "report_key": b64encode(raw),
                "attachment": b64encode(stream),
                "name": name,
                "type": content_type,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "chunk_size": CHUNK_SIZE,
            }
        )

    invalid: list[dict[str, object]] = []

    def bad_record(what: str, record: bytes, kind: int, report_key: bytes = raw) -> None:
        invalid.append(
            {
                "what": what,
                "op": "open_record",
                "report_key": b64encode(report_key),
                "kind": kind,
                "input": b64encode(record),
            }
        )

    body_record = seal_record(key, RecordKind.BODY, bodies[0])
    message = seal_record(key, RecordKind.MESSAGE, {"text": "hello"})
    bad_record("flipped byte in the ciphertext of a body record", _flip(body_record, 300), 1)
    bad_record("flipped byte in the nonce", _flip(message, 10), 2)
    bad_record("flipped byte in the tag", _flip(message, 30), 2)
    bad_record("wrong kind: a MESSAGE record opened as a NOTE", message, 3)
    bad_record("outer version byte changed to 2", b"\x02" + message[1:], 2)
    bad_record("a well-formed version 2 record", forge.record(raw, b"{}", version=2), 2)
    bad_record("outer kind relabelled from MESSAGE to NOTE", message[:1] + b"\x03" + message[2:], 3)
    bad_record(
        "inner kind differs from the outer kind",
        forge.record(raw, b"{}", kind=2, inner_kind=3),
        2,
    )
    bad_record("wrong report key", message, 2, ReportKey.generate()._raw())
    bad_record("non-zero padding", forge.record(raw, b"{}", pad=b"\x00\x07"), 2)
    bad_record(
        "declared payload length beyond the padded inner",
        forge.record(raw, b"{}", declared=600),
        2,
    )
    bad_record("inner length not a power of two", forge.record(raw, b"{}", inner_size=600), 2)
    bad_record("payload is not JSON", forge.record(raw, b"{nope"), 2)
    bad_record("payload is not UTF-8", forge.record(raw, b'"\xff"'), 2)
    bad_record("truncated by one byte", message[:-1], 2)
    bad_record("one byte appended", message + b"\x00", 2)

    def bad_wrap(what: str, wrap: bytes, holder: PrivateKey) -> None:
        invalid.append(
            {
                "what": what,
                "op": "unwrap",
                "private_key": b64encode(holder._raw()),
                "input": b64encode(wrap),
            }
        )

    wrap = wrap_report_key(key, intake.public_key)
    bad_wrap("wrap opened with the wrong private key", wrap, other)
    bad_wrap("flipped byte in the ephemeral public key", _flip(wrap, 5), intake)
    bad_wrap("flipped byte in the sealed ciphertext", _flip(wrap, 60), intake)
    bad_wrap("truncated wrap", wrap[:-1], intake)
    bad_wrap(
        "sealed plaintext has the wrong kind",
        forge.wrap(bytes(intake.public_key), b"\x01\x31" + raw),
        intake,
    )
    bad_wrap(
        "sealed plaintext has version 2",
        forge.wrap(bytes(intake.public_key), b"\x02\x30" + raw),
        intake,
    )

    def bad_envelope(what: str, data: object, holder: PrivateKey, as_holder: str) -> None:
        invalid.append(
            {
                "what": what,
                "op": "open_envelope",
                "private_key": b64encode(holder._raw()),
                "as_holder": as_holder,
                "input": data,
            }
        )

    good = envelopes[0]["envelope"]
    assert isinstance(good, dict)
    reporter = receipts[0].reporter_private_key()
    bad_envelope("opened with the wrong intake key", good, other, "intake")
    bad_envelope("intake key used as the reporter", good, intake, "reporter")
    bad_envelope("v is 2", {**good, "v": 2}, intake, "intake")
    bad_envelope('v is the string "1"', {**good, "v": "1"}, intake, "intake")
    bad_envelope("an extra member", {**good, "extra": 1}, intake, "intake")
    bad_envelope(
        "wraps without reporter",
        {**good, "wraps": {"intake": good["wraps"]["intake"]}},
        intake,
        "intake",
    )
    bad_envelope(
        "body from another report",
        {**good, "body": envelopes[1]["envelope"]["body"]},
        reporter,
        "reporter",  # type: ignore[index]
    )
    bad_envelope(
        "body is a MESSAGE record",
        {**good, "body": b64encode(message)},
        intake,
        "intake",
    )
    bad_envelope("body is not base64", {**good, "body": "not base64!"}, intake, "intake")
    bad_envelope(
        "body base64 with its padding replaced by a letter",
        {**good, "body": good["body"].rstrip("=") + "A"},
        intake,
        "intake",  # type: ignore[attr-defined]
    )

    def bad_attachment(what: str, stream: bytes, report_key: bytes = raw) -> None:
        invalid.append(
            {
                "what": what,
                "op": "open_attachment",
                "report_key": b64encode(report_key),
                "input": b64encode(stream),
            }
        )

    three = forge.split(streams[3])  # chunks of 1024, 1024, 952
    bad_attachment("middle chunk dropped", three.join([three.chunks[0], three.chunks[2]]))
    bad_attachment("last chunk dropped (cut at a chunk boundary)", three.join(three.chunks[:2]))
    bad_attachment("all chunks dropped", three.join([]))
    bad_attachment(
        "first two chunks swapped", three.join([three.chunks[1], three.chunks[0], three.chunks[2]])
    )
    bad_attachment("a chunk repeated", three.join([three.chunks[0], *three.chunks]))
    bad_attachment("cut in the middle of the last chunk", streams[3][:-100])
    bad_attachment("cut in the metadata", streams[3][:150])
    bad_attachment("cut in the header", streams[3][:50])
    bad_attachment("flipped byte in the second chunk", _flip(streams[3], len(three.head) + 1500))
    bad_attachment("flipped byte in the metadata", _flip(streams[3], 200))
    bad_attachment("flipped byte in the wrapped file key", _flip(streams[3], 60))
    bad_attachment("flipped byte in the nonce prefix", _flip(streams[3], 10))
    bad_attachment("garbage appended", streams[3] + b"\x00" * 20)
    bad_attachment("header version 2", b"\x02" + streams[3][1:])
    bad_attachment("header kind is not ATTACHMENT", streams[3][:1] + b"\x11" + streams[3][2:])
    bad_attachment("wrong report key", streams[3], ReportKey.generate()._raw())
    bad_attachment(
        "metadata declares more bytes than the chunks hold",
        forge.attachment(
            raw,
            [b"a" * 1024, b"b" * 10],
            chunk_size=1024,
            meta={"name": "n", "type": "t", "size": 1035},
        ),
    )
    bad_attachment(
        "metadata declares fewer bytes than the chunks hold",
        forge.attachment(
            raw, [b"abc"], chunk_size=1024, meta={"name": "n", "type": "t", "size": 2}
        ),
    )
    bad_attachment(
        "a full-size final chunk flagged as not final",
        forge.attachment(
            raw,
            [b"a" * 1024],
            chunk_size=1024,
            meta={"name": "n", "type": "t", "size": 1024},
            finals=[False],
        ),
    )

    for what, text in [
        ("23 characters", "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5P"),
        ("25 characters", "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PCX"),
        ("U is not in the alphabet", "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PU"),
        ("punctuation", "7KQ2.M9XD.T4RA.0WZB.E1HN.Q5PC"),
        ("non-ASCII letter that upper-cases to I", "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5P\u0131"),
        ("empty", ""),
    ]:
        invalid.append({"what": what, "op": "parse_receipt", "input": text})

    public_keys = [
        intake.public_key,
        other.public_key,
        receipts[1].reporter_private_key().public_key,
    ]
    return {
        "protocol": 1,
        "made_by": "python",
        "receipts": [_receipt(receipt) for receipt in receipts],
        "fingerprints": [
            {"public_key": b64encode(bytes(pk)), "fingerprint": pk.fingerprint}
            for pk in public_keys
        ],
        "envelopes": envelopes,
        "records": records,
        "wraps": wraps,
        "attachments": attachments,
        "invalid": invalid,
    }


def main() -> None:
    text = json.dumps(build(), ensure_ascii=False, indent=1) + "\n"
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(text.encode()):,} bytes)")


if __name__ == "__main__":
    main()
