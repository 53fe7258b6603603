import copy
import json

import pytest
from hypothesis import given, settings

from crypto import (
    WRAP_SIZE,
    CryptoError,
    PrivateKey,
    PublicKey,
    Receipt,
    RecordKind,
    ReportEnvelope,
    ReportKey,
    b64encode,
    open_record,
    open_report,
    seal_record,
    seal_report,
    unwrap_report_key,
    wrap_report_key,
)

from . import forge
from .strategies import bit_masks, flip, json_objects, positions

INTAKE = PrivateKey.generate()
RECEIPT = Receipt.generate()
REPORTER = RECEIPT.reporter_private_key()
KEY = ReportKey.generate()
WRAP = wrap_report_key(KEY, INTAKE.public_key)


def test_wrap_round_trip() -> None:
    assert len(WRAP) == WRAP_SIZE == 82
    assert unwrap_report_key(WRAP, INTAKE) == KEY
    assert wrap_report_key(KEY, INTAKE.public_key) != WRAP  # fresh ephemeral key


def test_wrap_matches_the_spec() -> None:
    inner = forge.bindings.crypto_box_seal_open(WRAP, bytes(INTAKE.public_key), INTAKE._raw())
    assert inner == b"\x01\x30" + KEY._raw()


def test_wrap_with_the_wrong_key_is_refused() -> None:
    with pytest.raises(CryptoError, match=r"^wrap: authentication failed$"):
        unwrap_report_key(WRAP, REPORTER)


@settings(deadline=None)
@given(positions, bit_masks)
def test_any_flipped_byte_in_a_wrap_is_refused(position: int, bits: int) -> None:
    with pytest.raises(CryptoError):
        unwrap_report_key(flip(WRAP, position, bits), INTAKE)


@pytest.mark.parametrize(
    ("inner", "message"),
    [
        (b"\x02\x30" + bytes(32), "unsupported version"),
        (b"\x01\x31" + bytes(32), "wrong kind"),
        (b"\x01\x02" + bytes(32), "wrong kind"),
    ],
)
def test_forged_wraps_are_refused(inner: bytes, message: str) -> None:
    with pytest.raises(CryptoError, match=message):
        unwrap_report_key(forge.wrap(bytes(INTAKE.public_key), inner), INTAKE)


@pytest.mark.parametrize(
    "wrap",
    [b"", WRAP[:-1], WRAP + b"\x00", bytes(82 + 48)],
    ids=["empty", "one-byte-short", "one-byte-long", "zeros-of-another-length"],
)
def test_wraps_of_the_wrong_length_are_refused(wrap: bytes) -> None:
    with pytest.raises(CryptoError, match="wrap: must be 82 bytes"):
        unwrap_report_key(wrap, INTAKE)


def test_wrapping_to_a_low_order_key_is_refused() -> None:
    with pytest.raises(CryptoError, match="not usable"):
        wrap_report_key(KEY, PublicKey(bytes(32)))


@settings(max_examples=50, deadline=None)
@given(json_objects)
def test_report_round_trip(body: dict[str, object]) -> None:
    key, envelope = seal_report(body, INTAKE.public_key, REPORTER.public_key)
    parsed = ReportEnvelope.from_json(json.loads(json.dumps(envelope.to_json())))
    assert parsed == envelope
    for holder, role in ((INTAKE, "intake"), (REPORTER, "reporter")):
        opened_key, opened_body = open_report(parsed, holder, as_holder=role)  # type: ignore[arg-type]
        assert opened_key == key
        assert opened_body == body


def test_envelope_json_shape() -> None:
    key, envelope = seal_report({"city": "Zürich"}, INTAKE.public_key, REPORTER.public_key)
    data = envelope.to_json()
    assert data == {
        "v": 1,
        "body": b64encode(envelope.body),
        "wraps": {
            "intake": b64encode(envelope.intake_wrap),
            "reporter": b64encode(envelope.reporter_wrap),
        },
    }
    assert open_record(key, RecordKind.BODY, envelope.body) == {"city": "Zürich"}
    assert "Zürich" not in repr(envelope)


def _valid_json() -> dict[str, object]:
    return seal_report({"a": 1}, INTAKE.public_key, REPORTER.public_key)[1].to_json()


