import hashlib
import re
import time
from unittest import mock

import nacl.pwhash.argon2id as argon2id
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import (
    LOCKED_KEY_SIZE,
    CryptoError,
    PasswordCost,
    PrivateKey,
    b64encode,
    change_key_password,
    decode_intake_key_file,
    decoy_password_hash,
    encode_intake_key_file,
    hash_password,
    lock_private_key,
    locked_key_cost,
    password_hash_cost,
    unlock_private_key,
    verify_password,
)

from . import forge
from .strategies import bit_masks, flip, positions

FAST = PasswordCost.MIN
KEY = PrivateKey.generate()
PASSWORD = "correct horse, Zürich 🙂"
BLOB = lock_private_key(KEY, PASSWORD, FAST)
FAILED = r"^wrong password or damaged key$"


def test_lock_and_unlock() -> None:
    assert len(BLOB) == LOCKED_KEY_SIZE == 104
    assert unlock_private_key(BLOB, PASSWORD) == KEY
    assert lock_private_key(KEY, PASSWORD, FAST) != BLOB  # fresh salt and nonce


def test_layout_matches_the_spec() -> None:
    assert BLOB[:2] == b"\x01\x20"
    assert int.from_bytes(BLOB[2:6], "big") == 1
    assert int.from_bytes(BLOB[6:14], "big") == 8192
    salt, nonce = BLOB[14:30], BLOB[30:54]
    lock = argon2id.kdf(32, PASSWORD.encode(), salt, opslimit=1, memlimit=8192)
    assert forge.secretbox_open(lock, nonce, BLOB[54:]) == b"\x01\x20" + KEY._raw()


def test_wrong_password_is_refused() -> None:
    for password in ("", "wrong", PASSWORD.upper(), PASSWORD + " "):
        with pytest.raises(CryptoError, match=FAILED):
            unlock_private_key(BLOB, password)


def _fast_kdf(password: bytes, salt: bytes, ops: int, mem: int) -> bytes:
    """Stands in for Argon2id: a flipped cost field may stay in range (up to 1 GiB)."""
    return hashlib.blake2b(
        password + salt + ops.to_bytes(4, "big") + mem.to_bytes(8, "big"), digest_size=32
    ).digest()


@settings(max_examples=300, deadline=None)
@given(positions, bit_masks)
def test_any_flipped_byte_is_refused_like_a_wrong_password(position: int, bits: int) -> None:
    with mock.patch("crypto._nacl.argon2id_key", _fast_kdf):
        blob = lock_private_key(KEY, PASSWORD, FAST)
        assert unlock_private_key(blob, PASSWORD) == KEY
        with pytest.raises(CryptoError, match=FAILED):
            unlock_private_key(flip(blob, position, bits), PASSWORD)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=14, max_value=103), bit_masks)
