"""Python (crypto/) and the browser (static/js/src/) agree, live, in both directions.

Objects are made on one side with fresh randomness and opened on the other;
damaged ones are refused on both. The committed vector files are checked in
test_vectors.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct

import pytest
from nacl import bindings

from crypto import (
    CryptoError,
    PrivateKey,
    PublicKey,
    Receipt,
    RecordKind,
    ReportEnvelope,
    ReportKey,
    decrypt_attachment,
    encrypt_attachment,
    lookup_hash,
    open_record,
    open_report,
    seal_record,
    seal_report,
    unwrap_report_key,
    wrap_report_key,
)
from tests.browser.support import (
    attachment_tamperings,
    b64,
    bucket,
    record_tamperings,
    split_attachment,
    unb64,
)

pytestmark = pytest.mark.browser

MiB = 1024 * 1024


def raw_key(key: PrivateKey | ReportKey) -> bytes:
    return key._raw()


def py_encrypt(key: ReportKey, data: bytes, **kw: object) -> bytes:
    sink = io.BytesIO()
    written = encrypt_attachment(
        key,
        io.BytesIO(data),
        sink,
        name=kw.get("name", "f.bin"),
        content_type=kw.get("content_type", "application/octet-stream"),
        size=len(data),
        chunk_size=kw.get("chunk_size", 65536),
    )
    assert written == len(sink.getvalue())
    return sink.getvalue()


def py_decrypt(key: ReportKey, data: bytes) -> tuple[object, bytes]:
    sink = io.BytesIO()
    info = decrypt_attachment(key, io.BytesIO(data), sink)
    return info, sink.getvalue()


# --- receipts, derived keys, fingerprints -------------------------------------------

BROWSER_RECEIPTS = """(V, n) => Array.from({ length: n }, () => {
  const receipt = V.generateReceipt();
  const k = V.reporterKeyPair(receipt);
  const token = V.lookupToken(receipt);
  return {
    receipt,
    secret: V.b64encode(V.parseReceipt(receipt)),
    sk: V.b64encode(k.secretKey),
    pk: V.b64encode(k.publicKey),
    token: V.b64encode(token),
    hash: V.b64encode(V.lookupHash(token)),
    fingerprint: V.fingerprint(k.publicKey),
  };
})"""


def test_browser_receipts_derive_what_python_derives(crypto_page):
    for made in crypto_page.call(BROWSER_RECEIPTS, 50):
        receipt = Receipt.parse(made["receipt"])
        assert str(receipt) == made["receipt"]
        key = receipt.reporter_private_key()
        assert raw_key(key) == unb64(made["sk"])
        assert bytes(key.public_key) == unb64(made["pk"])
        assert receipt.lookup_token() == unb64(made["token"])
        assert lookup_hash(receipt.lookup_token()) == unb64(made["hash"])
        assert key.public_key.fingerprint == made["fingerprint"]


def test_python_receipts_derive_what_the_browser_derives(crypto_page):
    receipts = [Receipt.generate() for _ in range(50)]
    out = crypto_page.call(
        """(V, receipts) => receipts.map((r) => {
          const k = V.reporterKeyPair(r);
          return [V.b64encode(k.secretKey), V.b64encode(k.publicKey),
                  V.b64encode(V.lookupToken(r)), V.fingerprint(k.publicKey)];
        })""",
        [str(r) for r in receipts],
    )
    for receipt, (sk, pk, token, fp) in zip(receipts, out, strict=True):
        key = receipt.reporter_private_key()
        assert (raw_key(key), bytes(key.public_key), receipt.lookup_token()) == (
            unb64(sk),
            unb64(pk),
            unb64(token),
        )
        assert key.public_key.fingerprint == fp


def test_receipt_parsing_agrees_on_odd_input(crypto_page):
    """Accept the same texts as the same receipt and refuse the same texts."""
    base = str(Receipt.generate())
    plain = base.replace("-", "")
    texts = [
        base,
        base.lower(),
        plain,
        f"  {base}  ",
        " ".join(plain),
        "-".join(plain),
        plain.replace("0", "o").replace("1", "l"),
        plain.replace("0", "O").replace("1", "I"),
        plain[:-1],
        plain + "0",
        plain[:-1] + "U",
        plain[:-1] + "u",
        plain[:-1] + "\u0131",
        plain[:-1] + "\u017f",
        plain[:-1] + "\uff10",
        plain.replace(plain[0], "\t" + plain[0], 1),
        plain[:12] + "\n" + plain[12:],
        plain[:12] + "_" + plain[12:],
        plain[:12] + "\u00a0" + plain[12:],
        plain[:12] + "\u2010" + plain[12:],
        "",
        "-" * 24,
        "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ",
        "0000-0000-0000-0000-0000-0000",
    ]
    browser = crypto_page.call(
        """(V, texts) => texts.map((t) => {
          try { return V.b64encode(V.lookupToken(t)); }
          catch (e) { return e instanceof V.VigilCryptoError ? null : "OTHER " + e.name; }
        })""",
        texts,
    )
    accepted = 0
    for text, got in zip(texts, browser, strict=True):
        try:
            expected = b64(Receipt.parse(text).lookup_token())
        except CryptoError:
            expected = None
        assert got == expected, f"{text!r}: Python {expected}, browser {got}"
        accepted += expected is not None
    assert accepted == 10


def test_fingerprints_agree(crypto_page):
    keys = [PrivateKey.generate().public_key for _ in range(20)] + [
        PublicKey(bytes(32)),
        PublicKey(bytes([255]) * 32),
    ]
    out = crypto_page.call(
        "(V, keys) => keys.map((k) => V.fingerprint(V.b64decode(k)))", [k.to_base64() for k in keys]
    )
    assert out == [k.fingerprint for k in keys]


# --- records ---------------------------------------------------------------------

RECORD_VALUES = [
    {},
    {"subject": "Vacuum pumps to a front company", "amount_eur": 125000.5, "tags": ["dual-use"]},
    {"unicode": "Ünïcödé ✓ 漢字 עברית 😀 \u2028\u2029", "escapes": '"\\/\b\f\n\r\t\u0000\u001f'},
    {"nested": {"a": [1, [2, [3, {"b": None}]]], "t": True, "f": False}},
    [1, -1, 0, 2**53 - 1, -(2**53) + 1, 0.1, -2.5e-10, 1e300],
    "plain string",
    42,
    None,
    {"pad": "x" * 497},
    {"pad": "x" * 498},
    {"big": "é" * 300_000},
]


def test_browser_records_open_in_python(crypto_page):
    made = crypto_page.call(
        """(V, values) => values.flatMap((value) => [1, 2, 3, 4].map((kind) => {
          const rk = V.generateReportKey();
          return [V.b64encode(rk), kind, V.b64encode(V.sealRecord(rk, kind, value))];
        }))""",
        RECORD_VALUES,
    )
    assert len(made) == 4 * len(RECORD_VALUES)
    for i, (rk, kind, record) in enumerate(made):
        value = RECORD_VALUES[i // 4]
        raw = unb64(record)
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        assert len(raw) == 42 + bucket(6 + len(payload))
        assert open_record(ReportKey(unb64(rk)), RecordKind(kind), raw) == value
        other_kind = RecordKind(kind % 4 + 1)
        with pytest.raises(CryptoError):
            open_record(ReportKey(unb64(rk)), other_kind, raw)


def test_python_records_open_in_the_browser(crypto_page):
    made = []
    for value in RECORD_VALUES:
        for kind in RecordKind:
            rk = ReportKey.generate()
            made.append([b64(raw_key(rk)), int(kind), b64(seal_record(rk, kind, value))])
    opened = crypto_page.call(
        """(V, made) => made.map(([rk, kind, record]) =>
             V.openRecord(V.b64decode(rk), kind, V.b64decode(record)))""",
        made,
    )
    assert opened == [v for v in RECORD_VALUES for _ in RecordKind]


def test_damaged_records_are_refused_on_both_sides(crypto_page):
    py_rk = ReportKey.generate()
    py_record = seal_record(py_rk, RecordKind.NOTE, {"note": "secret words"})
    js_rk, js_record = crypto_page.call(
        """(V) => { const rk = V.generateReportKey();
          const record = V.sealRecord(rk, V.RecordKind.NOTE, {note: "secret words"});
          return [V.b64encode(rk), V.b64encode(record)]; }"""
    )
    for rk, record in ((py_rk, py_record), (ReportKey(unb64(js_rk)), unb64(js_record))):
        cases = dict(record_tamperings(record))
        cases["wrong key"] = record
        for what, bad in cases.items():
            key = ReportKey.generate() if what == "wrong key" else rk
            with pytest.raises(CryptoError):
                open_record(key, RecordKind.NOTE, bad)
            message = crypto_page.expect_error(
                "(V, [rk, r]) => V.openRecord(V.b64decode(rk), V.RecordKind.NOTE, V.b64decode(r))",
                [b64(raw_key(key)), b64(bad)],
            )
            assert "secret" not in message, what


def handmade_record(rk: bytes, inner: bytes, *, version: int = 1, kind: int = 1) -> bytes:
    """A record built byte by byte with libsodium, to make what no writer should."""
    nonce = os.urandom(24)
    return bytes([version, kind]) + nonce + bindings.crypto_secretbox_easy(inner, nonce, rk)


def inner_of(payload: bytes, *, size: int | None = None, length: int | None = None) -> bytes:
    length = len(payload) if length is None else length
    size = bucket(6 + len(payload)) if size is None else size
    body = b"\x01\x01" + struct.pack(">I", length) + payload
    return body + bytes(size - len(body))


def test_handmade_records_get_the_same_verdict_on_both_sides(crypto_page):
    rk = os.urandom(32)
    good = {
        "control": inner_of(b'{"a":1}'),
        "whitespace around": inner_of(b' \t\n{"a" : [ 1 , 2 ] }\r\n'),
        "escaped pair": inner_of(b'"\\ud83d\\ude00"'),
        "zero length field with padding": inner_of(b"0"),
    }
    bad = {
        "NaN": inner_of(b'{"a":NaN}'),
        "Infinity": inner_of(b"[Infinity]"),
        "overflowing float": inner_of(b"[1e400]"),
        "lone surrogate escape": inner_of(b'"\\ud800"'),
        "lone surrogate key": inner_of(b'{"\\udc00":1}'),
        "invalid UTF-8": inner_of(b'"\xff"'),
        "encoded surrogate": inner_of(b'"\xed\xa0\x80"'),
        "BOM": inner_of(b'\xef\xbb\xbf{"a":1}'),
        "trailing garbage": inner_of(b'{"a":1}x'),
        "two documents": inner_of(b"{}{}"),
        "empty payload": inner_of(b""),
        "single quotes": inner_of(b"{'a':1}"),
        "trailing comma": inner_of(b"[1,]"),
        "non-zero padding": inner_of(b"{}")[:-1] + b"\x01",
        "length beyond inner": inner_of(b"{}", length=512),
        "length in padding": inner_of(b"{}", length=3),
        "inner version": b"\x02" + inner_of(b"{}")[1:],
        "inner kind": b"\x01\x02" + inner_of(b"{}")[2:],
        "inner too short": inner_of(b"{}")[:511],
        "inner not a power of two": inner_of(b"{}", size=768),
    }
    records = {k: (handmade_record(rk, v), True) for k, v in good.items()}
    records |= {k: (handmade_record(rk, v), False) for k, v in bad.items()}
    records["outer kind NOTE over inner BODY"] = (
        handmade_record(rk, inner_of(b"{}"), kind=3),
        False,
    )
    for what, (record, ok) in records.items():
        result = crypto_page.try_call(
            "(V, [rk, r]) => V.openRecord(V.b64decode(rk), 1, V.b64decode(r))",
            [b64(rk), b64(record)],
        )
        try:
            python = open_record(ReportKey(rk), RecordKind.BODY, record)
            python_ok = True
        except CryptoError:
            python_ok = False
        assert python_ok == ok, f"{what}: Python {'accepts' if python_ok else 'refuses'}"
        assert result["ok"] == ok, f"{what}: browser {'accepts' if result['ok'] else 'refuses'}"
        if ok:
            assert result["value"] == python, what
        else:
            assert result["vigil"], f"{what}: {result}"


# --- wraps and envelopes ----------------------------------------------------------


def test_wraps_both_ways(crypto_page):
    holder = PrivateKey.generate()
    rk = ReportKey.generate()
    py_wrap = wrap_report_key(rk, holder.public_key)
    js_opened, js_rk, js_wrap = crypto_page.call(
        """(V, [pk, sk, wrap]) => {
          const rk = V.generateReportKey();
          return [V.b64encode(V.unwrapReportKey(V.b64decode(wrap), V.b64decode(sk))),
                  V.b64encode(rk), V.b64encode(V.wrapReportKey(rk, V.b64decode(pk)))];
        }""",
        [holder.public_key.to_base64(), b64(raw_key(holder)), b64(py_wrap)],
    )
    assert unb64(js_opened) == raw_key(rk)
    assert len(unb64(js_wrap)) == 82
    assert raw_key(unwrap_report_key(unb64(js_wrap), holder)) == unb64(js_rk)
    with pytest.raises(CryptoError):
        unwrap_report_key(unb64(js_wrap), PrivateKey.generate())


def test_damaged_wraps_are_refused_on_both_sides(crypto_page):
    holder = PrivateKey.generate()
    js_wrap = unb64(
        crypto_page.call(
            "(V, pk) => V.b64encode(V.wrapReportKey(V.generateReportKey(), V.b64decode(pk)))",
            holder.public_key.to_base64(),
        )
    )
    py_wrap = wrap_report_key(ReportKey.generate(), holder.public_key)
    for wrap in (js_wrap, py_wrap):
        bad = [wrap[:i] + bytes([wrap[i] ^ 0x40]) + wrap[i + 1 :] for i in (0, 16, 31, 32, 50, 81)]
        bad += [wrap[:-1], wrap + b"\x00", bytes(82), wrap[:32] + bytes(50)]
        for b in bad:
            with pytest.raises(CryptoError):
                unwrap_report_key(b, holder)
            crypto_page.expect_error(
                "(V, [w, sk]) => V.unwrapReportKey(V.b64decode(w), V.b64decode(sk))",
                [b64(b), b64(raw_key(holder))],
            )


# HSalsa20(key = 32 zero bytes, input = 16 zero bytes): the crypto_box key that
# any private key computes with a low-order public key (shared secret all zero).
ZERO_SHARED_BOX_KEY = bytes.fromhex(
    "351f86faa3b988468a850122b65b0acece9c4826806aeee63de9c0da2bd7f91e"
)
LOW_ORDER_POINTS = [
    bytes(32),
    bytes([1]) + bytes(31),
    bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
]


def test_forged_wraps_from_low_order_points_are_refused_on_both_sides(crypto_page):
    """Without libsodium's all-zero check anybody could forge a wrap for every holder."""
    holder = PrivateKey.generate()
    forged_rk = os.urandom(32)
    for epk in LOW_ORDER_POINTS:
        nonce = hashlib.blake2b(epk + bytes(holder.public_key), digest_size=24).digest()
        box = bindings.crypto_secretbox_easy(b"\x01\x30" + forged_rk, nonce, ZERO_SHARED_BOX_KEY)
        wrap = epk + box
        assert len(wrap) == 82
        with pytest.raises(CryptoError):
            unwrap_report_key(wrap, holder)
        message = crypto_page.expect_error(
            "(V, [w, sk]) => V.unwrapReportKey(V.b64decode(w), V.b64decode(sk))",
            [b64(wrap), b64(raw_key(holder))],
        )
        # Refused for the right reason, not merely because the box did not open.
        assert "low-order" in message


