"""The JS implementation on its own in Chromium: formats, round trips, streaming, refusals.

Everything here runs under the real app's CSP. What Python makes of the same
objects is in test_interop.py.
"""

from __future__ import annotations

import json
import re
import struct

import pytest

from tests.browser.support import (
    attachment_tamperings,
    b64,
    bucket,
    record_tamperings,
    split_attachment,
    unb64,
)

pytestmark = pytest.mark.browser

RECEIPT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$")


# --- receipts ---------------------------------------------------------------------


def test_receipts_are_24_crockford_characters_in_six_groups(crypto_page):
    receipts = crypto_page.call("(V) => Array.from({ length: 200 }, () => V.generateReceipt())")
    assert len(set(receipts)) == 200
    for receipt in receipts:
        assert RECEIPT.match(receipt), receipt
    # Every character of the alphabet turns up: the encoding uses all 5 bits.
    assert set("".join(receipts).replace("-", "")) == set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_receipt_parsing_normalises_as_the_spec_says(crypto_page):
    canonical = crypto_page.call("(V) => V.generateReceipt()")
    raw = crypto_page.call("(V, r) => V.b64encode(V.parseReceipt(r))", canonical)
    plain = canonical.replace("-", "")
    variants = [
        plain,
        plain.lower(),
        " ".join(plain[i : i + 4] for i in range(0, 24, 4)),
        "  " + canonical.lower() + " ",
        "-".join(plain[i : i + 2] for i in range(0, 24, 2)),
    ]
    for variant in variants:
        assert crypto_page.call("(V, r) => V.b64encode(V.parseReceipt(r))", variant) == raw
    # O reads as 0; I and L read as 1, in either case.
    zeros = "0000-1111-0000-1111-0000-1111"
    expected = crypto_page.call("(V, r) => V.b64encode(V.parseReceipt(r))", zeros)
    for variant in ("OOOO-IIII-oooo-llll-0o0O-iLlI", "oooo iiii OOOO LLLL 0000 1111"):
        assert crypto_page.call("(V, r) => V.b64encode(V.parseReceipt(r))", variant) == expected


MALFORMED_RECEIPTS = [
    "",
    "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5P",  # 23 characters
    "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PCC",  # 25 characters
    "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PU",  # U is not in the alphabet
    "7KQ2_M9XD_T4RA_0WZB_E1HN_Q5PC",  # only spaces and '-' are removed
    "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5P\u0131",  # dotless i: ASCII only
    "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5P\uff23",  # fullwidth C
    "7KQ2\tM9XD-T4RA-0WZB-E1HN-Q5PC",
    None,
    123,
]


def test_malformed_receipts_are_refused(crypto_page):
    for text in MALFORMED_RECEIPTS:
        crypto_page.expect_error("(V, r) => V.parseReceipt(r)", text)
        crypto_page.expect_error("(V, r) => V.reporterKeyPair(r)", text)
        crypto_page.expect_error("(V, r) => V.lookupToken(r)", text)


def test_receipt_derivations_are_deterministic_and_distinct(crypto_page):
    out = crypto_page.call(
        """(V) => {
          const r = V.generateReceipt();
          const a = V.reporterKeyPair(r), b = V.reporterKeyPair(r.toLowerCase());
          const t = V.lookupToken(r);
          return [a, b].map((k) => [V.b64encode(k.secretKey), V.b64encode(k.publicKey)])
            .concat([[V.b64encode(t), V.b64encode(V.lookupHash(t))]]);
        }"""
    )
    (sk1, pk1), (sk2, pk2), (token, digest) = out
    assert (sk1, pk1) == (sk2, pk2)
    assert len({sk1, pk1, token, digest}) == 4
    assert all(len(unb64(x)) == 32 for x in (sk1, pk1, token, digest))


def test_fingerprint_format(crypto_page):
    fp = crypto_page.call("(V) => V.fingerprint(V.reporterKeyPair(V.generateReceipt()).publicKey)")
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){9}", fp)
    crypto_page.expect_error("(V) => V.fingerprint(new Uint8Array(31))")
    crypto_page.expect_error("(V) => V.lookupHash(new Uint8Array(33))")


# --- base64 -----------------------------------------------------------------------


