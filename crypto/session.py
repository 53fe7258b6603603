"""What a session holds sealed: an investigator's private key, a reporter's receipt.

**An investigator's private key**, split between cookie and database.

At sign-in the investigator's key is unlocked once (Argon2id is too slow to
run per request) and re-encrypted under a fresh random session secret:
``session_key = VERSION ‖ SESSION_KEY ‖ nonce ‖ secretbox(secret, nonce,
VERSION ‖ SESSION_KEY ‖ sk)`` (76 bytes). The secret goes in the cookie, the
blob in the server-side session row, so neither a stolen cookie nor a database
dump alone yields the key, and ending the session (deleting the row) destroys it.

**A reporter's receipt**, between a form without JavaScript and the page that
shows its result (Post/Redirect/Get: a reload must not send a report twice):
``held = VERSION ‖ HELD_RECEIPT ‖ nonce ‖ secretbox(key, nonce, VERSION ‖
HELD_RECEIPT ‖ receipt_secret)`` (59 bytes) in the reporter's own session
cookie, under a key the server derives from its secret. A copy of the browser's
cookies alone does not yield the receipt, and the server stores nothing.
"""

from typing import Final

from crypto import _nacl
from crypto._constants import (
    KEY_SIZE,
    KIND_HELD_RECEIPT,
    KIND_SESSION_KEY,
    NONCE_SIZE,
    TAG_SIZE,
    VERSION,
)
from crypto.errors import CryptoError
from crypto.keys import PrivateKey, require_type
from crypto.receipt import RECEIPT_SECRET_SIZE, Receipt

SESSION_SECRET_SIZE: Final = 32
_HEADER: Final = bytes((VERSION, KIND_SESSION_KEY))
SESSION_KEY_SIZE: Final = 2 + NONCE_SIZE + 2 + KEY_SIZE + TAG_SIZE  # 76
_HELD_HEADER: Final = bytes((VERSION, KIND_HELD_RECEIPT))
HELD_RECEIPT_SIZE: Final = 2 + NONCE_SIZE + 2 + RECEIPT_SECRET_SIZE + TAG_SIZE  # 59


def seal_for_session(key: PrivateKey) -> tuple[bytes, bytes]:
    """Returns ``(session_secret, session_key_blob)``: 32 bytes for the cookie, 76 for the row."""
    require_type(key, PrivateKey, "key")
    session_secret = _nacl.random_bytes(SESSION_SECRET_SIZE)
    nonce = _nacl.random_bytes(NONCE_SIZE)
    blob = _HEADER + nonce + _nacl.secretbox(session_secret, nonce, _HEADER + key._raw())
    return session_secret, blob


def open_for_session(session_secret: bytes, blob: bytes) -> PrivateKey:
    """The private key from a session blob and the cookie's secret."""
    if not isinstance(session_secret, bytes) or len(session_secret) != SESSION_SECRET_SIZE:
        raise CryptoError(f"session secret: must be {SESSION_SECRET_SIZE} bytes")
    if not isinstance(blob, bytes) or len(blob) != SESSION_KEY_SIZE:
        raise CryptoError(f"session key: must be {SESSION_KEY_SIZE} bytes")
    if blob[0] != VERSION:
        raise CryptoError("session key: unsupported version")
    if blob[1] != KIND_SESSION_KEY:
        raise CryptoError("session key: wrong kind")
    inner = _nacl.secretbox_open(
        session_secret, blob[2 : 2 + NONCE_SIZE], blob[2 + NONCE_SIZE :], "session key"
    )
    if inner[:2] != _HEADER:
        raise CryptoError("session key: inner version or kind does not match")
    return PrivateKey(inner[2:])


def hold_receipt(key: bytes, receipt: Receipt) -> bytes:
    """`receipt` sealed under `key` (32 bytes the server derives), for the reporter's cookie."""
    if not isinstance(key, bytes) or len(key) != KEY_SIZE:
        raise CryptoError(f"held receipt key: must be {KEY_SIZE} bytes")
    require_type(receipt, Receipt, "receipt")
    nonce = _nacl.random_bytes(NONCE_SIZE)
    return _HELD_HEADER + nonce + _nacl.secretbox(key, nonce, _HELD_HEADER + receipt._secret)


def release_receipt(key: bytes, held: bytes) -> Receipt:
    """The receipt `hold_receipt` sealed, checked whole; CryptoError for anything else."""
    if not isinstance(key, bytes) or len(key) != KEY_SIZE:
        raise CryptoError(f"held receipt key: must be {KEY_SIZE} bytes")
    if not isinstance(held, bytes) or len(held) != HELD_RECEIPT_SIZE:
        raise CryptoError(f"held receipt: must be {HELD_RECEIPT_SIZE} bytes")
    if held[:2] != _HELD_HEADER:
        raise CryptoError("held receipt: wrong version or kind")
    inner = _nacl.secretbox_open(
        key, held[2 : 2 + NONCE_SIZE], held[2 + NONCE_SIZE :], "held receipt"
    )
    if inner[:2] != _HELD_HEADER:
        raise CryptoError("held receipt: inner version or kind does not match")
    return Receipt(inner[2:])