def test_browser_envelope_opens_in_python_for_both_holders(crypto_page):
    intake = PrivateKey.generate()
    body = {
        "subject": "Frequency converters re-exported via a trading company",
        "details": "Invoices list 'pumps'; the units are 600 Hz converters.\nÄ ✓ 😀",
        "contact": "",
        "self_disclosure": False,
    }
    made = crypto_page.call(
        """(V, [body, intakePk]) => {
          const receipt = V.generateReceipt();
          const reporter = V.reporterKeyPair(receipt);
          const intake = V.b64decode(intakePk);
          const { reportKey, envelope } = V.sealReport(body, intake, reporter.publicKey);
          return { receipt, rk: V.b64encode(reportKey), envelope: JSON.stringify(envelope) };
        }""",
        [body, intake.public_key.to_base64()],
    )
    envelope = ReportEnvelope.from_json(json.loads(made["envelope"]))
    assert envelope.to_json() == json.loads(made["envelope"])
    reporter = Receipt.parse(made["receipt"]).reporter_private_key()
    for key, holder in ((intake, "intake"), (reporter, "reporter")):
        rk, opened = open_report(envelope, key, as_holder=holder)
        assert opened == body
        assert raw_key(rk) == unb64(made["rk"])
    with pytest.raises(CryptoError):
        open_report(envelope, intake, as_holder="reporter")
    with pytest.raises(CryptoError):
        open_report(envelope, reporter, as_holder="intake")


