"""Signed statements: Ed25519, bound to their purpose, with keys that keep their secret."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto import (
    SIGNATURE_SIZE,
    CryptoError,
    PrivateKey,
    PublicKey,
    SigningKey,
    VerifyKey,
    sign_statement,
    verify_statement,
)

# RFC 8032, section 7.1, test 1: the empty message under a known seed.
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def test_the_key_is_ed25519_from_its_seed() -> None:
    assert bytes(SigningKey(RFC8032_SEED).verify_key) == RFC8032_PUBLIC


@given(st.binary(max_size=2048))
def test_a_signature_verifies_for_its_statement_and_purpose_only(statement: bytes) -> None:
    key = SigningKey.generate()
    signature = sign_statement(key, "filing-confirmation", statement)
    assert len(signature) == SIGNATURE_SIZE
    verify_statement(key.verify_key, "filing-confirmation", statement, signature)
    with pytest.raises(CryptoError):
        verify_statement(key.verify_key, "export-manifest", statement, signature)
    with pytest.raises(CryptoError):
        verify_statement(key.verify_key, "filing-confirmation", statement + b"x", signature)
    with pytest.raises(CryptoError):
        verify_statement(
            SigningKey.generate().verify_key, "filing-confirmation", statement, signature
        )


def test_the_purpose_is_signed_with_a_label_not_as_plain_ed25519() -> None:
    # A signature over the bare statement (what another program might ask the
    # key to sign) is not a Vigil statement.
    key = SigningKey(RFC8032_SEED)
    rfc_signature_of_empty_message = bytes.fromhex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    assert sign_statement(key, "filing-confirmation", b"") != rfc_signature_of_empty_message
    with pytest.raises(CryptoError):
        verify_statement(key.verify_key, "filing-confirmation", b"", rfc_signature_of_empty_message)


def test_a_flipped_bit_anywhere_in_the_signature_fails() -> None:
    key = SigningKey.generate()
    signature = sign_statement(key, "filing-confirmation", b"statement")
    for index in range(0, SIGNATURE_SIZE, 7):
        damaged = bytearray(signature)
        damaged[index] ^= 0x01
        with pytest.raises(CryptoError):
            verify_statement(key.verify_key, "filing-confirmation", b"statement", bytes(damaged))


@pytest.mark.parametrize("purpose", ["", "Filing", "a b", "x" * 64, "é", "a\x00b"])
def test_purposes_are_short_lower_case_words(purpose: str) -> None:
    with pytest.raises(CryptoError):
        sign_statement(SigningKey.generate(), purpose, b"statement")


def test_the_signing_key_keeps_its_secret_and_round_trips_through_its_file() -> None:
    key = SigningKey.generate()
    text = key.to_file_text()
    assert text not in repr(key)
    assert key.verify_key.fingerprint in repr(key)
    assert SigningKey.from_file_text(text + "\n") == key
    with pytest.raises(TypeError):
        hash(key)
    with pytest.raises(AttributeError):
        key._seed = b"x"  # type: ignore[misc]
    with pytest.raises(CryptoError, match="signing key file"):
        SigningKey.from_file_text("not base64 at all")


def test_verify_keys_are_public_values() -> None:
    verify_key = SigningKey(RFC8032_SEED).verify_key
    assert VerifyKey.from_base64(verify_key.to_base64()) == verify_key
    assert len({verify_key, VerifyKey(RFC8032_PUBLIC)}) == 1
    digest = hashlib.blake2b(
        b"vigil/v1/signing-fingerprint" + RFC8032_PUBLIC, digest_size=32
    ).digest()
    assert verify_key.fingerprint.replace(" ", "") == digest[:20].hex().upper()


def test_lengths_and_types_are_checked() -> None:
    with pytest.raises(CryptoError):
        SigningKey(b"short")
    with pytest.raises(CryptoError):
        VerifyKey(b"\x00" * 31)
    key = SigningKey.generate()
    with pytest.raises(CryptoError):
        verify_statement(key.verify_key, "filing-confirmation", b"x", b"\x00" * 63)
    with pytest.raises(TypeError):
        sign_statement(PrivateKey.generate(), "filing-confirmation", b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        verify_statement(key, "filing-confirmation", b"x", b"\x00" * 64)  # type: ignore[arg-type]


def test_a_verify_key_is_never_taken_for_an_encryption_key() -> None:
    raw = bytes(SigningKey.generate().verify_key)
    assert VerifyKey(raw) != PublicKey(raw)
    assert VerifyKey(raw).fingerprint != PublicKey(raw).fingerprint
    assert repr(VerifyKey(raw)).startswith("VerifyKey(")
