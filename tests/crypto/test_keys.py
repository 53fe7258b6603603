import hashlib
import re

import nacl.public
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import (
    CryptoError,
    PrivateKey,
    PublicKey,
    RecordKind,
    ReportKey,
    b64encode,
    seal_record,
    unwrap_report_key,
    wrap_report_key,
)


def test_public_key_length_is_checked() -> None:
    for raw in (b"", bytes(31), bytes(33)):
        with pytest.raises(CryptoError, match="public key: must be 32 bytes"):
            PublicKey(raw)
    with pytest.raises(CryptoError):
        PublicKey("x" * 32)  # type: ignore[arg-type]


def test_public_key_base64_round_trip_and_equality() -> None:
    key = PrivateKey.generate().public_key
    again = PublicKey.from_base64(key.to_base64())
    assert again == key
    assert hash(again) == hash(key)
    assert len({key, again}) == 1
    assert bytes(again) == bytes(key)
    assert key != PrivateKey.generate().public_key
    with pytest.raises(CryptoError):
        PublicKey.from_base64(b64encode(bytes(31)))
    with pytest.raises(CryptoError):
        PublicKey.from_base64("not base64")


@settings(deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_fingerprint_format_and_derivation(raw: bytes) -> None:
    fingerprint = PublicKey(raw).fingerprint
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){9}", fingerprint)
    expected = hashlib.blake2b(b"vigil/v1/fingerprint" + raw, digest_size=32).digest()[:20]
    assert fingerprint.replace(" ", "") == expected.hex().upper()


def test_private_key_public_key_is_x25519() -> None:
    key = PrivateKey.generate()
    reference = nacl.public.PrivateKey(key._raw())
    assert bytes(key.public_key) == bytes(reference.public_key)
    assert PrivateKey(key._raw()) == key
    assert PrivateKey.generate() != key


def test_secret_keys_do_not_show_their_bytes() -> None:
    key = PrivateKey.generate()
    report_key = ReportKey.generate()
    for secret, obj in ((key._raw(), key), (report_key._raw(), report_key)):
        for text in (repr(obj), str(obj)):
            assert secret.hex() not in text.lower()
            assert b64encode(secret) not in text
        with pytest.raises(TypeError):
            bytes(obj)  # type: ignore[call-overload]
        with pytest.raises(TypeError):
            hash(obj)
    assert key.public_key.fingerprint in repr(key)


def test_keys_are_immutable() -> None:
    key = PrivateKey.generate()
    with pytest.raises(AttributeError):
        key._secret = bytes(32)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del key._public
    with pytest.raises(AttributeError):
        key.public_key._key = bytes(32)  # type: ignore[misc]


def test_key_lengths_are_checked() -> None:
    for cls in (PrivateKey, ReportKey):
        with pytest.raises(CryptoError, match="must be 32 bytes"):
            cls(bytes(16))


def test_report_keys_are_random() -> None:
    assert len({ReportKey.generate()._raw() for _ in range(20)}) == 20


def test_wrong_key_types_are_type_errors() -> None:
    private = PrivateKey.generate()
    report_key = ReportKey.generate()
    with pytest.raises(TypeError, match="key must be a ReportKey"):
        seal_record(private, RecordKind.NOTE, {})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        wrap_report_key(report_key, private)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        unwrap_report_key(bytes(82), private.public_key)  # type: ignore[arg-type]