def test_python_envelope_opens_in_the_browser_for_both_holders(crypto_page):
    intake = PrivateKey.generate()
    receipt = Receipt.generate()
    body = {"subject": "Maraging steel", "details": "ß" * 2000, "n": [1, 2, 3]}
    rk, envelope = seal_report(body, intake.public_key, receipt.reporter_private_key().public_key)
    out = crypto_page.call(
        """(V, [env, intakeSk, receipt]) => ["intake", "reporter"].map((holder) => {
          const sk = holder === "intake"
            ? V.b64decode(intakeSk) : V.reporterKeyPair(receipt).secretKey;
          const { reportKey, body } = V.openReport(env, sk, holder);
          return [V.b64encode(reportKey), body];
        })""",
        [envelope.to_json(), b64(raw_key(intake)), str(receipt)],
    )
    assert out == [[b64(raw_key(rk)), body]] * 2


def test_damaged_envelopes_are_refused_on_both_sides(crypto_page):
    intake = PrivateKey.generate()
    # The URL-safe case changes the body only if it holds a "+" or a "/";
    # about one random body in twenty holds neither.
    env = {"body": ""}
    while "+" not in env["body"] and "/" not in env["body"]:
        _rk, py_env = seal_report({"a": 1}, intake.public_key, PrivateKey.generate().public_key)
        env = py_env.to_json()
    wraps = env["wraps"]
    intake_wrap = unb64(wraps["intake"])
    js_body_other_kind = crypto_page.call(
        "(V) => V.b64encode(V.sealRecord(V.generateReportKey(), V.RecordKind.MESSAGE, {}))"
    )
    body = unb64(env["body"])
    cases = {
        "v 2": {**env, "v": 2},
        "v string": {**env, "v": "1"},
        "v true": {**env, "v": True},
        "v null": {**env, "v": None},
        "extra member": {**env, "x": 1},
        "missing body": {k: v for k, v in env.items() if k != "body"},
        "extra wrap": {**env, "wraps": {**wraps, "investigator": wraps["intake"]}},
        "missing wrap": {**env, "wraps": {"intake": wraps["intake"]}},
        "swapped wraps": {
            **env,
            "wraps": {"intake": wraps["reporter"], "reporter": wraps["intake"]},
        },
        "body flipped": {**env, "body": b64(body[:-1] + bytes([body[-1] ^ 1]))},
        "body version": {**env, "body": b64(b"\x02" + body[1:])},
        "body short": {**env, "body": b64(body[:-1])},
        "body other kind": {**env, "body": js_body_other_kind},
        "body urlsafe": {**env, "body": env["body"].replace("+", "-").replace("/", "_")},
        "body whitespace": {**env, "body": env["body"][:8] + "\n" + env["body"][8:]},
        "body not a string": {**env, "body": list(body[:10])},
        "wrap short": {**env, "wraps": {**wraps, "intake": b64(unb64(wraps["intake"])[:-1])}},
        "wrap flipped": {
            **env,
            "wraps": {**wraps, "intake": b64(bytes([intake_wrap[0] ^ 1]) + intake_wrap[1:])},
        },
        "not an object": [env],
    }
    for what, bad in cases.items():
        with pytest.raises(CryptoError):
            open_report(ReportEnvelope.from_json(bad), intake, as_holder="intake")
        crypto_page.expect_error(
            "(V, [env, sk]) => V.openReport(env, V.b64decode(sk), 'intake')",
            [bad, b64(raw_key(intake))],
        )
        assert what