def test_base64_round_trip_matches_python(crypto_page):
    data = [bytes(range(n)) for n in range(0, 12)] + [bytes(range(256)) * 5]
    encoded = crypto_page.call(
        "(V, xs) => xs.map((x) => V.b64encode(new Uint8Array(x)))", [list(d) for d in data]
    )
    assert encoded == [b64(d) for d in data]
    decoded = crypto_page.call(
        "(V, xs) => xs.map((x) => Array.from(V.b64decode(x)))", [b64(d) for d in data]
    )
    assert [bytes(d) for d in decoded] == data


BAD_BASE64 = [
    "A",
    "AA",
    "AAA",
    "AAAAA",
    "A===",
    "AA=A",
    "QR==",
    "QUI=Q",
    "QUJ=",
    " QUJD",
    "QU\nJD",
    "-_8=",
    "QUJD\u00e9",
    None,
    5,
]


def test_base64_decoding_is_strict(crypto_page):
    for text in BAD_BASE64:
        crypto_page.expect_error("(V, t) => V.b64decode(t)", text)


# --- records ----------------------------------------------------------------------

SEAL_RECORD = """(V, [kind, value]) => {
  const rk = V.generateReportKey();
  return [V.b64encode(rk), V.b64encode(V.sealRecord(rk, kind, value))];
}"""
OPEN_RECORD = """(V, [rk, kind, record]) =>
  V.openRecord(V.b64decode(rk), kind, V.b64decode(record))"""


RECORD_VALUES = [
    {},
    {"title": "Centrifuge rotors", "text": "über ✓ 漢字 🚀", "n": [1, 2.5, -3, None, True]},
    [],
    "just a string",
    0,
    None,
    {"pad": "x" * (506 - len('{"pad":""}'))},  # inner exactly 512
    {"pad": "x" * (507 - len('{"pad":""}'))},  # one more: 1024
    {"big": "y" * 100_000},
]


def test_records_round_trip_with_power_of_two_padding(crypto_page):
    for value in RECORD_VALUES:
        for kind in (1, 2, 3, 4):
            rk, record = crypto_page.call(SEAL_RECORD, [kind, value])
            raw = unb64(record)
            payload = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
            assert len(raw) == 26 + 16 + bucket(6 + len(payload))
            assert raw[:2] == bytes([1, kind])
            assert crypto_page.call(OPEN_RECORD, [rk, kind, record]) == value


def test_record_nonces_are_fresh(crypto_page):
    records = crypto_page.call(
        """(V) => { const rk = V.generateReportKey();
          return [0, 1, 2].map(() => V.b64encode(V.sealRecord(rk, 1, {a: 1}).subarray(2, 26))); }"""
    )
    assert len(set(records)) == 3


NOT_JSON = [
    "undefined",
    "NaN",
    "Infinity",
    "{a: 1n}",
    "{f: () => 1}",
    "(() => { const o = {}; o.o = o; return o; })()",
    "Symbol('x')",
    "{a: [1, undefined]}",
    "'lone \\ud800 surrogate'",
    "{'\\udc00': 1}",
]


def test_values_json_cannot_hold_are_refused(crypto_page):
    for value_js in NOT_JSON:
        crypto_page.expect_error(f"(V) => V.sealRecord(V.generateReportKey(), 1, {value_js})")


def test_record_arguments_are_checked(crypto_page):
    for source in (
        "(V) => V.sealRecord(new Uint8Array(31), 1, {})",
        "(V) => V.sealRecord(V.generateReportKey(), 0, {})",
        "(V) => V.sealRecord(V.generateReportKey(), 5, {})",
        "(V) => V.sealRecord(V.generateReportKey(), 0x10, {})",
        "(V) => V.sealRecord(V.generateReportKey(), '1', {})",
        "(V) => V.sealRecord([1, 2, 3], 1, {})",
        "(V) => V.openRecord(V.generateReportKey(), 1, 'abc')",
        "(V) => V.openRecord(V.generateReportKey(), 1, new Uint8Array(553))",
        "(V) => V.sealRecord(V.generateReportKey(), 1, 'x'.repeat(16 * 1024 * 1024))",
    ):
        crypto_page.expect_error(source)


