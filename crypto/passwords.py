"""Password-based protection: locked private keys, the intake key file, console passwords.

``locked_key = VERSION ‖ LOCKED_KEY ‖ u32(ops) ‖ u64(mem) ‖ salt(16) ‖ nonce(24)
‖ secretbox(K, nonce, VERSION ‖ LOCKED_KEY ‖ sk)`` with
``K = Argon2id(password, salt, ops, mem)``: 104 bytes.

The cost parameters travel with the blob so that raising them for new keys
never breaks old ones. They are read before anything is authenticated, so they
are range-checked before Argon2id runs: a tampered blob must not be able to
make the server spin for hours or allocate terabytes. A wrong password and a
tampered blob fail with the same message, because telling them apart would
tell an attacker which guess produced a structurally valid result.
"""

import re
from dataclasses import dataclass
from typing import ClassVar, Final

from crypto import _nacl
from crypto._constants import (
    KEY_SIZE,
    KIND_LOCKED_KEY,
    NONCE_SIZE,
    TAG_SIZE,
    VERSION,
    read_uint,
    u32,
    u64,
)
from crypto.encoding import b64decode, b64encode
from crypto.errors import CryptoError
from crypto.keys import PrivateKey, require_type

OPS_MIN: Final = 1
OPS_MAX: Final = 8
MEM_MIN: Final = 8 * 1024
MEM_MAX: Final = 1024**3  # libsodium MEMLIMIT_SENSITIVE: 4x production
_KIB: Final = 1024

_SALT_SIZE: Final = _nacl.ARGON2ID_SALT_SIZE
_LOCKED_HEADER: Final = bytes((VERSION, KIND_LOCKED_KEY))
_LOCKED_PREFIX_SIZE: Final = 2 + 4 + 8 + _SALT_SIZE + NONCE_SIZE
LOCKED_KEY_SIZE: Final = _LOCKED_PREFIX_SIZE + 2 + KEY_SIZE + TAG_SIZE  # 104
_UNLOCK_FAILED: Final = "wrong password or damaged key"

INTAKE_KEY_FILE_HEADER: Final = "vigil intake private key v1"

# libsodium's crypto_pwhash_str format for Argon2id with a 16-byte salt and a
# 32-byte hash, in unpadded standard base64 (22 and 43 characters).
_PWHASH_STR = re.compile(
    r"\$argon2id\$v=19\$m=([1-9][0-9]{0,12}),t=([1-9][0-9]{0,9}),p=1"
    r"\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}"
)


def _cost_ok(ops: int, mem: int) -> bool:
    # mem must be whole KiB: libsodium silently rounds it down and the
    # crypt-style hash string records it in KiB, so anything else is ambiguous.
    return OPS_MIN <= ops <= OPS_MAX and MEM_MIN <= mem <= MEM_MAX and mem % _KIB == 0


@dataclass(frozen=True)
class PasswordCost:
    """Argon2id cost: ``ops`` iterations over ``mem`` bytes of memory.

    ``MODERATE`` is for production, ``INTERACTIVE`` where sign-in must be
    quick, ``MIN`` for tests only (it offers no protection).
    """

    ops: int
    mem: int

    MODERATE: ClassVar["PasswordCost"]
    INTERACTIVE: ClassVar["PasswordCost"]
    MIN: ClassVar["PasswordCost"]

    def __post_init__(self) -> None:
        if type(self.ops) is not int or type(self.mem) is not int:
            raise CryptoError("password cost: ops and mem must be integers")
        if not _cost_ok(self.ops, self.mem):
            raise CryptoError(
                f"password cost: ops must be {OPS_MIN}-{OPS_MAX} and mem a multiple of "
                f"{_KIB} from {MEM_MIN} to {MEM_MAX}"
            )


PasswordCost.MODERATE = PasswordCost(ops=3, mem=256 * 1024 * 1024)
PasswordCost.INTERACTIVE = PasswordCost(ops=2, mem=64 * 1024 * 1024)
PasswordCost.MIN = PasswordCost(ops=1, mem=8 * 1024)


def _password_bytes(password: str, *, new: bool) -> bytes:
    if not isinstance(password, str):
        raise CryptoError("password: must be a string")
    if new and not password:
        raise CryptoError("password: must not be empty")
    try:
        return password.encode("utf-8")
    except UnicodeEncodeError:
        raise CryptoError("password: not valid Unicode text") from None


def _require_cost(cost: PasswordCost) -> None:
    require_type(cost, PasswordCost, "cost")


def lock_private_key(key: PrivateKey, password: str, cost: PasswordCost) -> bytes:
    """Lock ``key`` under ``password`` (104-byte blob); empty passwords are refused."""
    require_type(key, PrivateKey, "key")
    _require_cost(cost)
    secret = _password_bytes(password, new=True)
    salt = _nacl.random_bytes(_SALT_SIZE)
    nonce = _nacl.random_bytes(NONCE_SIZE)
    lock = _nacl.argon2id_key(secret, salt, cost.ops, cost.mem)
    return (
        _LOCKED_HEADER
        + u32(cost.ops)
        + u64(cost.mem)
        + salt
        + nonce
        + _nacl.secretbox(lock, nonce, _LOCKED_HEADER + key._raw())
    )


