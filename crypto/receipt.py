"""The reporter's receipt and what is derived from it.

The receipt is the reporter's only credential: 15 random bytes (120 bits,
enough that the server may store a fast hash of the lookup token) written in
Crockford base32. Everything the reporter needs is derived from it with keyed
BLAKE2b under distinct labels, so the private key and the lookup token are
independent even though they come from one secret, and the server, which sees
only the token, learns nothing about the key.
"""

import hmac
from typing import Final, Self

from crypto import _nacl
from crypto._constants import (
    KEY_SIZE,
    LABEL_LOOKUP_HASH,
    LABEL_LOOKUP_TOKEN,
    LABEL_REPORTER_KEY,
)
from crypto.errors import CryptoError
from crypto.keys import PrivateKey, _Frozen

RECEIPT_SECRET_SIZE: Final = 15
_RECEIPT_CHARS: Final = 24  # 15 bytes * 8 bits / 5 bits per character
_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Character -> 5-bit value. Only ASCII is in the table: upper-casing with
# str.upper() would turn e.g. U+0131 (dotless i) into "I" and U+017F (long s)
# into "S", so a receipt would parse differently here than in a browser that
# did not do the same.
_DECODE: Final[dict[str, int]] = {
    **{c: i for i, c in enumerate(_ALPHABET)},
    **{c.lower(): i for i, c in enumerate(_ALPHABET)},
    **{c: 0 for c in "Oo"},
    **{c: 1 for c in "IiLl"},
}
_IGNORED: Final = frozenset(" -")


class Receipt(_Frozen):
    """A receipt; ``str()`` gives ``XXXX-XXXX-XXXX-XXXX-XXXX-XXXX``, ``repr()`` hides it."""

    __slots__ = ("_secret",)
    _secret: bytes

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes) or len(secret) != RECEIPT_SECRET_SIZE:
            raise CryptoError(f"receipt: must be {RECEIPT_SECRET_SIZE} bytes")
        object.__setattr__(self, "_secret", secret)

    @classmethod
    def generate(cls) -> Self:
        return cls(_nacl.random_bytes(RECEIPT_SECRET_SIZE))

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read a receipt as typed: spaces and ``-`` ignored, case-insensitive, O→0, I/L→1."""
        if not isinstance(text, str):
            raise CryptoError("malformed receipt")
        value = 0
        count = 0
        for char in text:
            if char in _IGNORED:
                continue
            digit = _DECODE.get(char)
            if digit is None or count == _RECEIPT_CHARS:
                raise CryptoError("malformed receipt")
            value = (value << 5) | digit
            count += 1
        if count != _RECEIPT_CHARS:
            raise CryptoError("malformed receipt")
        return cls(value.to_bytes(RECEIPT_SECRET_SIZE, "big"))

    def __str__(self) -> str:
        value = int.from_bytes(self._secret, "big")
        chars = "".join(
            _ALPHABET[(value >> (5 * (_RECEIPT_CHARS - 1 - i))) & 0x1F]
            for i in range(_RECEIPT_CHARS)
        )
        return "-".join(chars[i : i + 4] for i in range(0, _RECEIPT_CHARS, 4))

    def __repr__(self) -> str:
        return "Receipt(<secret>)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Receipt):
            return NotImplemented
        return hmac.compare_digest(self._secret, other._secret)

    __hash__ = None  # type: ignore[assignment]

    def reporter_private_key(self) -> PrivateKey:
        """``BLAKE2b-256("vigil/v1/reporter-key"; key = receipt_secret)`` as an X25519 key."""
        return PrivateKey(_nacl.blake2b(LABEL_REPORTER_KEY, key=self._secret))

    def lookup_token(self) -> bytes:
        """``BLAKE2b-256("vigil/v1/lookup-token"; key = receipt_secret)``: sent to find the case."""
        return _nacl.blake2b(LABEL_LOOKUP_TOKEN, key=self._secret)


def lookup_hash(token: bytes) -> bytes:
    """The server's stored hash of a lookup token: unkeyed BLAKE2b-256(label ‖ token).

    A fast hash suffices because the token carries 120 bits of entropy; the
    hash only stops a database reader from replaying tokens it finds there.
    """
    if not isinstance(token, bytes) or len(token) != KEY_SIZE:
        raise CryptoError(f"lookup token: must be {KEY_SIZE} bytes")
    return _nacl.blake2b(LABEL_LOOKUP_HASH + token)
