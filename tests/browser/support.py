"""Helpers shared by the browser tests: base64, stream layout, tamperings."""

from __future__ import annotations

import base64
import struct


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def bucket(n: int) -> int:
    """docs/crypto.md: the smallest power of two >= max(n, 512)."""
    b = 512
    while b < n:
        b *= 2
    return b


def flip(data: bytes, index: int, mask: int = 0x01) -> bytes:
    out = bytearray(data)
    out[index] ^= mask
    return bytes(out)


def record_tamperings(raw: bytes) -> dict[str, bytes]:
    """Ways to damage a record; every one must be refused."""
    return {
        "version": bytes([2]) + raw[1:],
        "version zero": bytes([0]) + raw[1:],
        "kind": raw[:1] + bytes([raw[1] % 4 + 1]) + raw[2:],
        "nonce": flip(raw, 10),
        "tag": flip(raw, 30),
        "ciphertext start": flip(raw, 42),
        "ciphertext end": flip(raw, len(raw) - 1),
        "truncated": raw[:-1],
        "truncated to minimum": raw[: 26 + 16 + 511],
        "extended": raw + b"\x00",
        "doubled": raw + raw[42:],
    }


def split_attachment(raw: bytes) -> tuple[bytes, bytes, list[bytes]]:
    """Header, meta (with its length prefix) and chunks, laid out as docs/crypto.md says."""
    chunk_size = struct.unpack(">I", raw[2:6])[0]
    meta_length = struct.unpack(">I", raw[97:101])[0]
    header, meta = raw[:97], raw[97 : 101 + meta_length]
    rest = raw[101 + meta_length :]
    step = chunk_size + 16
    return header, meta, [rest[i : i + step] for i in range(0, len(rest), step)]


def attachment_tamperings(raw: bytes) -> dict[str, bytes]:
    """Ways to damage an attachment of at least three chunks; every one must be refused."""
    header, meta, chunks = split_attachment(raw)
    assert len(chunks) >= 3

    def join(*parts: bytes) -> bytes:
        return b"".join(parts)

    chunk_size = struct.unpack(">I", raw[2:6])[0]
    chunk_start = len(header) + len(meta)
    meta_box_length = len(meta) - 4
    return {
        "version": b"\x02" + raw[1:],
        "kind": raw[:1] + b"\x01" + raw[2:],
        "chunk size field": raw[:2] + struct.pack(">I", chunk_size * 2) + raw[6:],
        "chunk size too small": raw[:2] + struct.pack(">I", 1023) + raw[6:],
        "chunk size too large": raw[:2] + struct.pack(">I", 16 * 1024 * 1024 + 1) + raw[6:],
        "prefix": flip(raw, 10),
        "key nonce": flip(raw, 30),
        "file key box": flip(raw, 60),
        "meta length +256": raw[:97] + struct.pack(">I", meta_box_length + 256) + raw[101:],
        "meta length -1": raw[:97] + struct.pack(">I", meta_box_length - 1) + raw[101:],
        "meta box": flip(raw, 101 + 40),
        "first chunk": flip(raw, chunk_start + 5),
        "last chunk": flip(raw, len(raw) - 1),
        "dropped first chunk": join(header, meta, *chunks[1:]),
        "dropped middle chunk": join(header, meta, chunks[0], *chunks[2:]),
        "dropped last chunk": join(header, meta, *chunks[:-1]),
        "reordered": join(header, meta, chunks[1], chunks[0], *chunks[2:]),
        "repeated": join(header, meta, chunks[0], *chunks),
        "appended copy of last": join(raw, chunks[-1]),
        "appended byte": raw + b"\x00",
        "appended 16 bytes": raw + bytes(16),
        "cut mid chunk": raw[:-5],
        "cut at header": raw[:97],
        "cut in meta": raw[:200],
        "cut after meta": join(header, meta),
        "cut in last tag": raw[: len(raw) - len(chunks[-1]) + 10],
    }