def _check_locked_shape(blob: bytes) -> None:
    if not isinstance(blob, bytes) or len(blob) != LOCKED_KEY_SIZE or blob[:2] != _LOCKED_HEADER:
        raise CryptoError(_UNLOCK_FAILED)


def unlock_private_key(blob: bytes, password: str) -> PrivateKey:
    """Unlock a locked key; every failure is ``CryptoError("wrong password or damaged key")``."""
    _check_locked_shape(blob)
    try:
        secret = _password_bytes(password, new=False)
    except CryptoError:
        raise CryptoError(_UNLOCK_FAILED) from None
    ops = read_uint(blob[2:6])
    mem = read_uint(blob[6:14])
    if not _cost_ok(ops, mem):
        raise CryptoError(_UNLOCK_FAILED)
    salt = blob[14 : 14 + _SALT_SIZE]
    nonce = blob[14 + _SALT_SIZE : _LOCKED_PREFIX_SIZE]
    lock = _nacl.argon2id_key(secret, salt, ops, mem)
    try:
        inner = _nacl.secretbox_open(lock, nonce, blob[_LOCKED_PREFIX_SIZE:], "locked key")
    except CryptoError:
        raise CryptoError(_UNLOCK_FAILED) from None
    if inner[:2] != _LOCKED_HEADER:
        raise CryptoError(_UNLOCK_FAILED)
    return PrivateKey(inner[2:])


def change_key_password(blob: bytes, old: str, new: str, cost: PasswordCost) -> bytes:
    """Re-lock the same private key under ``new`` with a fresh salt and nonce."""
    return lock_private_key(unlock_private_key(blob, old), new, cost)


def encode_intake_key_file(blob: bytes) -> str:
    """The intake key file: the header line, then the locked key in base64, each ending in LF."""
    _check_locked_shape(blob)
    return f"{INTAKE_KEY_FILE_HEADER}\n{b64encode(blob)}\n"


def decode_intake_key_file(text: str) -> bytes:
    """The locked key from an intake key file (LF or CRLF line ends, surrounding blanks ignored)."""
    if not isinstance(text, str):
        raise CryptoError("intake key file: must be text")
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) != 2 or lines[0] != INTAKE_KEY_FILE_HEADER:
        raise CryptoError(f"intake key file: expected {INTAKE_KEY_FILE_HEADER!r} and one line")
    blob = b64decode(lines[1])
    if len(blob) != LOCKED_KEY_SIZE or blob[:2] != _LOCKED_HEADER:
        raise CryptoError("intake key file: not a v1 locked key")
    return blob


def hash_password(password: str, cost: PasswordCost) -> str:
    """A libsodium ``crypto_pwhash_str`` Argon2id hash; empty passwords are refused."""
    _require_cost(cost)
    return _nacl.argon2id_str(_password_bytes(password, new=True), cost.ops, cost.mem)


def decoy_password_hash(cost: PasswordCost) -> str:
    """A well-formed hash string at ``cost`` that no password matches.

    Its salt and hash are random bytes, not the output of Argon2id, so making
    it costs nothing, while verifying a password against it does all the
    work of verifying against a real hash of that cost (and fails): sign-in
    checks it for a user name that does not exist.
    """
    _require_cost(cost)
    salt = b64encode(_nacl.random_bytes(_SALT_SIZE)).rstrip("=")
    digest = b64encode(_nacl.random_bytes(KEY_SIZE)).rstrip("=")
    return f"$argon2id$v=19$m={cost.mem // _KIB},t={cost.ops},p=1${salt}${digest}"


def password_hash_cost(password_hash: str) -> PasswordCost:
    """The cost a ``hash_password`` string was made with (it is written in the string).

    ``CryptoError`` if the string is malformed or its cost is out of range.
    """
    match = _PWHASH_STR.fullmatch(password_hash) if isinstance(password_hash, str) else None
    if match is None:
        raise CryptoError("password hash: malformed")
    ops, mem = int(match[2]), int(match[1]) * _KIB
    if not _cost_ok(ops, mem):
        raise CryptoError("password hash: cost out of range")
    return PasswordCost(ops=ops, mem=mem)


def locked_key_cost(blob: bytes) -> PasswordCost:
    """The cost a locked key was locked with (it travels in the blob); ``CryptoError`` if bad."""
    _check_locked_shape(blob)
    ops = read_uint(blob[2:6])
    mem = read_uint(blob[6:14])
    if not _cost_ok(ops, mem):
        raise CryptoError(_UNLOCK_FAILED)
    return PasswordCost(ops=ops, mem=mem)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; ``CryptoError`` only if the hash itself is malformed.

    The stored parameters are range-checked like a locked key's, so a row
    edited in the database cannot turn a sign-in into a denial of service.
    """
    password_hash_cost(password_hash)
    return _nacl.argon2id_verify(password_hash, _password_bytes(password, new=False))
