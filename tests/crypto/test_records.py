import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import (
    MAX_RECORD_SIZE,
    RECORD_MAX_PAYLOAD,
    CryptoError,
    RecordKind,
    ReportKey,
    check_record_structure,
    open_record,
    seal_record,
)

from . import forge
from .strategies import bit_masks, flip, json_values, positions

KEY = ReportKey.generate()
RAW = KEY._raw()


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from(RecordKind))
def test_round_trip(payload: object, kind: RecordKind) -> None:
    record = seal_record(KEY, kind, payload)
    assert record[:2] == bytes((1, kind))
    assert open_record(KEY, kind, record) == payload


def test_non_ascii_and_nesting_survive() -> None:
    payload = {"city": "Zürich", "name": "Ковальчук", "mood": "🙂", "n": [1, 2.5, None, True]}
    record = seal_record(KEY, RecordKind.MESSAGE, payload)
    assert open_record(KEY, RecordKind.MESSAGE, record) == payload


def test_nonces_are_fresh() -> None:
    records = {seal_record(KEY, RecordKind.NOTE, "same") for _ in range(10)}
    assert len(records) == 10


def _string_of_encoded_length(size: int) -> str:
    """A JSON string value whose compact encoding is ``size`` bytes."""
    return "a" * (size - 2)


@pytest.mark.parametrize(
    ("payload_size", "inner_size"),
    [
        (2, 512),
        (506, 512),  # 6 + 506 = 512: fits exactly
        (507, 1024),
        (1018, 1024),
        (1019, 2048),
        (2042, 2048),
        (2043, 4096),
        (65530, 65536),
        (65531, 131072),
    ],
)
def test_padding_buckets(payload_size: int, inner_size: int) -> None:
    record = seal_record(KEY, RecordKind.NOTE, _string_of_encoded_length(payload_size))
    assert len(record) == 26 + 16 + inner_size


def test_largest_payload_is_accepted_and_one_more_byte_is_not() -> None:
    record = seal_record(KEY, RecordKind.NOTE, _string_of_encoded_length(RECORD_MAX_PAYLOAD))
    assert len(record) == MAX_RECORD_SIZE == 42 + 2**25
    assert len(open_record(KEY, RecordKind.NOTE, record)) == RECORD_MAX_PAYLOAD - 2
    with pytest.raises(CryptoError, match="too large"):
        seal_record(KEY, RecordKind.NOTE, _string_of_encoded_length(RECORD_MAX_PAYLOAD + 1))


def test_reference_implementation_agrees() -> None:
    record = seal_record(KEY, RecordKind.FINDINGS, {"a": 1})
    inner = forge.secretbox_open(RAW, record[2:26], record[26:])
    assert inner[:6] == bytes((1, 4, 0, 0, 0, 7))
    assert inner[6:13] == b'{"a":1}'
    assert inner[13:] == bytes(512 - 13)
    forged = forge.record(RAW, b'{"b":[2]}', kind=RecordKind.FINDINGS)
    assert open_record(KEY, RecordKind.FINDINGS, forged) == {"b": [2]}


RECORD = seal_record(KEY, RecordKind.MESSAGE, {"text": "hello"})


@settings(deadline=None)
@given(positions, bit_masks)
def test_any_flipped_byte_is_refused(position: int, bits: int) -> None:
    with pytest.raises(CryptoError):
        open_record(KEY, RecordKind.MESSAGE, flip(RECORD, position, bits))


def test_wrong_key_is_refused() -> None:
    with pytest.raises(CryptoError, match=r"^record: authentication failed$"):
        open_record(ReportKey.generate(), RecordKind.MESSAGE, RECORD)


def test_wrong_kind_is_refused() -> None:
    for kind in (RecordKind.BODY, RecordKind.NOTE, RecordKind.FINDINGS):
        with pytest.raises(CryptoError, match="wrong kind"):
            open_record(KEY, kind, RECORD)


def test_relabelled_kind_is_refused() -> None:
    # The outer kind is not under the box; the authenticated inner copy is what
    # catches a relabelled record, whether the server or the sender relabels it.
    relabelled = RECORD[:1] + bytes((RecordKind.NOTE,)) + RECORD[2:]
    with pytest.raises(CryptoError, match="inner version or kind"):
        open_record(KEY, RecordKind.NOTE, relabelled)
    forged = forge.record(RAW, b"{}", kind=RecordKind.NOTE, inner_kind=RecordKind.MESSAGE)
    with pytest.raises(CryptoError, match="inner version or kind"):
        open_record(KEY, RecordKind.NOTE, forged)


