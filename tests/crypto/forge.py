"""A second, deliberately plain implementation of the v1 byte layouts.

Written from docs/crypto.md with PyNaCl bindings and hashlib directly, not
from the ``crypto`` package, so that tests can (a) check that what ``crypto``
produces matches the spec rather than merely itself, and (b) forge objects
that are correctly encrypted but invalid in one specific way (a future
version, a relabelled kind, a wrong declared size...), which the real API
rightly refuses to produce.
"""

import base64
import hashlib
import json
import os
from dataclasses import dataclass

from nacl import bindings

VERSION = 1
WRAP = 0x30
ATTACHMENT = 0x10


def secretbox(key: bytes, nonce: bytes, message: bytes) -> bytes:
    return bindings.crypto_secretbox_easy(message, nonce, key)


def secretbox_open(key: bytes, nonce: bytes, box: bytes) -> bytes:
    return bindings.crypto_secretbox_open_easy(box, nonce, key)


def blake2b(data: bytes, key: bytes = b"") -> bytes:
    return hashlib.blake2b(data, digest_size=32, key=key).digest()


def bucket(n: int) -> int:
    size = 512
    while size < n:
        size *= 2
    return size


def record(
    rk: bytes,
    payload: bytes,
    *,
    kind: int = 2,
    version: int = VERSION,
    inner_kind: int | None = None,
    inner_version: int | None = None,
    declared: int | None = None,
    inner_size: int | None = None,
    pad: bytes = b"",
) -> bytes:
    """``VERSION ‖ kind ‖ nonce ‖ secretbox(rk, nonce, inner)`` with every field overridable."""
    inner = (
        bytes((version if inner_version is None else inner_version,))
        + bytes((kind if inner_kind is None else inner_kind,))
        + (len(payload) if declared is None else declared).to_bytes(4, "big")
        + payload
        + pad
    )
    size = bucket(len(inner)) if inner_size is None else inner_size
    inner += bytes(size - len(inner))
    nonce = os.urandom(24)
    return bytes((version, kind)) + nonce + secretbox(rk, nonce, inner)


def wrap(public_key: bytes, inner: bytes) -> bytes:
    return bindings.crypto_box_seal(inner, public_key)


def chunk_nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


def attachment(
    rk: bytes,
    chunks: list[bytes],
    *,
    chunk_size: int,
    meta: object,
    finals: list[bool] | None = None,
    indexes: list[int] | None = None,
    meta_pad: bytes = b"",
) -> bytes:
    """An attachment stream from explicit plaintext chunks, with overridable flags and indexes."""
    fk = os.urandom(32)
    prefix = os.urandom(19)
    key_nonce = os.urandom(24)
    header = (
        bytes((VERSION, ATTACHMENT))
        + chunk_size.to_bytes(4, "big")
        + prefix
        + key_nonce
        + secretbox(rk, key_nonce, fk)
    )
    meta_json = json.dumps(meta).encode() if not isinstance(meta, bytes) else meta
    inner = len(meta_json).to_bytes(4, "big") + meta_json + meta_pad
    inner += bytes(-len(inner) % 256)
    meta_box = secretbox(fk, chunk_nonce(prefix, 0, False), inner)
    out = header + len(meta_box).to_bytes(4, "big") + meta_box
    finals = finals or [i == len(chunks) - 1 for i in range(len(chunks))]
    indexes = indexes or list(range(1, len(chunks) + 1))
    for plain, final, index in zip(chunks, finals, indexes, strict=True):
        out += secretbox(fk, chunk_nonce(prefix, index, final), plain)
    return out


@dataclass
class Layout:
    """An attachment stream cut into its parts by length alone (no key)."""

    head: bytes  # header and meta
    chunks: list[bytes]

    def join(self, chunks: list[bytes] | None = None) -> bytes:
        return self.head + b"".join(self.chunks if chunks is None else chunks)


def split(stream: bytes) -> Layout:
    chunk_size = int.from_bytes(stream[2:6], "big")
    meta_end = 101 + int.from_bytes(stream[97:101], "big")
    body = stream[meta_end:]
    step = chunk_size + 16
    return Layout(stream[:meta_end], [body[i : i + step] for i in range(0, len(body), step)])


def open_attachment(rk: bytes, stream: bytes) -> tuple[dict[str, object], bytes]:
    """Reference reader, used to check the real writer against the spec."""
    layout = split(stream)
    prefix, key_nonce = stream[6:25], stream[25:49]
    fk = secretbox_open(rk, key_nonce, stream[49:97])
    meta_inner = secretbox_open(fk, chunk_nonce(prefix, 0, False), stream[101 : len(layout.head)])
    meta = json.loads(meta_inner[4 : 4 + int.from_bytes(meta_inner[:4], "big")])
    last = len(layout.chunks)
    plain = b"".join(
        secretbox_open(fk, chunk_nonce(prefix, i, i == last), chunk)
        for i, chunk in enumerate(layout.chunks, start=1)
    )
    return meta, plain


def crockford(secret: bytes) -> str:
    """Crockford base32 via the standard library's RFC 4648 base32 and a translation table."""
    rfc = base64.b32encode(secret).decode()
    return rfc.translate(
        str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    )
