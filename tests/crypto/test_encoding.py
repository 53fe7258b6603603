import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import CryptoError, b64decode, b64encode
from crypto.encoding import decode_json, encode_json


@settings(deadline=None)
@given(st.binary(max_size=200))
def test_base64_round_trip(data: bytes) -> None:
    text = b64encode(data)
    assert b64decode(text) == data
    assert len(text) % 4 == 0


@pytest.mark.parametrize(
    "text",
    [
        "QQ",  # missing padding
        "QQ=",  # short padding
        "QQ===",  # extra padding
        "QR==",  # non-zero trailing bits: not the canonical encoding of b"A"
        "QQ==\n",
        " QQ==",
        "Q Q==",
        "-_8=",  # URL-safe alphabet
        "QQ==QQ==",
        "Zü==",
        "=",
    ],
)
def test_base64_refuses_non_canonical(text: str) -> None:
    with pytest.raises(CryptoError, match="base64"):
        b64decode(text)


@pytest.mark.parametrize("value", [b"QQ==", None, 1])
def test_base64_refuses_non_strings(value: object) -> None:
    with pytest.raises(CryptoError, match="base64"):
        b64decode(value)  # type: ignore[arg-type]


def test_json_is_compact_utf8() -> None:
    assert encode_json({"a": ["Zürich", 1]}, "x") == '{"a":["Zürich",1]}'.encode()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {1, 2}, b"x", "\ud800", object()])
def test_json_encode_refuses_non_json(value: object) -> None:
    with pytest.raises(CryptoError, match="not a JSON value"):
        encode_json(value, "payload")


def test_json_encode_refuses_circular() -> None:
    value: list[object] = []
    value.append(value)
    with pytest.raises(CryptoError):
        encode_json(value, "payload")


@pytest.mark.parametrize(
    "data",
    [
        b"NaN",
        b"[Infinity]",
        b"-Infinity",
        b"1e400",
        b'"\\ud800"',
        b'{"\\udc00": 1}',
        b"\xef\xbb\xbf{}",  # UTF-8 BOM
        b'"\xff"',
        b'"\xed\xa0\x80"',  # an encoded surrogate
        b"",
        b"{",
        b"1" * 5000,  # beyond Python's int-string conversion limit
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_json_decode_refuses_what_a_browser_would_not_read_the_same(data: bytes) -> None:
    with pytest.raises(CryptoError, match="not valid JSON"):
        decode_json(data, "payload")


def test_json_decode_accepts_escaped_surrogate_pairs() -> None:
    assert decode_json(b'"\\ud83d\\ude00 \\\\ud800"', "x") == "\U0001f600 \\ud800"
