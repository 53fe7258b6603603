import pytest
from hypothesis import given, settings

from crypto import CryptoError, PrivateKey, open_for_session, seal_for_session

from . import forge
from .strategies import bit_masks, flip, positions

KEY = PrivateKey.generate()
SECRET, BLOB = seal_for_session(KEY)


def test_round_trip() -> None:
    assert len(SECRET) == 32
    assert len(BLOB) == 76
    assert open_for_session(SECRET, BLOB) == KEY


def test_layout_matches_the_spec() -> None:
    assert BLOB[:2] == b"\x01\x21"
    assert forge.secretbox_open(SECRET, BLOB[2:26], BLOB[26:]) == b"\x01\x21" + KEY._raw()


def test_each_session_gets_its_own_secret() -> None:
    secret, blob = seal_for_session(KEY)
    assert secret != SECRET
    assert blob != BLOB
    with pytest.raises(CryptoError, match="session key: authentication failed"):
        open_for_session(secret, BLOB)


@settings(deadline=None)
@given(positions, bit_masks)
def test_any_flipped_byte_is_refused(position: int, bits: int) -> None:
    with pytest.raises(CryptoError):
        open_for_session(SECRET, flip(BLOB, position, bits))
    with pytest.raises(CryptoError):
        open_for_session(flip(SECRET, position, bits), BLOB)


@pytest.mark.parametrize(
    ("secret", "blob", "message"),
    [
        (SECRET[:-1], BLOB, "session secret"),
        (None, BLOB, "session secret"),
        (SECRET, BLOB[:-1], "76 bytes"),
        (SECRET, b"\x02" + BLOB[1:], "unsupported version"),
        (SECRET, BLOB[:1] + b"\x20" + BLOB[2:], "wrong kind"),
    ],
    ids=["short-secret", "no-secret", "short-blob", "wrong-version", "wrong-kind"],
)
def test_malformed_inputs_are_refused(secret: object, blob: bytes, message: str) -> None:
    with pytest.raises(CryptoError, match=message):
        open_for_session(secret, blob)  # type: ignore[arg-type]


def test_inner_header_is_checked() -> None:
    nonce = bytes(24)
    blob = b"\x01\x21" + nonce + forge.secretbox(SECRET, nonce, b"\x01\x20" + KEY._raw())
    with pytest.raises(CryptoError, match="inner version or kind"):
        open_for_session(SECRET, blob)
