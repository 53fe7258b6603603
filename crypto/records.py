"""Records: one JSON document (body, message, note or findings) sealed under ``rk``.

``record = VERSION ‖ kind ‖ nonce ‖ secretbox(rk, nonce, inner)`` with
``inner = VERSION ‖ kind ‖ u32(len(payload)) ‖ payload ‖ zero padding``.

The outer version and kind let anyone (the server, without the key) route a
record and refuse a future version before trying to read it; the inner copies
are what makes them authenticated, since secretbox has no associated data: a
record of one kind relabelled as another opens but fails the inner check.
Padding to a power of two (at least 512) hides the length of what was written
to within a factor of two.
"""

import enum
from typing import Final

from crypto import _nacl
from crypto._constants import (
    NONCE_SIZE,
    RECORD_MAX_PAYLOAD,
    TAG_SIZE,
    VERSION,
    read_uint,
    u32,
)
from crypto.encoding import JsonValue, decode_json, encode_json
from crypto.errors import CryptoError
from crypto.keys import ReportKey, require_type


class RecordKind(enum.IntEnum):
    """The kind byte of a record; a record only opens as the kind it was sealed as."""

    BODY = 0x01
    MESSAGE = 0x02
    NOTE = 0x03
    FINDINGS = 0x04


_HEADER_SIZE: Final = 2 + NONCE_SIZE  # version, kind, nonce
_INNER_HEADER_SIZE: Final = 6  # version, kind, u32 length
RECORD_OVERHEAD: Final = _HEADER_SIZE + TAG_SIZE  # 42
MIN_BUCKET: Final = 512
MAX_BUCKET: Final = 1 << (_INNER_HEADER_SIZE + RECORD_MAX_PAYLOAD - 1).bit_length()  # 32 MiB
MAX_RECORD_SIZE: Final = RECORD_OVERHEAD + MAX_BUCKET


def bucket(size: int) -> int:
    """The smallest power of two ≥ max(size, 512): the padded length of ``inner``."""
    return max(MIN_BUCKET, 1 << (size - 1).bit_length())


def record_kind(kind: object) -> RecordKind:
    """``kind`` as a ``RecordKind``; ``CryptoError`` for anything that is not one."""
    if not isinstance(kind, int) or isinstance(kind, bool):
        raise CryptoError("record: not a record kind")
    try:
        return RecordKind(kind)
    except ValueError:
        raise CryptoError("record: not a record kind") from None


def check_record_structure(record: bytes, kind: RecordKind) -> None:
    """Check what can be checked without the key: version, kind and a padded length.

    The server calls this on records it receives from browsers (report bodies,
    reporter messages) before storing them, so that garbage or a future
    version is refused at the door rather than found later by a reader.
    """
    kind = record_kind(kind)
    if not isinstance(record, bytes) or len(record) < 2:
        raise CryptoError("record: too short")
    # Version first: a future version may have another layout, so none of the
    # checks below would mean anything for it.
    if record[0] != VERSION:
        raise CryptoError("record: unsupported version")
    if record[1] != kind:
        raise CryptoError("record: wrong kind")
    inner_size = len(record) - RECORD_OVERHEAD
    if not MIN_BUCKET <= inner_size <= MAX_BUCKET or inner_size & (inner_size - 1):
        raise CryptoError("record: wrong length")


def seal_record(key: ReportKey, kind: RecordKind, payload: JsonValue) -> bytes:
    """Seal a JSON value (encoded compact UTF-8) as a record of ``kind`` under ``key``."""
    require_type(key, ReportKey, "key")
    kind = record_kind(kind)
    data = encode_json(payload, "record payload")
    if len(data) > RECORD_MAX_PAYLOAD:
        raise CryptoError("record payload: too large")
    header = bytes((VERSION, kind))
    used = _INNER_HEADER_SIZE + len(data)
    inner = header + u32(len(data)) + data + bytes(bucket(used) - used)
    nonce = _nacl.random_bytes(NONCE_SIZE)
    return header + nonce + _nacl.secretbox(key._raw(), nonce, inner)


def open_record(key: ReportKey, kind: RecordKind, record: bytes) -> JsonValue:
    """Open a record that must be of ``kind``; returns the decoded JSON value."""
    require_type(key, ReportKey, "key")
    kind = record_kind(kind)
    check_record_structure(record, kind)
    inner = _nacl.secretbox_open(
        key._raw(), record[2:_HEADER_SIZE], record[_HEADER_SIZE:], "record"
    )
    if inner[0] != VERSION or inner[1] != kind:
        # Only reachable with the right key: the sender relabelled the record.
        raise CryptoError("record: inner version or kind does not match")
    size = read_uint(inner[2:_INNER_HEADER_SIZE])
    end = _INNER_HEADER_SIZE + size
    if size > RECORD_MAX_PAYLOAD or end > len(inner):
        raise CryptoError("record: payload length out of range")
    if inner.count(0, end) != len(inner) - end:
        raise CryptoError("record: non-zero padding")
    return decode_json(inner[_INNER_HEADER_SIZE:end], "record payload")