def test_other_versions_are_refused() -> None:
    outer = b"\x02" + RECORD[1:]
    with pytest.raises(CryptoError, match="unsupported version"):
        open_record(KEY, RecordKind.MESSAGE, outer)
    future = forge.record(RAW, b"{}", version=2)
    with pytest.raises(CryptoError, match="unsupported version"):
        open_record(KEY, RecordKind.MESSAGE, future)
    inner_only = forge.record(RAW, b"{}", inner_version=2)
    with pytest.raises(CryptoError, match="inner version or kind"):
        open_record(KEY, RecordKind.MESSAGE, inner_only)


@pytest.mark.parametrize(
    ("forged", "message"),
    [
        (forge.record(RAW, b"{}", declared=507), "payload length out of range"),
        (forge.record(RAW, b"{}", declared=2**32 - 1), "payload length out of range"),
        (forge.record(RAW, b"{}", pad=b"\x00\x01"), "non-zero padding"),
        (forge.record(RAW, b"{}", inner_size=1000), "wrong length"),
        (forge.record(RAW, b"{}", inner_size=256), "wrong length"),
        (forge.record(RAW, b"{nope}"), "not valid JSON"),
        (forge.record(RAW, b'"\xff"'), "not valid JSON"),
        (forge.record(RAW, b"NaN"), "not valid JSON"),
    ],
)
def test_forged_inner_defects_are_refused(forged: bytes, message: str) -> None:
    with pytest.raises(CryptoError, match=message):
        open_record(KEY, RecordKind.MESSAGE, forged)


def test_declared_length_up_to_the_padding_is_accepted() -> None:
    forged = forge.record(RAW, b'"' + b"x" * 504 + b'"')
    assert open_record(KEY, RecordKind.MESSAGE, forged) == "x" * 504


@pytest.mark.parametrize(
    "damaged",
    [
        b"",
        b"\x01",
        RECORD[:-1],
        RECORD[:300],
        RECORD + b"\x00",
        RECORD + bytes(len(RECORD) - 42),  # a plausible length, but appended bytes
    ],
)
def test_truncated_or_extended_records_are_refused(damaged: bytes) -> None:
    with pytest.raises(CryptoError):
        open_record(KEY, RecordKind.MESSAGE, damaged)


@pytest.mark.parametrize("kind", [0, 5, 0x10, 0x30, True, "2", None])
def test_only_record_kinds_are_accepted(kind: object) -> None:
    with pytest.raises(CryptoError, match="not a record kind"):
        seal_record(KEY, kind, {})  # type: ignore[arg-type]
    with pytest.raises(CryptoError, match="not a record kind"):
        open_record(KEY, kind, RECORD)  # type: ignore[arg-type]


def test_plain_ints_are_accepted_as_kinds() -> None:
    record = seal_record(KEY, 3, [1])  # type: ignore[arg-type]
    assert open_record(KEY, RecordKind.NOTE, record) == [1]


def test_non_json_payloads_are_refused() -> None:
    for payload in (float("nan"), {"a": b"bytes"}, "\udc00"):
        with pytest.raises(CryptoError, match="not a JSON value"):
            seal_record(KEY, RecordKind.NOTE, payload)


def test_records_are_not_bytes_like_strings() -> None:
    with pytest.raises(CryptoError):
        open_record(KEY, RecordKind.MESSAGE, bytearray(RECORD))  # type: ignore[arg-type]
    with pytest.raises(CryptoError):
        open_record(KEY, RecordKind.MESSAGE, RECORD.hex())  # type: ignore[arg-type]


def test_structure_check_without_key() -> None:
    check_record_structure(RECORD, RecordKind.MESSAGE)
    for damaged, message in [
        (RECORD[:100], "wrong length"),
        (RECORD + bytes(1), "wrong length"),
        (b"\x02" + RECORD[1:], "unsupported version"),
        (RECORD[:1] + b"\x03" + RECORD[2:], "wrong kind"),
        (b"\x01", "too short"),
    ]:
        with pytest.raises(CryptoError, match=message):
            check_record_structure(damaged, RecordKind.MESSAGE)


def test_error_messages_reveal_no_secret() -> None:
    payload = "the secret plaintext"
    record = forge.record(RAW, json.dumps(payload).encode(), inner_kind=3)
    with pytest.raises(CryptoError) as caught:
        open_record(KEY, RecordKind.MESSAGE, record)
    text = str(caught.value) + repr(caught.value)
    assert payload not in text
    assert RAW.hex() not in text
    assert caught.value.__cause__ is None
