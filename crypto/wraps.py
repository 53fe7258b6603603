"""Wraps: a report key sealed to one holder's X25519 public key.

``wrap = seal(pk, VERSION ‖ WRAP ‖ rk)``: a libsodium sealed box, so anyone
(the reporter's browser, the server) can grant access knowing only the public
key, and only the holder can open it. The version and kind are inside the
sealed plaintext, so they are authenticated; a sealed box of some other
34-byte plaintext is refused as the wrong kind.
"""

from typing import Final

from crypto import _nacl
from crypto._constants import KEY_SIZE, KIND_WRAP, VERSION
from crypto.errors import CryptoError
from crypto.keys import PrivateKey, PublicKey, ReportKey, require_type

WRAP_SIZE: Final = 2 + KEY_SIZE + _nacl.SEAL_OVERHEAD  # 82


def wrap_report_key(key: ReportKey, holder: PublicKey) -> bytes:
    """Seal ``key`` to ``holder`` (82 bytes)."""
    require_type(key, ReportKey, "key")
    require_type(holder, PublicKey, "holder")
    return _nacl.seal(bytes(holder), bytes((VERSION, KIND_WRAP)) + key._raw())


def unwrap_report_key(wrap: bytes, holder: PrivateKey) -> ReportKey:
    """Open a wrap with the holder's private key."""
    require_type(holder, PrivateKey, "holder")
    if not isinstance(wrap, bytes) or len(wrap) != WRAP_SIZE:
        raise CryptoError(f"wrap: must be {WRAP_SIZE} bytes")
    inner = _nacl.seal_open(holder._raw(), wrap, "wrap")
    if inner[0] != VERSION:
        raise CryptoError("wrap: unsupported version")
    if inner[1] != KIND_WRAP:
        raise CryptoError("wrap: wrong kind")
    return ReportKey(inner[2:])
