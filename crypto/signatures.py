"""Signed statements: what the instance vouches for, checkable by anyone offline.

::

    signature = Ed25519(seed, "vigil/v1/statement/" ‖ purpose ‖ 0x00 ‖ statement)

The purpose (such as ``filing-confirmation``) is inside what is signed, so a
signature made for one kind of statement never verifies as another's, even
if the statement bytes are the same. Each purpose has its own instance key
file besides (reporting.core.settings): the public site, which signs filing
confirmations, never holds a key that signs anything else.
"""

import hmac
import re
from typing import Final, Self

from crypto import _nacl
from crypto._constants import KEY_SIZE, LABEL_SIGNING_FINGERPRINT, LABEL_STATEMENT
from crypto.encoding import b64decode, b64encode
from crypto.errors import CryptoError
from crypto.keys import PublicBytes, _Frozen, require_type

SIGNATURE_SIZE: Final = _nacl.SIGNATURE_SIZE
_PURPOSE = re.compile(r"[a-z][a-z0-9-]{0,62}")


def _require_bytes(raw: object, size: int, what: str) -> bytes:
    if not isinstance(raw, bytes) or len(raw) != size:
        raise CryptoError(f"{what}: must be {size} bytes")
    return raw


def _signed_message(purpose: str, statement: bytes) -> bytes:
    if not isinstance(purpose, str) or not _PURPOSE.fullmatch(purpose):
        raise CryptoError("statement: the purpose must be a short lower-case word")
    if not isinstance(statement, bytes):
        raise CryptoError("statement: must be bytes")
    return LABEL_STATEMENT + purpose.encode("ascii") + b"\x00" + statement


class VerifyKey(PublicBytes):
    """An Ed25519 public key (32 bytes): what checks the instance's signed statements."""

    __slots__ = ()
    _WHAT = "verify key"
    _FINGERPRINT_LABEL = LABEL_SIGNING_FINGERPRINT


class SigningKey(_Frozen):
    """An Ed25519 signing key, kept as its 32-byte seed; it never prints its secret."""

    __slots__ = ("_seed", "_verify_key")
    _seed: bytes
    _verify_key: VerifyKey

    def __init__(self, seed: bytes) -> None:
        seed = _require_bytes(seed, KEY_SIZE, "signing key")
        object.__setattr__(self, "_seed", seed)
        object.__setattr__(self, "_verify_key", VerifyKey(_nacl.ed25519_public(seed)))

    @classmethod
    def generate(cls) -> Self:
        return cls(_nacl.random_bytes(KEY_SIZE))

    @property
    def verify_key(self) -> VerifyKey:
        return self._verify_key

    def to_file_text(self) -> str:
        """The seed in base64, for the instance's key file (and only for it)."""
        return b64encode(self._seed)

    @classmethod
    def from_file_text(cls, text: str) -> Self:
        try:
            return cls(b64decode(text.strip()))
        except CryptoError:
            raise CryptoError("signing key file: not a signing key") from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SigningKey):
            return NotImplemented
        return hmac.compare_digest(self._seed, other._seed)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SigningKey(verify_key={self._verify_key.fingerprint!r})"


def sign_statement(key: SigningKey, purpose: str, statement: bytes) -> bytes:
    """The 64-byte signature of ``statement`` made for ``purpose``."""
    require_type(key, SigningKey, "key")
    return _nacl.ed25519_sign(key._seed, _signed_message(purpose, statement))


def verify_statement(key: VerifyKey, purpose: str, statement: bytes, signature: bytes) -> None:
    """Return if ``signature`` is ``key``'s for ``statement`` and ``purpose``; else CryptoError."""
    require_type(key, VerifyKey, "key")
    signature = _require_bytes(signature, SIGNATURE_SIZE, "signature")
    _nacl.ed25519_verify(bytes(key), _signed_message(purpose, statement), signature, "statement")
