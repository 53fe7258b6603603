"""A temporary file that holds bytes only sealed under a key that never leaves memory.

For the server's path without JavaScript: an uploaded file arrives in the
request as plaintext, and the attachment format (crypto.attachments) needs the
file's size in its metadata, before the first chunk, while the size is known
only once the last byte has arrived. Buffering the file in memory would let a
large upload exhaust the server; writing it to a temporary file as it is would
put plaintext on disk. So the bytes are sealed as they arrive, chunk by chunk,
under a random key held only by this object, into a temporary file; once the
upload is complete and its size known, they are read back chunk by chunk and
encrypted for real (``encrypt_attachment`` under the report key).

The spool's format is private to this object and never outlives it::

    chunk_i = secretbox(key, u64(i) ‖ 16 zero bytes, plaintext_i)    (i = 0, 1, …)

Every chunk but the last holds exactly ``chunk_size`` bytes. The key is random
per spool, so the counter nonces never repeat under a key; the chunk count and
the last chunk's length are kept in memory, so a file altered, cut or extended
on disk fails to read back instead of yielding other bytes.
"""

from typing import BinaryIO, Final

from crypto import _nacl
from crypto._constants import DEFAULT_CHUNK_SIZE, KEY_SIZE, NONCE_SIZE, TAG_SIZE
from crypto.errors import CryptoError

_NONCE_PAD: Final = bytes(NONCE_SIZE - 8)


def _nonce(index: int) -> bytes:
    return index.to_bytes(8, "big") + _NONCE_PAD


class SealedSpool:
    """Write plaintext, ``seek(0)``, then read the same plaintext back.

    ``file`` is an empty temporary file (opened for reading and writing) that
    the spool owns and closes. What reaches it is ciphertext only. Memory use
    is about one chunk, whatever is written. The object offers the small
    file-like surface a form parser needs: ``write``, ``seek(0)``, ``read`` and
    ``close``; ``size`` is the number of plaintext bytes written.
    """

    def __init__(self, file: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if type(chunk_size) is not int or chunk_size < 1:
            raise ValueError("chunk_size must be a positive integer")
        self._file = file
        self._key = _nacl.random_bytes(KEY_SIZE)
        self._chunk_size = chunk_size
        self._pending = bytearray()  # plaintext not yet sealed (less than a chunk)
        self._sealed_chunks = 0
        self._last_length = 0
        self._writing = True
        self._next_chunk = 0  # when reading: the index of the next chunk to open
        self._plain = b""  # when reading: opened plaintext not yet returned
        self.size = 0

    def __repr__(self) -> str:
        return f"SealedSpool(<{self.size} bytes>)"

    @property
    def closed(self) -> bool:
        return self._file.closed

    def write(self, data: bytes | bytearray | memoryview, /) -> int:
        if not self._writing:
            raise ValueError("SealedSpool: write after seek(0)")
        self._pending += data
        self.size += len(data)
        while len(self._pending) >= self._chunk_size:
            self._seal(bytes(self._pending[: self._chunk_size]))
            del self._pending[: self._chunk_size]
        return len(data)

    def _seal(self, plain: bytes) -> None:
        self._file.write(_nacl.secretbox(self._key, _nonce(self._sealed_chunks), plain))
        self._sealed_chunks += 1
        self._last_length = len(plain)

    def seek(self, offset: int, whence: int = 0, /) -> int:
        """Only ``seek(0)``: end writing (on the first call) and read from the start."""
        if offset != 0 or whence != 0:
            raise ValueError("SealedSpool: only seek(0) is supported")
        if self._writing:
            if self._pending or self._sealed_chunks == 0:
                # The rest, or one empty chunk so that even an empty spool has
                # a chunk whose authentication proves nothing was cut off.
                self._seal(bytes(self._pending))
                self._pending = bytearray()
            self._file.flush()
            self._writing = False
        self._file.seek(0)
        self._next_chunk = 0
        self._plain = b""
        return 0

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` plaintext bytes (all that is left if negative); ``b""`` at the end."""
        if self._writing:
            raise ValueError("SealedSpool: seek(0) before reading")
        parts: list[bytes] = []
        wanted = size if size >= 0 else self.size
        while wanted > 0:
            if not self._plain:
                if self._next_chunk == self._sealed_chunks:
                    break
                self._plain = self._open_next()
                continue
            part, self._plain = self._plain[:wanted], self._plain[wanted:]
            parts.append(part)
            wanted -= len(part)
        return b"".join(parts)

    def _open_next(self) -> bytes:
        index = self._next_chunk
        last = index == self._sealed_chunks - 1
        length = (self._last_length if last else self._chunk_size) + TAG_SIZE
        box = self._file.read(length)
        if len(box) != length or (last and self._file.read(1)):
            raise CryptoError("spool: the temporary file was changed")
        plain = _nacl.secretbox_open(self._key, _nonce(index), box, "spool chunk")
        self._next_chunk += 1
        return plain

    def close(self) -> None:
        self._file.close()
        self._pending = bytearray()
        self._plain = b""