def test_tampered_records_are_refused(crypto_page):
    rk, record = crypto_page.call(SEAL_RECORD, [1, {"a": "secret words"}])
    for what, bad in record_tamperings(unb64(record)).items():
        message = crypto_page.expect_error(OPEN_RECORD, [rk, 1, b64(bad)])
        assert "secret words" not in message, what
        if what == "version":
            assert "version" in message
    # Wrong kind and wrong key.
    assert "kind" in crypto_page.expect_error(OPEN_RECORD, [rk, 2, record])
    other = b64(bytes(32))
    crypto_page.expect_error(OPEN_RECORD, [other, 1, record])


# --- wraps and envelopes ----------------------------------------------------------


def test_wraps_round_trip_and_refuse_the_wrong_key(crypto_page):
    out = crypto_page.call(
        """(V) => {
          const rk = V.generateReportKey();
          const a = V.reporterKeyPair(V.generateReceipt());
          const b = V.reporterKeyPair(V.generateReceipt());
          const w = V.wrapReportKey(rk, a.publicKey);
          let wrong = null;
          try {
            V.unwrapReportKey(w, b.secretKey);
          } catch (e) {
            wrong = e instanceof V.VigilCryptoError;
          }
          const same = V.b64encode(V.unwrapReportKey(w, a.secretKey)) === V.b64encode(rk);
          return [w.length, same, wrong];
        }"""
    )
    assert out == [82, True, True]


def test_tampered_wraps_are_refused(crypto_page):
    sk, wrap = crypto_page.call(
        """(V) => { const k = V.reporterKeyPair(V.generateReceipt());
          const w = V.wrapReportKey(V.generateReportKey(), k.publicKey);
          return [V.b64encode(k.secretKey), V.b64encode(w)]; }"""
    )
    raw = unb64(wrap)
    for i in (0, 31, 32, 47, 48, 81):
        bad = bytearray(raw)
        bad[i] ^= 0x80
        crypto_page.expect_error(
            "(V, [w, sk]) => V.unwrapReportKey(V.b64decode(w), V.b64decode(sk))", [b64(bad), sk]
        )
    for bad in (raw[:-1], raw + b"\x00", b"", bytes(82)):
        crypto_page.expect_error(
            "(V, [w, sk]) => V.unwrapReportKey(V.b64decode(w), V.b64decode(sk))", [b64(bad), sk]
        )


def test_wrapping_to_a_low_order_public_key_is_refused(crypto_page):
    for point in (bytes(32), bytes([1]) + bytes(31)):
        crypto_page.expect_error(
            "(V, pk) => V.wrapReportKey(V.generateReportKey(), V.b64decode(pk))", b64(point)
        )


MAKE_REPORT = """(V, body) => {
  const intake = V.reporterKeyPair(V.generateReceipt());
  const receipt = V.generateReceipt();
  const reporter = V.reporterKeyPair(receipt);
  const { reportKey, envelope } = V.sealReport(body, intake.publicKey, reporter.publicKey);
  return { receipt, intake: V.b64encode(intake.secretKey), rk: V.b64encode(reportKey), envelope };
}"""
OPEN_REPORT = """(V, [envelope, sk, holder]) => {
  const { reportKey, body } = V.openReport(envelope, V.b64decode(sk), holder);
  return { rk: V.b64encode(reportKey), body };
}"""


def test_envelope_opens_for_both_holders(crypto_page):
    body = {"subject": "Transshipment via a free zone", "details": "ß ∑ 😀", "anonymous": True}
    made = crypto_page.call(MAKE_REPORT, body)
    env = made["envelope"]
    assert set(env) == {"v", "body", "wraps"}
    assert env["v"] == 1
    assert set(env["wraps"]) == {"intake", "reporter"}
    assert len(unb64(env["wraps"]["intake"])) == 82
    intake = crypto_page.call(OPEN_REPORT, [env, made["intake"], "intake"])
    reporter_sk = crypto_page.call(
        "(V, r) => V.b64encode(V.reporterKeyPair(r).secretKey)", made["receipt"]
    )
    reporter = crypto_page.call(OPEN_REPORT, [json.dumps(env), reporter_sk, "reporter"])
    assert intake == reporter == {"rk": made["rk"], "body": body}
    # Each key opens only its own wrap.
    crypto_page.expect_error(OPEN_REPORT, [env, made["intake"], "reporter"])
    crypto_page.expect_error(OPEN_REPORT, [env, reporter_sk, "intake"])
    crypto_page.expect_error(OPEN_REPORT, [env, reporter_sk, "investigator"])


