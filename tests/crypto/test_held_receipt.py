"""A reporter's receipt held in their own session cookie (docs/crypto.md, "Receipt held")."""

import pytest
from hypothesis import given, settings

from crypto import CryptoError, PrivateKey, Receipt, hold_receipt, release_receipt, seal_for_session

from . import forge
from .strategies import bit_masks, flip, positions

KEY = bytes(range(32))
RECEIPT = Receipt.generate()
HELD = hold_receipt(KEY, RECEIPT)


def test_round_trip_and_layout() -> None:
    assert len(HELD) == 59
    assert release_receipt(KEY, HELD) == RECEIPT
    assert HELD[:2] == b"\x01\x22"
    assert forge.secretbox_open(KEY, HELD[2:26], HELD[26:]) == b"\x01\x22" + RECEIPT._secret


def test_each_hold_is_sealed_afresh_and_only_its_key_opens_it() -> None:
    assert hold_receipt(KEY, RECEIPT) != HELD
    with pytest.raises(CryptoError, match="held receipt: authentication failed"):
        release_receipt(bytes(32), HELD)


@settings(deadline=None)
@given(positions, bit_masks)
def test_any_flipped_byte_is_refused(position: int, bits: int) -> None:
    with pytest.raises(CryptoError):
        release_receipt(KEY, flip(HELD, position, bits))


@pytest.mark.parametrize(
    ("key", "held", "message"),
    [
        (KEY[:-1], HELD, "held receipt key"),
        (KEY, HELD[:-1], "59 bytes"),
        (KEY, b"\x01\x21" + HELD[2:], "wrong version or kind"),
        (KEY, seal_for_session(PrivateKey.generate())[1][:59], "wrong version or kind"),
        (KEY, None, "59 bytes"),
    ],
    ids=["short-key", "short-blob", "session-kind", "session-blob", "none"],
)
def test_malformed_inputs_are_refused(key: bytes, held: object, message: str) -> None:
    with pytest.raises(CryptoError, match=message):
        release_receipt(key, held)  # type: ignore[arg-type]


def test_only_a_receipt_is_held() -> None:
    with pytest.raises(TypeError):
        hold_receipt(KEY, str(RECEIPT))  # type: ignore[arg-type]
