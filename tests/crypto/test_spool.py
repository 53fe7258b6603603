"""SealedSpool: plaintext goes in and comes back out, only ciphertext touches the file."""

import io
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import (
    MIN_CHUNK_SIZE,
    CryptoError,
    ReportKey,
    SealedSpool,
    attachment_stream_limit,
    check_attachment_layout,
    encrypt_attachment,
)

CANARY = b"CANARY-spool-4d1f"


def spool_of(
    data: bytes, *, chunk_size: int = 16, pieces: int = 3
) -> tuple[SealedSpool, io.BytesIO]:
    file = io.BytesIO()
    spool = SealedSpool(file, chunk_size=chunk_size)
    step = max(1, len(data) // pieces)
    for start in range(0, len(data), step):
        spool.write(data[start : start + step])
    spool.seek(0)
    return spool, file


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=200), chunk_size=st.integers(1, 40), read_size=st.integers(1, 50))
def test_what_is_written_reads_back(data: bytes, chunk_size: int, read_size: int) -> None:
    spool, _ = spool_of(data, chunk_size=chunk_size)
    assert spool.size == len(data)
    parts = []
    while part := spool.read(read_size):
        parts.append(part)
    assert b"".join(parts) == data
    spool.seek(0)
    assert spool.read() == data


def test_the_file_holds_no_plaintext() -> None:
    with tempfile.TemporaryFile() as file:
        spool = SealedSpool(file, chunk_size=1024)
        for _ in range(100):
            spool.write(CANARY * 10)
        spool.seek(0)
        file.seek(0)
        assert CANARY not in file.read()
        spool.seek(0)
        assert spool.read() == CANARY * 1000


def test_an_empty_spool_reads_back_empty() -> None:
    spool, file = spool_of(b"")
    assert spool.size == 0
    assert spool.read(10) == b""
    assert len(file.getvalue()) == 16  # one sealed empty chunk


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:-1],  # cut
        lambda raw: raw + b"x",  # extended
        lambda raw: raw[:5] + bytes([raw[5] ^ 1]) + raw[6:],  # altered
        lambda raw: raw[16 + 16 :] + raw[: 16 + 16],  # chunks swapped
    ],
)
def test_a_changed_file_fails_to_read_back(damage) -> None:
    spool, file = spool_of(bytes(range(48)), chunk_size=16)
    damaged = damage(file.getvalue())
    file.seek(0)
    file.truncate()
    file.write(damaged)
    spool.seek(0)
    with pytest.raises(CryptoError):
        spool.read()


def test_misuse_is_refused() -> None:
    spool = SealedSpool(io.BytesIO())
    with pytest.raises(ValueError, match="seek"):
        spool.read()
    spool.write(b"abc")
    with pytest.raises(ValueError, match="seek"):
        spool.seek(1)
    spool.seek(0)
    with pytest.raises(ValueError, match="write"):
        spool.write(b"more")
    spool.close()
    assert spool.closed
    assert "abc" not in repr(spool)


def test_a_spool_feeds_encrypt_attachment() -> None:
    data = CANARY * 5000
    spool, _ = spool_of(data, chunk_size=4096, pieces=7)
    sink = io.BytesIO()
    encrypt_attachment(
        ReportKey.generate(), spool, sink, name="n.txt", content_type="text/plain", size=spool.size
    )
    assert CANARY not in sink.getvalue()


@pytest.mark.parametrize("size", [0, 1, MIN_CHUNK_SIZE, 10 * MIN_CHUNK_SIZE + 1, 3_000_000])
def test_stream_limit_bounds_every_chunk_size(size: int) -> None:
    limit = attachment_stream_limit(size)
    longest = io.BytesIO()
    encrypt_attachment(
        ReportKey.generate(),
        io.BytesIO(bytes(size)),
        longest,
        name="n" * 3000,
        content_type="t" * 1000,
        size=size,
        chunk_size=MIN_CHUNK_SIZE,
    )
    stream = longest.getvalue()
    check_attachment_layout(stream[:101], len(stream))
    assert len(stream) <= limit
    assert limit - len(stream) < 300  # only the metadata's last block can differ


def test_stream_limit_refuses_nonsense() -> None:
    with pytest.raises(CryptoError):
        attachment_stream_limit(-1)