def test_envelope_shape_is_enforced(crypto_page):
    made = crypto_page.call(MAKE_REPORT, {"a": 1})
    env, sk = made["envelope"], made["intake"]
    swapped = {
        **env,
        "wraps": {"intake": env["wraps"]["reporter"], "reporter": env["wraps"]["intake"]},
    }
    bad_envelopes = [
        {**env, "v": 2},
        {**env, "v": "1"},
        {**env, "v": True},
        {**env, "extra": None},
        {k: v for k, v in env.items() if k != "v"},
        {**env, "wraps": {**env["wraps"], "investigator": env["wraps"]["intake"]}},
        {**env, "wraps": {"intake": env["wraps"]["intake"]}},
        {**env, "body": env["body"][:-4]},
        {**env, "body": "not base64!"},
        {**env, "wraps": {**env["wraps"], "intake": env["wraps"]["intake"][:-4]}},
        swapped,
        [env],
        None,
        "{",
    ]
    for bad in bad_envelopes:
        crypto_page.expect_error(OPEN_REPORT, [bad, sk, "intake"])
    # A body that is a record of another kind, under the right key.
    other = crypto_page.call(
        """(V, [env, sk]) => {
          const { reportKey } = V.openReport(env, V.b64decode(sk), "intake");
          return V.b64encode(V.sealRecord(reportKey, V.RecordKind.MESSAGE, {a: 1}));
        }""",
        [env, sk],
    )
    assert "kind" in crypto_page.expect_error(OPEN_REPORT, [{**env, "body": other}, sk, "intake"])
    for body_js in ("[]", "'text'", "null", "42"):
        crypto_page.expect_error(
            f"(V) => {{ const k = V.reporterKeyPair(V.generateReceipt());"
            f" return V.sealReport({body_js}, k.publicKey, k.publicKey); }}"
        )


# --- attachments ------------------------------------------------------------------

ENCRYPT = """async (V, [data, name, type, chunkSize, asBlob]) => {
  const rk = V.generateReportKey();
  const bytes = V.b64decode(data);
  const input = asBlob ? new Blob([bytes]) : bytes;
  const pieces = [];
  for await (const p of V.encryptAttachment(rk, input, { name, type, chunkSize })) pieces.push(p);
  return { rk: V.b64encode(rk), pieces: pieces.map((p) => V.b64encode(p)) };
}"""
DECRYPT = """async (V, [rk, data, asBlob]) => {
  const bytes = V.b64decode(data);
  const r = await V.decryptAttachment(V.b64decode(rk), asBlob ? new Blob([bytes]) : bytes);
  return { name: r.name, type: r.type, size: r.size, data: V.b64encode(r.data) };
}"""


@pytest.mark.parametrize("as_blob", [False, True])
def test_attachments_round_trip_chunk_by_chunk(crypto_page, as_blob):
    for size in (0, 1, 1023, 1024, 1025, 3 * 1024, 3 * 1024 + 17):
        check_attachment_round_trip(crypto_page, size, as_blob)