# --- attachments ------------------------------------------------------------------

JS_ENCRYPT = """async (V, [data, name, type, chunkSize]) => {
  const rk = V.generateReportKey();
  const file = new File([V.b64decode(data)], name, { type });
  const ct = await V.encryptAttachmentToBytes(rk, file, chunkSize ? { chunkSize } : {});
  return [V.b64encode(rk), V.b64encode(ct)];
}"""
JS_DECRYPT = """async (V, [rk, ct]) => {
  const r = await V.decryptAttachment(V.b64decode(rk), new Blob([V.b64decode(ct)]));
  return [r.name, r.type, r.size, V.b64encode(r.data)];
}"""


@pytest.mark.parametrize(
    ("size", "chunk_size"),
    [(0, None), (1, None), (65536, None), (65537, None), (3000, 1024), (3072, 1024), (5000, 4096)],
)
def test_small_attachments_both_ways(crypto_page, size, chunk_size):
    data = os.urandom(size)
    name, ctype = "Packliste Lager 7 (Ö).pdf", "application/pdf"
    rk, ct = crypto_page.call(JS_ENCRYPT, [b64(data), name, ctype, chunk_size])
    info, plain = py_decrypt(ReportKey(unb64(rk)), unb64(ct))
    assert (info.name, info.content_type, info.size, plain) == (name, ctype, size, data)

    key = ReportKey.generate()
    py_ct = py_encrypt(key, data, name=name, content_type=ctype, chunk_size=chunk_size or 65536)
    # Same layout: identical lengths for identical input.
    assert len(py_ct) == len(unb64(ct))
    assert crypto_page.call(JS_DECRYPT, [b64(raw_key(key)), b64(py_ct)]) == [
        name,
        ctype,
        size,
        b64(data),
    ]


