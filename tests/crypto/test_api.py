"""Whatever untrusted input arrives, the only exception is CryptoError."""

import contextlib
import io
import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crypto
from crypto import (
    CryptoError,
    PrivateKey,
    PublicKey,
    Receipt,
    RecordKind,
    ReportEnvelope,
    ReportKey,
    b64decode,
    check_attachment_layout,
    check_attachment_structure,
    check_record_structure,
    decode_intake_key_file,
    decrypt_attachment,
    open_for_session,
    open_record,
    unlock_private_key,
    unwrap_report_key,
    verify_password,
)

from .strategies import json_values

KEY = ReportKey.generate()
PRIVATE = PrivateKey.generate()

CONTRACT = {
    "CryptoError",
    "RecordKind",
    "PublicKey",
    "PrivateKey",
    "ReportKey",
    "Receipt",
    "lookup_hash",
    "seal_record",
    "open_record",
    "wrap_report_key",
    "unwrap_report_key",
    "ReportEnvelope",
    "seal_report",
    "open_report",
    "AttachmentInfo",
    "encrypt_attachment",
    "AttachmentReader",
    "open_attachment",
    "decrypt_attachment",
    "ATTACHMENT_HEADER_SIZE",
    "check_attachment_structure",
    "PasswordCost",
    "lock_private_key",
    "unlock_private_key",
    "change_key_password",
    "encode_intake_key_file",
    "decode_intake_key_file",
    "seal_for_session",
    "open_for_session",
    "hash_password",
    "verify_password",
    "b64encode",
    "b64decode",
}


def test_the_agreed_names_are_exported() -> None:
    assert set(crypto.__all__) >= CONTRACT
    assert all(hasattr(crypto, name) for name in crypto.__all__)
    assert crypto.ATTACHMENT_HEADER_SIZE == 97


BYTES_PARSERS: list[Callable[[bytes], object]] = [
    lambda data: open_record(KEY, RecordKind.MESSAGE, data),
    lambda data: check_record_structure(data, RecordKind.BODY),
    lambda data: unwrap_report_key(data, PRIVATE),
    lambda data: decrypt_attachment(KEY, io.BytesIO(data), io.BytesIO()),
    lambda data: check_attachment_structure(data),
    lambda data: check_attachment_layout(data, len(data) * 3),
    lambda data: unlock_private_key(data, "pw"),
    lambda data: open_for_session(data[:32], data[32:]),
    lambda data: PublicKey(data),
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(BYTES_PARSERS), st.binary(max_size=700))
def test_arbitrary_bytes_raise_only_crypto_error(
    parse: Callable[[bytes], object], data: bytes
) -> None:
    with contextlib.suppress(CryptoError):
        parse(data)


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1), st.binary(max_size=64))
def test_arbitrary_headers_raise_only_crypto_error(chunk_size: int, rest: bytes) -> None:
    header = b"\x01\x10" + chunk_size.to_bytes(4, "big") + rest
    for parse in BYTES_PARSERS[3:6]:
        with contextlib.suppress(CryptoError):
            parse(header)


TEXT_PARSERS: list[Callable[[str], object]] = [
    Receipt.parse,
    b64decode,
    decode_intake_key_file,
    lambda text: verify_password(text, "pw"),
    PublicKey.from_base64,
]


@settings(deadline=None)
@given(st.sampled_from(TEXT_PARSERS), st.text(max_size=200))
def test_arbitrary_text_raises_only_crypto_error(parse: Callable[[str], object], text: str) -> None:
    with contextlib.suppress(CryptoError):
        parse(text)


@settings(deadline=None)
@given(json_values)
def test_arbitrary_json_raises_only_crypto_error(data: object) -> None:
    with pytest.raises(CryptoError):
        ReportEnvelope.from_json(data)


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(["v", "body", "wraps", "x"]), json_values))
def test_envelope_like_json_raises_only_crypto_error(data: dict[str, object]) -> None:
    with pytest.raises(CryptoError):
        ReportEnvelope.from_json(json.loads(json.dumps(data)))
