import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import CryptoError, PrivateKey, Receipt, lookup_hash

from . import forge

RECEIPT_FORMAT = r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}"


@settings(deadline=None)
@given(st.binary(min_size=15, max_size=15))
def test_receipt_text_is_crockford_base32(secret: bytes) -> None:
    receipt = Receipt(secret)
    text = str(receipt)
    assert re.fullmatch(RECEIPT_FORMAT, text)
    assert text.replace("-", "") == forge.crockford(secret)
    assert Receipt.parse(text) == receipt


def test_generated_receipts_differ() -> None:
    texts = {str(Receipt.generate()) for _ in range(50)}
    assert len(texts) == 50
    assert all(re.fullmatch(RECEIPT_FORMAT, text) for text in texts)


def test_repr_hides_the_receipt() -> None:
    receipt = Receipt.generate()
    assert str(receipt) not in repr(receipt)
    assert str(receipt).replace("-", "") not in repr(receipt)
    with pytest.raises(TypeError):
        hash(receipt)


def test_parse_normalises() -> None:
    receipt = Receipt(bytes(range(15)))
    text = str(receipt)
    variants = [
        text.lower(),
        text.replace("-", ""),
        text.replace("-", " "),
        " - ".join(text.split("-")) + "  ",
        "  " + text.lower().replace("-", "   "),
    ]
    for variant in variants:
        assert Receipt.parse(variant) == receipt


def test_parse_reads_look_alikes() -> None:
    zero_one = Receipt.parse("0000-0000-0000-0000-0000-0001")
    assert Receipt.parse("OOOO-oooo-0000-0000-0000-000I") == zero_one
    assert Receipt.parse("0000-0000-0000-0000-0000-000i") == zero_one
    assert Receipt.parse("0000-0000-0000-0000-0000-000L") == zero_one
    assert Receipt.parse("0000-0000-0000-0000-0000-000l") == zero_one


@pytest.mark.parametrize(
    "text",
    [
        "",
        "----",
        "0000-0000-0000-0000-0000-000",  # 23 characters
        "0000-0000-0000-0000-0000-00000",  # 25 characters
        "0000-0000-0000-0000-0000-000U",  # U is not in the alphabet
        "0000-0000-0000-0000-0000-000!",
        "0000_0000_0000_0000_0000_0000",
        "0000-0000-0000-0000-0000-000\u0131",  # dotless i upper-cases to I
        "0000-0000-0000-0000-0000-000\u017f",  # long s upper-cases to S
        "0000-0000-0000-0000-0000-000\uff11",  # full-width digit one
        "0000\t0000-0000-0000-0000-0000",
        "0000-0000-0000-0000-0000-0000\n",
    ],
)
def test_parse_refuses_malformed(text: str) -> None:
    with pytest.raises(CryptoError, match=r"^malformed receipt$"):
        Receipt.parse(text)


def test_parse_refuses_non_strings() -> None:
    with pytest.raises(CryptoError, match="malformed receipt"):
        Receipt.parse(b"0000-0000-0000-0000-0000-0000")  # type: ignore[arg-type]


def test_receipt_secret_length_is_checked() -> None:
    with pytest.raises(CryptoError):
        Receipt(bytes(16))


@settings(deadline=None)
@given(st.binary(min_size=15, max_size=15))
def test_derivations_follow_the_spec(secret: bytes) -> None:
    receipt = Receipt(secret)
    key = receipt.reporter_private_key()
    token = receipt.lookup_token()
    assert key._raw() == forge.blake2b(b"vigil/v1/reporter-key", key=secret)
    assert key == PrivateKey(key._raw())
    assert token == forge.blake2b(b"vigil/v1/lookup-token", key=secret)
    assert lookup_hash(token) == forge.blake2b(b"vigil/v1/lookup-hash" + token)


def test_derivations_are_deterministic_and_distinct() -> None:
    first, second = Receipt.generate(), Receipt.generate()
    again = Receipt.parse(str(first))
    assert again.reporter_private_key() == first.reporter_private_key()
    assert again.lookup_token() == first.lookup_token()
    values = [
        first.reporter_private_key()._raw(),
        first.lookup_token(),
        lookup_hash(first.lookup_token()),
        second.reporter_private_key()._raw(),
        second.lookup_token(),
    ]
    assert all(len(value) == 32 for value in values)
    assert len(set(values)) == len(values)
    assert first.reporter_private_key().public_key != second.reporter_private_key().public_key


@pytest.mark.parametrize("token", [b"", bytes(31), bytes(33), "x" * 32, None])
def test_lookup_hash_needs_a_32_byte_token(token: object) -> None:
    with pytest.raises(CryptoError, match="lookup token"):
        lookup_hash(token)  # type: ignore[arg-type]
