"""Attachments: streamed in fixed-size chunks so no side ever holds a whole file.

::

    attachment = header ‖ meta ‖ chunk_1 ‖ … ‖ chunk_n
    header     = VERSION ‖ ATTACHMENT ‖ u32(chunk_size) ‖ prefix(19) ‖ key_nonce(24)
                 ‖ secretbox(rk, key_nonce, fk)                            (97 bytes)
    meta       = u32(len(meta_box)) ‖ secretbox(fk, nonce(0, 0), padded meta JSON)
    chunk_i    = secretbox(fk, nonce(i, final_i), plaintext_i)
    nonce(i,f) = prefix ‖ u32(i) ‖ f

Each attachment has its own file key ``fk``, so the chunk nonces (a random
prefix plus a counter) can never repeat under one key. The chunk index and the
"final" flag are bound into each nonce, so a reader that numbers chunks itself
and calls a chunk final exactly when nothing follows it detects any dropped,
repeated, reordered or appended chunk and any truncation, including one at a
chunk boundary, as an authentication failure. The name, type and size are
inside ``meta_box``; the stream itself reveals the exact size and chunk size.

The header's version, kind and chunk size are not inside any box: the version
and kind are refused unless exactly 0x01/0x10, and the chunk size fixes where
chunks start, so changing it makes every multi-chunk stream fail to open (for a
one-chunk stream it changes nothing, the same plaintext still comes out).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, Protocol

from crypto import _nacl
from crypto._constants import (
    DEFAULT_CHUNK_SIZE,
    KEY_SIZE,
    KIND_ATTACHMENT,
    MAX_CHUNK_SIZE,
    MIN_CHUNK_SIZE,
    NONCE_SIZE,
    TAG_SIZE,
    VERSION,
    read_uint,
    u32,
)
from crypto.encoding import decode_json, encode_json
from crypto.errors import CryptoError
from crypto.keys import ReportKey, require_type

_PREFIX_SIZE: Final = 19
ATTACHMENT_HEADER_SIZE: Final = 2 + 4 + _PREFIX_SIZE + NONCE_SIZE + KEY_SIZE + TAG_SIZE  # 97
ATTACHMENT_HEAD_SIZE: Final = ATTACHMENT_HEADER_SIZE + 4  # header and u32(len(meta_box))
_META_JSON_MAX: Final = 4096
_META_BLOCK: Final = 256
_META_BOX_MIN: Final = _META_BLOCK + TAG_SIZE
_META_BOX_MAX: Final = -(-(4 + _META_JSON_MAX) // _META_BLOCK) * _META_BLOCK + TAG_SIZE  # 4368
# The most bytes the header and the metadata take together: a stream's first
# ATTACHMENT_INFO_SIZE bytes are enough to learn its name, type and size.
ATTACHMENT_INFO_SIZE: Final = ATTACHMENT_HEAD_SIZE + _META_BOX_MAX  # 4469
_MAX_CHUNKS: Final = 2**32 - 1  # the chunk index is a u32 and chunk 0 is the metadata
MAX_ATTACHMENT_SIZE: Final = 2**53 - 1  # largest integer a browser's JSON.parse reads exactly
_META_MEMBERS: Final = frozenset({"name", "type", "size"})


class Readable(Protocol):
    """What a source must offer: ``read(n)`` returning at most n bytes, ``b""`` at the end."""

    def read(self, size: int, /) -> bytes | None: ...


class Writable(Protocol):
    """What a sink must offer: ``write(data)`` that writes all of ``data``."""

    def write(self, data: bytes, /) -> object: ...


@dataclass(frozen=True)
class AttachmentInfo:
    """The authenticated metadata of an attachment."""

    name: str
    content_type: str
    size: int


def _nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + u32(index) + (b"\x01" if final else b"\x00")


def _read_exact(source: Readable, size: int) -> bytes:
    """Up to ``size`` bytes: fewer only at the end of the stream.

    Raw streams and sockets may return short reads; chunk boundaries must not
    depend on how the transport happened to split the data. ``None`` (a
    non-blocking stream with nothing ready) counts as the end.
    """
    parts: list[bytes] = []
    missing = size
    while missing > 0:
        data = source.read(missing)
        if not data:
            break
        parts.append(data)
        missing -= len(data)
    return b"".join(parts)


def _check_chunk_size(chunk_size: int) -> None:
    if type(chunk_size) is not int or not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise CryptoError(
            f"attachment: chunk size must be from {MIN_CHUNK_SIZE} to {MAX_CHUNK_SIZE}"
        )


def _check_meta_box_size(size: int) -> None:
    if not _META_BOX_MIN <= size <= _META_BOX_MAX or (size - TAG_SIZE) % _META_BLOCK:
        raise CryptoError("attachment metadata: wrong length")


def check_attachment_structure(header: bytes) -> int:
    """Validate a 97-byte header without the key; returns its chunk size.

    For the server, which stores attachment streams it cannot read: refuse a
    wrong version or kind or an out-of-range chunk size at upload time.
    """
    if not isinstance(header, bytes) or len(header) != ATTACHMENT_HEADER_SIZE:
        raise CryptoError(f"attachment header: must be {ATTACHMENT_HEADER_SIZE} bytes")
    if header[0] != VERSION:
        raise CryptoError("attachment header: unsupported version")
    if header[1] != KIND_ATTACHMENT:
        raise CryptoError("attachment header: wrong kind")
    chunk_size = read_uint(header[2:6])
    _check_chunk_size(chunk_size)
    return chunk_size


def check_attachment_layout(head: bytes, total_length: int) -> int:
    """Validate a whole stream's layout without the key; returns its chunk size.

    ``head`` is the stream's first ``ATTACHMENT_HEAD_SIZE`` (101) bytes and
    ``total_length`` its length. Checks the header, the metadata length, and
    that the rest splits into full chunks plus a final chunk of 16 to
    ``chunk_size + 16`` bytes. This is all the server can know; whether the
    chunks authenticate is up to the reader.
    """
    if not isinstance(head, bytes) or len(head) != ATTACHMENT_HEAD_SIZE:
        raise CryptoError(f"attachment: head must be {ATTACHMENT_HEAD_SIZE} bytes")
    chunk_size = check_attachment_structure(head[:ATTACHMENT_HEADER_SIZE])
    meta_box_size = read_uint(head[ATTACHMENT_HEADER_SIZE:])
    _check_meta_box_size(meta_box_size)
    rest = total_length - ATTACHMENT_HEAD_SIZE - meta_box_size
    full, last = divmod(rest, chunk_size + TAG_SIZE)
    if rest < TAG_SIZE or 0 < last < TAG_SIZE:
        raise CryptoError("attachment: length does not split into chunks")
    if full + (last > 0) > _MAX_CHUNKS:
        raise CryptoError("attachment: too many chunks")
    return chunk_size


def attachment_stream_limit(max_size: int) -> int:
    """The longest valid stream for a file of at most ``max_size`` bytes.

    For the server, which must bound an upload before it has all of it: the
    smallest chunk size and the largest metadata give the most overhead.
    """
    if type(max_size) is not int or not 0 <= max_size <= MAX_ATTACHMENT_SIZE:
        raise CryptoError("attachment: size out of range")
    chunks = max(1, -(-max_size // MIN_CHUNK_SIZE))
    return ATTACHMENT_HEAD_SIZE + _META_BOX_MAX + chunks * TAG_SIZE + max_size


def encrypt_attachment(
    key: ReportKey,
    source: Readable,
    sink: Writable,
    *,
    name: str,
    content_type: str,
    size: int,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> int:
    """Encrypt exactly ``size`` bytes from ``source`` into ``sink``; returns bytes written.

    ``size`` is declared up front because it is in the metadata, which
    precedes the chunks. If ``source`` yields more or fewer bytes, this raises
    ``CryptoError`` and what was written to ``sink`` must be discarded (it
    would not open anyway: the final chunk is missing or misplaced). Memory use
    is a few chunks, whatever the size. Errors raised by ``source`` or ``sink``
    themselves propagate unchanged.
    """
    require_type(key, ReportKey, "key")
    _check_chunk_size(chunk_size)
    if not isinstance(name, str) or not isinstance(content_type, str):
        raise CryptoError("attachment metadata: name and type must be strings")
    if type(size) is not int or not 0 <= size <= MAX_ATTACHMENT_SIZE:
        raise CryptoError("attachment metadata: size out of range")
    count = max(1, -(-size // chunk_size))
    if count > _MAX_CHUNKS:
        raise CryptoError("attachment: too many chunks")
    meta_json = encode_json({"name": name, "type": content_type, "size": size}, "attachment name")
    if len(meta_json) > _META_JSON_MAX:
        raise CryptoError("attachment metadata: name and type too long")

    file_key = _nacl.random_bytes(KEY_SIZE)
    prefix = _nacl.random_bytes(_PREFIX_SIZE)
    key_nonce = _nacl.random_bytes(NONCE_SIZE)
    header = (
        bytes((VERSION, KIND_ATTACHMENT))
        + u32(chunk_size)
        + prefix
        + key_nonce
        + _nacl.secretbox(key._raw(), key_nonce, file_key)
    )
    meta_inner = u32(len(meta_json)) + meta_json
    meta_inner += bytes(-len(meta_inner) % _META_BLOCK)
    meta_box = _nacl.secretbox(file_key, _nonce(prefix, 0, False), meta_inner)
    sink.write(header)
    sink.write(u32(len(meta_box)) + meta_box)
    written = ATTACHMENT_HEAD_SIZE + len(meta_box)

    remaining = size
    for index in range(1, count + 1):
        want = min(chunk_size, remaining)
        plain = _read_exact(source, want)
        if len(plain) != want:
            raise CryptoError("attachment: source is shorter than the declared size")
        remaining -= want
        box = _nacl.secretbox(file_key, _nonce(prefix, index, index == count), plain)
        sink.write(box)
        written += len(box)
    if _read_exact(source, 1):
        raise CryptoError("attachment: source is longer than the declared size")
    return written


class AttachmentReader:
    """An attachment whose header and metadata are verified; ``chunks()`` streams the rest.

    Obtain one from ``open_attachment``. ``info`` is authenticated. Plaintext
    comes out only chunk by chunk as each one authenticates, so a consumer
    (e.g. a streamed HTTP download) may have received a verified prefix by the
    time a later chunk fails; it must then abort the transfer.
    """

    def __init__(
        self,
        *,
        info: AttachmentInfo,
        source: Readable,
        file_key: bytes,
        prefix: bytes,
        chunk_size: int,
    ) -> None:
        self.info = info
        self._source = source
        self._file_key = file_key
        self._prefix = prefix
        self._chunk_size = chunk_size
        self._started = False

    def __repr__(self) -> str:
        return f"AttachmentReader({self.info!r})"

    def chunks(self) -> Iterator[bytes]:
        """Yield verified plaintext chunks; ``CryptoError`` at the first bad one.

        Single use: the source is consumed.
        """
        if self._started:
            raise CryptoError("attachment: chunks() can only be read once")
        self._started = True
        return self._chunks()

    def _chunks(self) -> Iterator[bytes]:
        block_size = self._chunk_size + TAG_SIZE
        expected = self.info.size
        block = _read_exact(self._source, block_size)
        if not block:
            raise CryptoError("attachment: no content chunk")
        index = 1
        total = 0
        while True:
            if len(block) < TAG_SIZE:
                raise CryptoError("attachment: truncated chunk")
            if index > _MAX_CHUNKS:
                raise CryptoError("attachment: too many chunks")
            # A chunk is final exactly when nothing follows it, so one chunk of
            # look-ahead is needed; a full block may still be the last one.
            following = _read_exact(self._source, block_size) if len(block) == block_size else b""
            final = not following
            plain = _nacl.secretbox_open(
                self._file_key,
                _nonce(self._prefix, index, final),
                block,
                f"attachment chunk {index}",
            )
            total += len(plain)
            if total > expected or (final and total != expected):
                raise CryptoError("attachment: content size does not match its metadata")
            yield plain
            if final:
                return
            block = following
            index += 1


def open_attachment(key: ReportKey, source: Readable) -> AttachmentReader:
    """Read and verify the header and metadata now; the chunks are read by ``chunks()``."""
    require_type(key, ReportKey, "key")
    header = _read_exact(source, ATTACHMENT_HEADER_SIZE)
    chunk_size = check_attachment_structure(header)
    prefix = header[6 : 6 + _PREFIX_SIZE]
    key_nonce = header[6 + _PREFIX_SIZE : 6 + _PREFIX_SIZE + NONCE_SIZE]
    file_key = _nacl.secretbox_open(
        key._raw(), key_nonce, header[6 + _PREFIX_SIZE + NONCE_SIZE :], "attachment key"
    )
    length = _read_exact(source, 4)
    if len(length) != 4:
        raise CryptoError("attachment metadata: truncated")
    meta_box_size = read_uint(length)
    _check_meta_box_size(meta_box_size)
    meta_box = _read_exact(source, meta_box_size)
    if len(meta_box) != meta_box_size:
        raise CryptoError("attachment metadata: truncated")
    meta_inner = _nacl.secretbox_open(
        file_key, _nonce(prefix, 0, False), meta_box, "attachment metadata"
    )
    meta_size = read_uint(meta_inner[:4])
    end = 4 + meta_size
    if meta_size > _META_JSON_MAX or end > len(meta_inner):
        raise CryptoError("attachment metadata: length out of range")
    if meta_inner.count(0, end) != len(meta_inner) - end:
        raise CryptoError("attachment metadata: non-zero padding")
    return AttachmentReader(
        info=_parse_meta(meta_inner[4:end]),
        source=source,
        file_key=file_key,
        prefix=prefix,
        chunk_size=chunk_size,
    )


def _parse_meta(meta_json: bytes) -> AttachmentInfo:
    meta = decode_json(meta_json, "attachment metadata")
    if not isinstance(meta, dict) or meta.keys() != _META_MEMBERS:
        raise CryptoError("attachment metadata: must have exactly name, type and size")
    name, content_type, size = meta["name"], meta["type"], meta["size"]
    if not isinstance(name, str) or not isinstance(content_type, str):
        raise CryptoError("attachment metadata: name and type must be strings")
    if type(size) is not int or not 0 <= size <= MAX_ATTACHMENT_SIZE:
        raise CryptoError("attachment metadata: size out of range")
    return AttachmentInfo(name=name, content_type=content_type, size=size)


def decrypt_attachment(key: ReportKey, source: Readable, sink: Writable) -> AttachmentInfo:
    """Decrypt a whole attachment into ``sink``; on ``CryptoError`` discard what was written."""
    reader = open_attachment(key, source)
    for chunk in reader.chunks():
        sink.write(chunk)
    return reader.info