def test_flipped_salt_nonce_or_box_is_refused_with_real_argon2(position: int, bits: int) -> None:
    with pytest.raises(CryptoError, match=FAILED):
        unlock_private_key(flip(BLOB, position, bits), PASSWORD)


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        BLOB[:-1],
        BLOB + b"\x00",
        b"\x02" + BLOB[1:],
        BLOB[:1] + b"\x21" + BLOB[2:],
        BLOB[:2] + (0).to_bytes(4, "big") + BLOB[6:],
        BLOB[:2] + (9).to_bytes(4, "big") + BLOB[6:],
        BLOB[:2] + (2**32 - 1).to_bytes(4, "big") + BLOB[6:],
        BLOB[:6] + (8191).to_bytes(8, "big") + BLOB[14:],
        BLOB[:6] + (8193).to_bytes(8, "big") + BLOB[14:],
        BLOB[:6] + (2**63).to_bytes(8, "big") + BLOB[14:],
        BLOB[:6] + (1024**3 + 1024).to_bytes(8, "big") + BLOB[14:],
    ],
)
def test_malformed_blobs_fail_the_same_way_without_running_argon2(blob: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(CryptoError, match=FAILED):
        unlock_private_key(blob, PASSWORD)
    assert time.perf_counter() - started < 0.5


def test_inner_header_is_checked() -> None:
    salt, nonce = bytes(16), bytes(24)
    lock = argon2id.kdf(32, b"pw", salt, opslimit=1, memlimit=8192)
    prefix = b"\x01\x20" + (1).to_bytes(4, "big") + (8192).to_bytes(8, "big") + salt + nonce
    good = prefix + forge.secretbox(lock, nonce, b"\x01\x20" + KEY._raw())
    assert unlock_private_key(good, "pw") == KEY
    for inner in (b"\x01\x21" + KEY._raw(), b"\x02\x20" + KEY._raw()):
        with pytest.raises(CryptoError, match=FAILED):
            unlock_private_key(prefix + forge.secretbox(lock, nonce, inner), "pw")


def test_change_password() -> None:
    changed = change_key_password(BLOB, PASSWORD, "new password", FAST)
    assert changed[14:54] != BLOB[14:54]
    assert unlock_private_key(changed, "new password") == KEY
    with pytest.raises(CryptoError, match=FAILED):
        unlock_private_key(changed, PASSWORD)
    with pytest.raises(CryptoError, match=FAILED):
        change_key_password(BLOB, "not the old one", "new password", FAST)
    with pytest.raises(CryptoError, match="must not be empty"):
        change_key_password(BLOB, PASSWORD, "", FAST)


def test_cost_travels_with_the_blob() -> None:
    stronger = PasswordCost(ops=2, mem=16 * 1024)
    blob = change_key_password(BLOB, PASSWORD, PASSWORD, stronger)
    assert int.from_bytes(blob[2:6], "big") == 2
    assert int.from_bytes(blob[6:14], "big") == 16 * 1024
    assert unlock_private_key(blob, PASSWORD) == KEY


def test_real_cost_parameters() -> None:
    # The one slow test: production's MODERATE cost (about a second, 256 MiB).
    assert (PasswordCost.MODERATE.ops, PasswordCost.MODERATE.mem) == (
        argon2id.OPSLIMIT_MODERATE,
        argon2id.MEMLIMIT_MODERATE,
    )
    assert (PasswordCost.INTERACTIVE.ops, PasswordCost.INTERACTIVE.mem) == (
        argon2id.OPSLIMIT_INTERACTIVE,
        argon2id.MEMLIMIT_INTERACTIVE,
    )
    assert (PasswordCost.MIN.ops, PasswordCost.MIN.mem) == (
        argon2id.OPSLIMIT_MIN,
        argon2id.MEMLIMIT_MIN,
    )
    blob = lock_private_key(KEY, PASSWORD, PasswordCost.MODERATE)
    assert unlock_private_key(blob, PASSWORD) == KEY


@pytest.mark.parametrize(
    ("ops", "mem"),
    [
        (0, 8192),
        (9, 8192),
        (1, 8191),
        (1, 9000),
        (1, 1024**3 + 1024),
        (True, 8192),
        (1, 8192.0),
    ],
)
def test_cost_ranges_are_validated(ops: object, mem: object) -> None:
    with pytest.raises(CryptoError, match="password cost"):
        PasswordCost(ops=ops, mem=mem)  # type: ignore[arg-type]


def test_cost_bounds_are_inclusive() -> None:
    assert PasswordCost(ops=1, mem=8 * 1024) == PasswordCost.MIN
    assert PasswordCost(ops=8, mem=1024**3).mem == argon2id.MEMLIMIT_SENSITIVE


def test_bad_passwords_are_refused() -> None:
    with pytest.raises(CryptoError, match="must not be empty"):
        lock_private_key(KEY, "", FAST)
    with pytest.raises(CryptoError, match="not valid Unicode"):
        lock_private_key(KEY, "\ud800", FAST)
    with pytest.raises(CryptoError, match="must be a string"):
        lock_private_key(KEY, b"pw", FAST)  # type: ignore[arg-type]
    with pytest.raises(CryptoError, match=FAILED):
        unlock_private_key(BLOB, "\udc00")


def test_intake_key_file_round_trip() -> None:
    text = encode_intake_key_file(BLOB)
    assert text == f"vigil intake private key v1\n{b64encode(BLOB)}\n"
    assert decode_intake_key_file(text) == BLOB
    assert decode_intake_key_file(text.replace("\n", "\r\n")) == BLOB
    assert decode_intake_key_file(text.rstrip("\n")) == BLOB
    assert decode_intake_key_file("\n" + text + "\n\n") == BLOB


@pytest.mark.parametrize(
    "text",
    [
        "",
        "vigil intake private key v1\n",
        f"vigil intake private key v2\n{b64encode(BLOB)}\n",
        f"{b64encode(BLOB)}\n",
        f"vigil intake private key v1\n{b64encode(BLOB)}\nextra\n",
        f"vigil intake private key v1\n{b64encode(BLOB)[:-4]}\n",
        f"vigil intake private key v1\n{b64encode(BLOB[:-1])}\n",
        f"vigil intake private key v1\n{b64encode(b'x' + BLOB[1:])}\n",
        f"vigil intake private key v1\n{b64encode(BLOB)[:60]}\n{b64encode(BLOB)[60:]}\n",
    ],
)
def test_malformed_intake_key_files_are_refused(text: str) -> None:
    with pytest.raises(CryptoError):
        decode_intake_key_file(text)


def test_encode_intake_key_file_checks_the_blob() -> None:
    with pytest.raises(CryptoError):
        encode_intake_key_file(BLOB[:-1])


def test_password_hash_round_trip() -> None:
    password_hash = hash_password(PASSWORD, FAST)
    assert re.fullmatch(
        r"\$argon2id\$v=19\$m=8,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}", password_hash
    )
    assert verify_password(password_hash, PASSWORD)
    assert not verify_password(password_hash, PASSWORD + "x")
    assert not verify_password(password_hash, "")
    assert hash_password(PASSWORD, FAST) != password_hash


def test_password_hash_from_libsodium_defaults_verifies() -> None:
    password_hash = argon2id.str(b"pw", opslimit=1, memlimit=8192).decode()
    assert verify_password(password_hash, "pw")


@pytest.mark.parametrize(
    "password_hash",
    [
        "",
        "pw",
        None,
        "$argon2i$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43,
        "$argon2id$v=19$m=8,t=1,p=2$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43,
        "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 42,
        "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43 + "\n",
    ],
)
def test_malformed_password_hashes_are_refused(password_hash: object) -> None:
    with pytest.raises(CryptoError, match="password hash: malformed"):
        verify_password(password_hash, "pw")  # type: ignore[arg-type]


@pytest.mark.parametrize("params", ["m=4,t=1", "m=8,t=9", "m=99999999999,t=1"])
def test_password_hashes_with_absurd_cost_are_refused(params: str) -> None:
    with pytest.raises(CryptoError, match="cost out of range"):
        verify_password(f"$argon2id$v=19${params},p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43, "pw")


def test_empty_password_hash_is_refused() -> None:
    with pytest.raises(CryptoError, match="must not be empty"):
        hash_password("", FAST)


def test_the_cost_of_a_hash_and_of_a_locked_key_is_read_back() -> None:
    other = PasswordCost(ops=2, mem=16 * 1024)
    assert password_hash_cost(hash_password(PASSWORD, FAST)) == FAST
    assert password_hash_cost(hash_password(PASSWORD, other)) == other
    assert locked_key_cost(BLOB) == FAST
    assert locked_key_cost(lock_private_key(KEY, PASSWORD, other)) == other
    with pytest.raises(CryptoError, match="cost out of range"):
        password_hash_cost("$argon2id$v=19$m=4,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43)
    with pytest.raises(CryptoError, match=FAILED):
        locked_key_cost(BLOB[:-1])


def test_a_decoy_hash_has_the_cost_and_matches_no_password() -> None:
    other = PasswordCost(ops=2, mem=16 * 1024)
    decoy = decoy_password_hash(other)
    assert password_hash_cost(decoy) == other
    assert decoy != decoy_password_hash(other)
    assert not verify_password(decoy, PASSWORD)
    assert not verify_password(decoy, "")