def test_damaged_attachments_are_refused_on_both_sides(crypto_page):
    data = os.urandom(3 * 1024 + 500)
    rk, js_ct = crypto_page.call(JS_ENCRYPT, [b64(data), "a.txt", "text/plain", 1024])
    js_key = ReportKey(unb64(rk))
    py_key = ReportKey.generate()
    py_ct = py_encrypt(py_key, data, name="a.txt", content_type="text/plain", chunk_size=1024)
    for key, ct in ((js_key, unb64(js_ct)), (py_key, py_ct)):
        cases = attachment_tamperings(ct)
        cases["wrong key"] = ct
        for what, bad in cases.items():
            use = ReportKey.generate() if what == "wrong key" else key
            with pytest.raises(CryptoError):
                py_decrypt(use, bad)
            crypto_page.expect_error(JS_DECRYPT, [b64(raw_key(use)), b64(bad)])


def test_attachment_split_across_two_streams_is_refused_on_both_sides(crypto_page):
    """Chunks of two attachments under one report key do not mix."""
    data = os.urandom(4000)
    key = ReportKey.generate()
    a = py_encrypt(key, data, chunk_size=1024)
    b = unb64(
        crypto_page.call(
            """async (V, [rk, data]) => V.b64encode(await V.encryptAttachmentToBytes(
                 V.b64decode(rk), V.b64decode(data),
                 { name: "f.bin", type: "application/octet-stream", chunkSize: 1024 }))""",
            [b64(raw_key(key)), b64(data)],
        )
    )
    ha, ma, ca = split_attachment(a)
    hb, mb, cb = split_attachment(b)
    for mixed in (
        b"".join([ha, ma, ca[0], cb[1], *ca[2:]]),
        b"".join([hb, mb, cb[0], ca[1], *cb[2:]]),
        b"".join([ha, mb, *cb]),
        b"".join([ha, ma, *cb]),
    ):
        with pytest.raises(CryptoError):
            py_decrypt(key, mixed)
        crypto_page.expect_error(JS_DECRYPT, [b64(raw_key(key)), b64(mixed)])