def check_attachment_round_trip(crypto_page, size, as_blob):
    data = bytes((i * 31 + 7) & 0xFF for i in range(size))
    made = crypto_page.call(
        ENCRYPT, [b64(data), "Rechnung März.pdf", "application/pdf", 1024, as_blob]
    )
    pieces = [unb64(p) for p in made["pieces"]]
    # First piece: header and meta. Then one piece per chunk, at least one.
    chunks = max(1, -(-size // 1024))
    assert len(pieces) == 1 + chunks
    assert pieces[0][:6] == b"\x01\x10" + struct.pack(">I", 1024)
    assert len(pieces[0]) == 101 + 256 + 16
    assert [len(p) for p in pieces[1:-1]] == [1024 + 16] * (chunks - 1)
    assert len(pieces[-1]) == size - (chunks - 1) * 1024 + 16
    raw = b"".join(pieces)
    _header, _meta, parsed = split_attachment(raw)
    assert parsed == pieces[1:] or size == 0
    for blob_in in (False, True):
        out = crypto_page.call(DECRYPT, [made["rk"], b64(raw), blob_in])
        assert out == {
            "name": "Rechnung März.pdf",
            "type": "application/pdf",
            "size": size,
            "data": b64(data),
        }


def test_encryption_reads_a_blob_one_chunk_at_a_time(crypto_page):
    """Constant memory: the generator is lazy and only ever reads chunk-sized slices."""
    trace = crypto_page.call(
        """async (V) => {
          const log = [];
          class SpyBlob extends Blob {
            slice(start, end) { log.push(["slice", start, end]); return super.slice(start, end); }
            arrayBuffer() { log.push(["whole"]); return super.arrayBuffer(); }
            stream() { log.push(["whole"]); return super.stream(); }
            text() { log.push(["whole"]); return super.text(); }
          }
          const file = new SpyBlob([new Uint8Array(5000)], { type: "image/png" });
          const options = { name: "a.png", chunkSize: 1024 };
          const gen = V.encryptAttachment(V.generateReportKey(), file, options);
          const steps = [];
          for (let i = 0; i < 7; i++) {
            const r = await gen.next();
            steps.push([r.done, r.done ? 0 : r.value.length, log.length]);
          }
          return { steps, log };
        }"""
    )
    assert trace["log"] == [["slice", i * 1024, min((i + 1) * 1024, 5000)] for i in range(5)]
    # One slice per piece pulled, none ahead of demand; the header comes before any read.
    assert trace["steps"] == [
        [False, 373, 0],
        [False, 1040, 1],
        [False, 1040, 2],
        [False, 1040, 3],
        [False, 1040, 4],
        [False, 904 + 16, 5],
        [True, 0, 5],
    ]


def test_file_name_and_type_default_from_the_file(crypto_page):
    out = crypto_page.call(
        """async (V) => {
          const rk = V.generateReportKey();
          const file = new File([new Uint8Array([1, 2, 3])], "Lieferschein.xlsx",
                                { type: "application/vnd.ms-excel" });
          const r = await V.decryptAttachment(rk, await V.encryptAttachmentToBytes(rk, file));
          const bytes = await V.encryptAttachmentToBytes(rk, new Uint8Array(2));
          const r2 = await V.decryptAttachment(rk, bytes);
          return [r.name, r.type, r.size, r2.name, r2.type, r2.size];
        }"""
    )
    assert out == ["Lieferschein.xlsx", "application/vnd.ms-excel", 3, "", "", 2]


def test_the_name_and_size_open_from_the_first_bytes_alone(crypto_page):
    out = crypto_page.call(
        """async (V) => {
          const rk = V.generateReportKey();
          const file = new File(
            [new Uint8Array(200000)], "отчёт за март.pdf", { type: "application/pdf" });
          const stream = await V.encryptAttachmentToBytes(rk, file);
          const head = stream.slice(0, 4469);
          const info = await V.openAttachmentInfo(rk, head, stream.length);
          const refused = async (key, bytes, total) => {
            try { await V.openAttachmentInfo(key, bytes, total); return "opened"; }
            catch (err) { return err instanceof V.VigilCryptoError ? "refused" : String(err); }
          };
          const flipped = head.slice();
          flipped[200] ^= 1;
          return [
            info.name, info.type, info.size,
            await refused(V.generateReportKey(), head, stream.length),
            await refused(rk, flipped, stream.length),
            await refused(rk, head.slice(0, 300), stream.length),
            // A stream too short to hold the size its metadata claims.
            await refused(rk, head, 4469),
            await refused(rk, "head", stream.length),
          ];
        }"""
    )
    assert out == [
        "отчёт за март.pdf", "application/pdf", 200000,
        "refused", "refused", "refused", "refused", "refused",
    ]  # fmt: skip


def test_default_chunk_size_is_64_kib(crypto_page):
    sizes = crypto_page.call(
        """async (V) => {
          const pieces = [];
          const data = new Uint8Array(65536 * 2 + 1);
          for await (const p of V.encryptAttachment(V.generateReportKey(), data, { name: "x" })) {
            pieces.push(p.length);
          }
          return pieces;
        }"""
    )
    assert sizes[1:] == [65552, 65552, 17]


BAD_OPTIONS = [
    "{ chunkSize: 1023 }",
    "{ chunkSize: 16 * 1024 * 1024 + 1 }",
    "{ chunkSize: 1024.5 }",
    "{ name: 'x'.repeat(4100) }",
    "{ name: 'a\\ud800b' }",
    "{ name: 42 }",
    "{ type: null }",
    "{ chunkSize: '1024' }",
]


def test_bad_attachment_options_are_refused(crypto_page):
    for options in BAD_OPTIONS:
        crypto_page.expect_error(
            "(V) => V.encryptAttachmentToBytes("
            f"V.generateReportKey(), new Uint8Array(10), {options})"
        )
        crypto_page.expect_error(
            f"async (V) => {{ for await (const p of V.encryptAttachment(V.generateReportKey(),"
            f" new Uint8Array(10), {options})) {{}} }}"
        )


def test_bad_attachment_inputs_are_refused(crypto_page):
    for source in (
        "(V) => V.encryptAttachmentToBytes(V.generateReportKey(), 'text')",
        "(V) => V.encryptAttachmentToBytes(V.generateReportKey(), [1, 2])",
        "(V) => V.encryptAttachmentToBytes(new Uint8Array(16), new Uint8Array(2))",
        "(V) => V.decryptAttachment(V.generateReportKey(), 'text')",
        "(V) => V.decryptAttachment(V.generateReportKey(), new Uint8Array(0))",
        "(V) => V.decryptAttachment(V.generateReportKey(), new Blob([new Uint8Array(500)]))",
    ):
        crypto_page.expect_error(source)


def test_tampered_attachments_are_refused(crypto_page):
    data = bytes(range(256)) * 14  # 3584 bytes: 3 full chunks and a short one
    made = crypto_page.call(ENCRYPT, [b64(data), "plan.dwg", "image/vnd.dwg", 1024, True])
    raw = b"".join(unb64(p) for p in made["pieces"])
    assert crypto_page.call(DECRYPT, [made["rk"], b64(raw), True])["data"] == b64(data)
    for what, bad in attachment_tamperings(raw).items():
        for as_blob in (False, True):
            message = crypto_page.expect_error(DECRYPT, [made["rk"], b64(bad), as_blob])
            assert "plan.dwg" not in message
            if what == "version":
                assert "version" in message, message
    crypto_page.expect_error(DECRYPT, [b64(bytes(32)), b64(raw), True])
    # A chunk from another attachment under the same report key does not fit.
    other = crypto_page.call(
        """async (V, [rk, data]) => V.b64encode(await V.encryptAttachmentToBytes(
             V.b64decode(rk), V.b64decode(data),
             { name: "plan.dwg", type: "image/vnd.dwg", chunkSize: 1024 }))""",
        [made["rk"], b64(data)],
    )
    header, meta, chunks = split_attachment(raw)
    _h2, _m2, chunks2 = split_attachment(unb64(other))
    spliced = b"".join([header, meta, chunks[0], chunks2[1], *chunks[2:]])
    crypto_page.expect_error(DECRYPT, [made["rk"], b64(spliced), False])


def test_a_stream_cut_at_a_chunk_boundary_is_refused(crypto_page):
    """Exact multiple of the chunk size: no chunk may pass for the final one."""
    data = bytes(4096)
    made = crypto_page.call(ENCRYPT, [b64(data), "a", "b", 1024, False])
    raw = b"".join(unb64(p) for p in made["pieces"])
    header, meta, chunks = split_attachment(raw)
    assert [len(c) for c in chunks] == [1040] * 4
    for n in (1, 2, 3):
        cut = b"".join([header, meta, *chunks[:n]])
        crypto_page.expect_error(DECRYPT, [made["rk"], b64(cut), False])


def test_errors_are_vigil_errors_not_type_errors(crypto_page):
    for source in (
        "(V) => V.openRecord(null, 1, null)",
        "(V) => V.unwrapReportKey(undefined, undefined)",
        "(V) => V.openReport(undefined, undefined, undefined)",
        "(V) => V.sealReport({}, null, null)",
        "(V) => V.reporterKeyPair({})",
        "(V) => V.b64encode('text')",
        "(V) => V.decryptAttachment(null, null)",
        "(V) => V.encryptAttachment(null, null).next()",
        "(V) => V.encryptAttachmentToBytes(V.generateReportKey(), new Uint8Array(1), null)",
    ):
        crypto_page.expect_error(source)
