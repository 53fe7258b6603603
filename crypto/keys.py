"""Opaque key types.

Keys are small immutable objects instead of bare ``bytes`` so that they cannot
be confused with each other or with ciphertext (a report key passed where a
private key is expected is a ``TypeError``, not a silent misuse), and so that
secret bytes never end up in logs, tracebacks or templates by accident: the
secret types have no ``__bytes__``, their ``repr`` shows no secret, and their
raw bytes are reachable only through ``_raw()``, which only this package calls.
Secret comparisons use ``hmac.compare_digest`` so that equality tests do not
leak timing; secret keys are deliberately unhashable.

Python cannot reliably wipe memory, so no attempt is made to zero secrets;
the protection is in keeping them short-lived and out of outputs.
"""

import hmac
from typing import Any, ClassVar, NoReturn, Self

from crypto import _nacl
from crypto._constants import KEY_SIZE, LABEL_FINGERPRINT
from crypto.encoding import b64decode, b64encode
from crypto.errors import CryptoError


def _require_key_bytes(raw: object, what: str) -> bytes:
    if not isinstance(raw, bytes) or len(raw) != KEY_SIZE:
        raise CryptoError(f"{what}: must be {KEY_SIZE} bytes")
    return raw


def require_type(value: object, cls: type[Any], what: str) -> None:
    """``TypeError`` unless ``value`` is a ``cls``: passing the wrong key type is a bug."""
    if not isinstance(value, cls):
        raise TypeError(f"{what} must be a {cls.__name__}, not {type(value).__name__}")


class _Frozen:
    """Immutable after ``__init__`` (which sets attributes with ``object.__setattr__``)."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")


class PublicBytes(_Frozen):
    """A 32-byte public key of some kind: public, so it converts to bytes and hashes.

    Each kind names itself and labels its fingerprint, so that keys of two
    kinds never compare equal and never share a fingerprint.
    """

    __slots__ = ("_key",)
    _key: bytes
    _WHAT: ClassVar[str]
    _FINGERPRINT_LABEL: ClassVar[bytes]

    def __init__(self, raw: bytes) -> None:
        object.__setattr__(self, "_key", _require_key_bytes(raw, self._WHAT))

    def __bytes__(self) -> bytes:
        return self._key

    @property
    def fingerprint(self) -> str:
        """BLAKE2b-256(label ‖ key), first 20 bytes, as ten groups of four upper-case hex digits."""
        digest = _nacl.blake2b(self._FINGERPRINT_LABEL + self._key)[:20].hex().upper()
        return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))

    def to_base64(self) -> str:
        return b64encode(self._key)

    @classmethod
    def from_base64(cls, text: str) -> Self:
        return cls(b64decode(text))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicBytes) or type(other) is not type(self):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash((type(self), self._key))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fingerprint!r})"


class PublicKey(PublicBytes):
    """An X25519 public key (32 bytes)."""

    __slots__ = ()
    _WHAT = "public key"
    _FINGERPRINT_LABEL = LABEL_FINGERPRINT


class PrivateKey(_Frozen):
    """An X25519 private key. Its public key is computed once, at construction."""

    __slots__ = ("_public", "_secret")
    _secret: bytes
    _public: PublicKey

    def __init__(self, raw: bytes) -> None:
        secret = _require_key_bytes(raw, "private key")
        object.__setattr__(self, "_secret", secret)
        object.__setattr__(self, "_public", PublicKey(_nacl.x25519_public(secret)))

    @classmethod
    def generate(cls) -> Self:
        return cls(_nacl.random_bytes(KEY_SIZE))

    @property
    def public_key(self) -> PublicKey:
        return self._public

    def _raw(self) -> bytes:
        """The secret bytes; for this package's own formats only."""
        return self._secret

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PrivateKey):
            return NotImplemented
        return hmac.compare_digest(self._secret, other._secret)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PrivateKey(public_key={self._public.fingerprint!r})"


class ReportKey(_Frozen):
    """A report key ``rk``: 32 random bytes under which all of one report's content is sealed."""

    __slots__ = ("_secret",)
    _secret: bytes

    def __init__(self, raw: bytes) -> None:
        object.__setattr__(self, "_secret", _require_key_bytes(raw, "report key"))

    @classmethod
    def generate(cls) -> Self:
        return cls(_nacl.random_bytes(KEY_SIZE))

    def _raw(self) -> bytes:
        """The secret bytes; for this package's own formats only."""
        return self._secret

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReportKey):
            return NotImplemented
        return hmac.compare_digest(self._secret, other._secret)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "ReportKey(<secret>)"