def test_large_attachment_streamed_in_the_browser_opens_in_python(crypto_page):
    """5 MB of random bytes, made and encrypted in the page from a File, chunk by chunk."""
    size = 5 * MiB + 12345
    made = crypto_page.call(
        """async (V, size, store) => {
          const hex = (buf) =>
            Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
          const parts = [];
          for (let i = 0; i < size; i += 65536) {
            const p = new Uint8Array(Math.min(65536, size - i));
            crypto.getRandomValues(p);
            parts.push(p);
          }
          const file = new File(parts, "centrifuge-drawings.tar", { type: "application/x-tar" });
          parts.length = 0;
          const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
          const rk = V.generateReportKey();
          const pieces = [];
          for await (const piece of V.encryptAttachment(rk, file)) pieces.push(piece);
          store.ct = new Blob(pieces);
          return {
            rk: V.b64encode(rk),
            sha256: hex(digest),
            pieces: pieces.length,
          };
        }""",
        size,
    )
    chunks = -(-size // 65536)
    assert made["pieces"] == 1 + chunks
    ct = crypto_page.get_bytes("ct")
    assert len(ct) == 101 + 256 + 16 + size + 16 * chunks
    info, plain = py_decrypt(ReportKey(unb64(made["rk"])), ct)
    assert (info.name, info.content_type, info.size) == (
        "centrifuge-drawings.tar",
        "application/x-tar",
        size,
    )
    assert hashlib.sha256(plain).hexdigest() == made["sha256"]
    # Damage in the middle of the big stream is caught in Python too.
    with pytest.raises(CryptoError):
        py_decrypt(ReportKey(unb64(made["rk"])), flip_middle(ct))


def flip_middle(data: bytes) -> bytes:
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


def test_large_python_attachment_opens_in_the_browser(crypto_page):
    size = 5 * MiB + 777
    data = os.urandom(size)
    key = ReportKey.generate()
    ct = py_encrypt(key, data, name="ledger.xlsx", content_type="application/vnd.ms-excel")
    crypto_page.put_bytes("ct", ct, as_blob=True)
    out = crypto_page.call(
        """async (V, rk, store) => {
          const hex = (buf) =>
            Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
          const r = await V.decryptAttachment(V.b64decode(rk), store.ct);
          const digest = await crypto.subtle.digest("SHA-256", r.data);
          return [r.name, r.type, r.size, hex(digest)];
        }""",
        b64(raw_key(key)),
    )
    assert out == [
        "ledger.xlsx",
        "application/vnd.ms-excel",
        size,
        hashlib.sha256(data).hexdigest(),
    ]
    crypto_page.put_bytes("bad", flip_middle(ct), as_blob=True)
    crypto_page.expect_error(
        "(V, rk, store) => V.decryptAttachment(V.b64decode(rk), store.bad)", b64(raw_key(key))
    )


def build_attachment(
    rk: bytes,
    meta_json: bytes,
    chunks: list[tuple[int, bytes, bool]],
    *,
    chunk_size: int = 1024,
    meta_block: int = 256,
    meta_final: bool = False,
    json_length: int | None = None,
    pad_byte: int = 0,
) -> bytes:
    """An attachment built byte by byte with libsodium, to make what no writer should."""
    fk, prefix, key_nonce = os.urandom(32), os.urandom(19), os.urandom(24)

    def nonce(index: int, final: bool) -> bytes:
        return prefix + struct.pack(">IB", index, final)

    length = len(meta_json) if json_length is None else json_length
    inner = struct.pack(">I", length) + meta_json
    inner += bytes([pad_byte]) * (-len(inner) % meta_block)
    meta_box = bindings.crypto_secretbox_easy(inner, nonce(0, meta_final), fk)
    out = b"\x01\x10" + struct.pack(">I", chunk_size) + prefix + key_nonce
    out += bindings.crypto_secretbox_easy(fk, key_nonce, rk)
    out += struct.pack(">I", len(meta_box)) + meta_box
    for index, plain, final in chunks:
        out += bindings.crypto_secretbox_easy(plain, nonce(index, final), fk)
    return out


def meta(name: object = "n.bin", type_: object = "t/x", size: object = 2048) -> bytes:
    return json.dumps({"name": name, "type": type_, "size": size}).encode()


def test_handmade_attachments_get_the_same_verdict_on_both_sides(crypto_page):
    rk = os.urandom(32)
    a, b = os.urandom(1024), os.urandom(1024)
    two = [(1, a, False), (2, b, True)]
    good = {
        "control": build_attachment(rk, meta(), two),
        "trailing empty final chunk": build_attachment(
            rk, meta(), [(1, a, False), (2, b, False), (3, b"", True)]
        ),
        "members in another order, with spaces": build_attachment(
            rk, b'{ "size" : 2048, "type" : "t/x", "name" : "n.bin" }', two
        ),
        "empty file": build_attachment(rk, meta(size=0), [(1, b"", True)]),
        "largest metadata": build_attachment(rk, meta(name="x" * (4096 - len(meta(name="")))), two),
    }
    bad = {
        "extra member": build_attachment(rk, b'{"name":"n","type":"t","size":2048,"x":1}', two),
        "missing type": build_attachment(rk, b'{"name":"n","size":2048}', two),
        "name not a string": build_attachment(rk, meta(name=5), two),
        "type null": build_attachment(rk, meta(type_=None), two),
        "size negative": build_attachment(rk, meta(size=-1), two),
        "size a string": build_attachment(rk, meta(size="2048"), two),
        "size beyond 2**53 - 1": build_attachment(rk, meta(size=2**53), two),
        "size smaller than content": build_attachment(rk, meta(size=2047), two),
        "size larger than content": build_attachment(rk, meta(size=2049), two),
        "lone surrogate in name": build_attachment(
            rk, b'{"name":"\\ud800","type":"t","size":2048}', two
        ),
        "metadata not JSON": build_attachment(rk, b"{name: 1}", two),
        "metadata an array": build_attachment(rk, b'["n.bin","t/x",2048]', two),
        "metadata too long": build_attachment(
            rk, meta(name="x" * (4097 - len(meta(name="")))), two
        ),
        "metadata padding not zero": build_attachment(rk, meta(), two, pad_byte=1),
        "metadata block not 256": build_attachment(rk, meta(), two, meta_block=200),
        "metadata length beyond its box": build_attachment(rk, meta(), two, json_length=300),
        "metadata under the final flag": build_attachment(rk, meta(), two, meta_final=True),
        "last chunk not final": build_attachment(rk, meta(), [(1, a, False), (2, b, False)]),
        "first chunk final": build_attachment(rk, meta(), [(1, a, True), (2, b, True)]),
        "chunks numbered from 0": build_attachment(rk, meta(), [(0, a, False), (1, b, True)]),
        "chunk index skipped": build_attachment(rk, meta(), [(1, a, False), (3, b, True)]),
        "short non-final chunk": build_attachment(
            rk, meta(size=1524), [(1, a[:500], False), (2, b, True)]
        ),
        "empty chunk in the middle": build_attachment(
            rk, meta(), [(1, a, False), (2, b"", False), (3, b, True)]
        ),
        "no chunk": build_attachment(rk, meta(size=0), []),
        "chunk larger than chunk_size": build_attachment(rk, meta(size=2048), [(1, a + b, True)]),
    }
    cases = {k: (v, True) for k, v in good.items()} | {k: (v, False) for k, v in bad.items()}
    for what, (stream, ok) in cases.items():
        try:
            info, data = py_decrypt(ReportKey(rk), stream)
            python = [info.name, info.content_type, info.size, b64(data)]
        except CryptoError:
            python = None
        result = crypto_page.try_call(JS_DECRYPT, [b64(rk), b64(stream)])
        assert (python is not None) == ok, f"{what}: Python {'accepts' if python else 'refuses'}"
        assert result["ok"] == ok, f"{what}: browser {'accepts' if result['ok'] else 'refuses'}"
        if ok:
            assert result["value"] == python, what
        else:
            assert result["vigil"], f"{what}: {result}"
