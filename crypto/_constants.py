"""Byte-level constants of protocol v1, exactly as in docs/crypto.md."""

from typing import Final

VERSION: Final = 0x01

# Kinds that are not records (records use crypto.records.RecordKind, 0x01-0x04).
KIND_ATTACHMENT: Final = 0x10
KIND_LOCKED_KEY: Final = 0x20
KIND_SESSION_KEY: Final = 0x21
KIND_HELD_RECEIPT: Final = 0x22
KIND_WRAP: Final = 0x30

KEY_SIZE: Final = 32
NONCE_SIZE: Final = 24
TAG_SIZE: Final = 16

RECORD_MAX_PAYLOAD: Final = 16 * 1024 * 1024
DEFAULT_CHUNK_SIZE: Final = 65_536
MIN_CHUNK_SIZE: Final = 1_024
MAX_CHUNK_SIZE: Final = 16 * 1024 * 1024

# Domain-separation labels: each derivation from the same secret uses its own
# label so that no derived value can stand in for another.
LABEL_REPORTER_KEY: Final = b"vigil/v1/reporter-key"
LABEL_LOOKUP_TOKEN: Final = b"vigil/v1/lookup-token"
LABEL_LOOKUP_HASH: Final = b"vigil/v1/lookup-hash"
LABEL_FINGERPRINT: Final = b"vigil/v1/fingerprint"
LABEL_SIGNING_FINGERPRINT: Final = b"vigil/v1/signing-fingerprint"
# Put before every signed statement with its purpose, so that a signature made
# for one purpose can never be presented as one made for another.
LABEL_STATEMENT: Final = b"vigil/v1/statement/"


def u32(value: int) -> bytes:
    """Unsigned 32-bit big-endian."""
    return value.to_bytes(4, "big")


def u64(value: int) -> bytes:
    """Unsigned 64-bit big-endian."""
    return value.to_bytes(8, "big")


def read_uint(data: bytes) -> int:
    """Unsigned big-endian integer of any width."""
    return int.from_bytes(data, "big")