def _with(path: tuple[str, ...], value: object) -> dict[str, object]:
    data = copy.deepcopy(_valid_json())
    target: dict[str, object] = data
    for name in path[:-1]:
        target = target[name]  # type: ignore[assignment]
    target[path[-1]] = value
    return data


def _without(path: tuple[str, ...]) -> dict[str, object]:
    data = copy.deepcopy(_valid_json())
    target: dict[str, object] = data
    for name in path[:-1]:
        target = target[name]  # type: ignore[assignment]
    del target[path[-1]]
    return data


MESSAGE_RECORD = b64encode(seal_record(KEY, RecordKind.MESSAGE, {}))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "exactly v, body and wraps"),
        ([], "exactly v, body and wraps"),
        ("{}", "exactly v, body and wraps"),
        (_with(("extra",), 1), "exactly v, body and wraps"),
        (_without(("v",)), "exactly v, body and wraps"),
        (_with(("v",), 2), "unsupported version"),
        (_with(("v",), True), "v must be an integer"),
        (_with(("v",), 1.0), "v must be an integer"),
        (_with(("v",), "1"), "v must be an integer"),
        (_with(("wraps",), []), "exactly intake and reporter"),
        (_with(("wraps", "investigator"), b64encode(WRAP)), "exactly intake and reporter"),
        (_without(("wraps", "reporter")), "exactly intake and reporter"),
        (_with(("body",), "not base64!"), "base64"),
        (_with(("body",), 12), "base64"),
        (_with(("body",), MESSAGE_RECORD), "wrong kind"),
        (_with(("body",), b64encode(bytes(600))), "unsupported version"),
        (_with(("body",), b64encode(b"\x01\x01" + bytes(600))), "wrong length"),
        (_with(("wraps", "intake"), b64encode(WRAP[:-1])), "wrap must be 82 bytes"),
        (_with(("wraps", "reporter"), b64encode(WRAP + WRAP)), "wrap must be 82 bytes"),
        (_with(("wraps", "reporter"), None), "base64"),
    ],
)
def test_from_json_is_strict(data: object, message: str) -> None:
    with pytest.raises(CryptoError, match=message):
        ReportEnvelope.from_json(data)


def test_open_report_as_the_wrong_holder_fails() -> None:
    _, envelope = seal_report({"a": 1}, INTAKE.public_key, REPORTER.public_key)
    with pytest.raises(CryptoError, match="wrap: authentication failed"):
        open_report(envelope, INTAKE, as_holder="reporter")
    with pytest.raises(CryptoError, match="wrap: authentication failed"):
        open_report(envelope, REPORTER, as_holder="intake")
    with pytest.raises(CryptoError, match="as_holder"):
        open_report(envelope, INTAKE, as_holder="investigator")  # type: ignore[arg-type]


def test_swapped_body_is_refused() -> None:
    _, first = seal_report({"a": 1}, INTAKE.public_key, REPORTER.public_key)
    _, second = seal_report({"a": 2}, INTAKE.public_key, REPORTER.public_key)
    mixed = ReportEnvelope(
        body=second.body, intake_wrap=first.intake_wrap, reporter_wrap=first.reporter_wrap
    )
    with pytest.raises(CryptoError, match="record: authentication failed"):
        open_report(mixed, INTAKE, as_holder="intake")


def test_body_must_be_an_object() -> None:
    envelope = ReportEnvelope(
        body=seal_record(KEY, RecordKind.BODY, ["not", "an", "object"]),
        intake_wrap=WRAP,
        reporter_wrap=wrap_report_key(KEY, REPORTER.public_key),
    )
    with pytest.raises(CryptoError, match="not a JSON object"):
        open_report(envelope, INTAKE, as_holder="intake")
    for body in (["a"], {1: "a"}, "text"):
        with pytest.raises(CryptoError, match="must be a JSON object"):
            seal_report(body, INTAKE.public_key, REPORTER.public_key)  # type: ignore[arg-type]


def test_direct_construction_is_validated() -> None:
    with pytest.raises(CryptoError):
        ReportEnvelope(body=b"x", intake_wrap=WRAP, reporter_wrap=WRAP)
    with pytest.raises(CryptoError):
        ReportEnvelope(
            body=seal_record(KEY, RecordKind.BODY, {}), intake_wrap=WRAP, reporter_wrap=b""
        )
