import hashlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import (
    ATTACHMENT_HEAD_SIZE,
    ATTACHMENT_HEADER_SIZE,
    ATTACHMENT_INFO_SIZE,
    AttachmentInfo,
    CryptoError,
    ReportKey,
    check_attachment_layout,
    check_attachment_structure,
    decrypt_attachment,
    encrypt_attachment,
    open_attachment,
)

from . import forge
from .strategies import bit_masks, flip, positions

KEY = ReportKey.generate()
RAW = KEY._raw()


def encrypt(
    data: bytes, *, chunk_size: int = 1024, name: str = "file.bin", content_type: str = "x/y"
) -> bytes:
    sink = io.BytesIO()
    written = encrypt_attachment(
        KEY,
        io.BytesIO(data),
        sink,
        name=name,
        content_type=content_type,
        size=len(data),
        chunk_size=chunk_size,
    )
    assert written == len(sink.getvalue())
    return sink.getvalue()


def decrypt(stream: bytes, key: ReportKey = KEY) -> tuple[AttachmentInfo, bytes]:
    sink = io.BytesIO()
    info = decrypt_attachment(key, io.BytesIO(stream), sink)
    return info, sink.getvalue()


def expected_length(size: int, chunk_size: int, meta_box: int = 272) -> int:
    chunks = max(1, -(-size // chunk_size))
    return ATTACHMENT_HEAD_SIZE + meta_box + 16 * chunks + size


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=5000), st.sampled_from([1024, 1025, 2048]))
def test_round_trip(data: bytes, chunk_size: int) -> None:
    stream = encrypt(data, chunk_size=chunk_size)
    assert len(stream) == expected_length(len(data), chunk_size)
    assert check_attachment_layout(stream[:ATTACHMENT_HEAD_SIZE], len(stream)) == chunk_size
    info, plain = decrypt(stream)
    assert plain == data
    assert info == AttachmentInfo(name="file.bin", content_type="x/y", size=len(data))


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 3000])
def test_round_trip_around_chunk_edges(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    stream = encrypt(data)
    assert len(stream) == expected_length(size, 1024)
    assert decrypt(stream)[1] == data
    layout = forge.split(stream)
    assert len(layout.chunks) == max(1, -(-size // 1024))
    assert all(len(chunk) == 1040 for chunk in layout.chunks[:-1])
    meta, plain = forge.open_attachment(RAW, stream)
    assert plain == data
    assert meta == {"name": "file.bin", "type": "x/y", "size": size}


def test_chunks_are_yielded_one_by_one() -> None:
    data = bytes(range(250)) * 20
    reader = open_attachment(KEY, io.BytesIO(encrypt(data)))
    chunks = list(reader.chunks())
    assert [len(chunk) for chunk in chunks] == [1024, 1024, 1024, 1024, 904]
    assert b"".join(chunks) == data
    with pytest.raises(CryptoError, match="only be read once"):
        reader.chunks()


def test_metadata_is_authenticated_and_hidden() -> None:
    name = "Ковальчук - Zürich 🙂.pdf"
    stream = encrypt(b"%PDF", name=name, content_type="application/pdf")
    assert name.encode() not in stream
    assert b"application/pdf" not in stream
    info, _ = decrypt(stream)
    assert info == AttachmentInfo(name=name, content_type="application/pdf", size=4)
    assert repr(open_attachment(KEY, io.BytesIO(stream))).startswith("AttachmentReader(")


def test_reference_stream_opens() -> None:
    chunks = [b"a" * 1024, b"b" * 1024, b"c" * 10]
    stream = forge.attachment(
        RAW, chunks, chunk_size=1024, meta={"name": "n", "type": "t", "size": 2058}
    )
    info, plain = decrypt(stream)
    assert plain == b"".join(chunks)
    assert info.size == 2058


def test_an_empty_final_chunk_after_full_ones_is_accepted() -> None:
    # Writers produce max(1, ceil(size / chunk_size)) chunks, but the reader
    # accepts any layout the spec allows, including a trailing empty chunk.
    stream = forge.attachment(
        RAW, [b"a" * 1024, b""], chunk_size=1024, meta={"name": "n", "type": "t", "size": 1024}
    )
    assert decrypt(stream)[1] == b"a" * 1024


class Trickle(io.RawIOBase):
    """A raw stream that returns at most 7 bytes per read, like a slow socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(min(len(buffer), 7))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_short_reads_do_not_move_chunk_boundaries() -> None:
    data = bytes(range(256)) * 13
    sink = io.BytesIO()
    encrypt_attachment(KEY, Trickle(data), sink, name="n", content_type="t", size=len(data))
    out = io.BytesIO()
    decrypt_attachment(KEY, Trickle(sink.getvalue()), out)
    assert out.getvalue() == data


# --- tampering -----------------------------------------------------------------

DATA = bytes(range(256)) * 11 + b"tail"  # 2820 bytes: chunks of 1024, 1024, 772
STREAM = encrypt(DATA)
LAYOUT = forge.split(STREAM)


def test_layout_fixture_has_three_chunks() -> None:
    assert [len(chunk) for chunk in LAYOUT.chunks] == [1040, 1040, 788]
    assert LAYOUT.join() == STREAM


def refused(stream: bytes, message: str | None = None) -> None:
    with pytest.raises(CryptoError, match=message):
        decrypt(stream)


@settings(max_examples=300, deadline=None)
@given(positions, bit_masks)
def test_any_flipped_byte_is_refused(position: int, bits: int) -> None:
    refused(flip(STREAM, position, bits))


SMALL = encrypt(b"just one chunk")


@settings(max_examples=200, deadline=None)
@given(positions, bit_masks)
def test_a_flipped_byte_in_a_one_chunk_stream_never_changes_the_result(
    position: int, bits: int
) -> None:
    # The chunk size in the header is only bound by where chunks start, so in
    # a one-chunk stream a larger chunk size still opens, to the same content.
    damaged = flip(SMALL, position, bits)
    try:
        result = decrypt(damaged)
    except CryptoError:
        return
    assert 2 <= position % len(SMALL) < 6
    assert result == decrypt(SMALL)


def test_wrong_key_is_refused() -> None:
    refused_with_other_key = pytest.raises(CryptoError, match="attachment key: authentication")
    with refused_with_other_key:
        open_attachment(ReportKey.generate(), io.BytesIO(STREAM))


@pytest.mark.parametrize(
    ("chunks", "message"),
    [
        ([0, 2], "chunk 2: authentication failed"),  # dropped middle chunk
        ([1, 2], "chunk 1: authentication failed"),  # dropped first chunk
        ([0, 1], "chunk 2: authentication failed"),  # dropped last: cut at a boundary
        ([0], "chunk 1: authentication failed"),  # cut after the first chunk
        ([1, 0, 2], "chunk 1: authentication failed"),  # reordered
        ([0, 2, 1], "chunk 2: authentication failed"),  # reordered
        ([0, 0, 1, 2], "chunk 2: authentication failed"),  # duplicated
        ([0, 1, 2, 2], "chunk 3: authentication failed"),  # final chunk repeated
        ([], "no content chunk"),  # cut after the metadata
    ],
)
def test_chunk_reordering_and_truncation_are_refused(chunks: list[int], message: str) -> None:
    refused(LAYOUT.join([LAYOUT.chunks[i] for i in chunks]), message)


@pytest.mark.parametrize(
    "cut",
    [
        1,
        ATTACHMENT_HEADER_SIZE - 1,
        ATTACHMENT_HEADER_SIZE,
        ATTACHMENT_HEADER_SIZE + 3,
        ATTACHMENT_HEAD_SIZE + 100,
        len(LAYOUT.head) + 1,
        len(LAYOUT.head) + 15,
        len(LAYOUT.head) + 1039,
        len(STREAM) - 1,
        len(STREAM) - 772,
    ],
)
def test_truncation_anywhere_is_refused(cut: int) -> None:
    refused(STREAM[:cut])


@pytest.mark.parametrize(
    "garbage", [b"\x00", bytes(15), bytes(16), bytes(1040), LAYOUT.chunks[-1], LAYOUT.chunks[0]]
)
def test_appended_bytes_are_refused(garbage: bytes) -> None:
    refused(STREAM + garbage)


def test_nothing_unverified_is_yielded() -> None:
    damaged = flip(STREAM, len(LAYOUT.head) + 1040 + 500, 1)
    reader = open_attachment(KEY, io.BytesIO(damaged))
    received = []
    with pytest.raises(CryptoError, match="chunk 2"):
        received.extend(reader.chunks())
    assert received == [DATA[:1024]]


def test_version_kind_and_chunk_size_in_the_header() -> None:
    refused(b"\x02" + STREAM[1:], "unsupported version")
    refused(STREAM[:1] + b"\x11" + STREAM[2:], "wrong kind")
    refused(STREAM[:2] + (1023).to_bytes(4, "big") + STREAM[6:], "chunk size")
    refused(STREAM[:2] + (2**24 + 1).to_bytes(4, "big") + STREAM[6:], "chunk size")
    refused(STREAM[:2] + (2048).to_bytes(4, "big") + STREAM[6:], "chunk 1: authentication")


def test_metadata_length_prefix_is_checked() -> None:
    for length in (0, 271, 273, 4369, 4624, 2**32 - 1):
        damaged = STREAM[:ATTACHMENT_HEADER_SIZE] + length.to_bytes(4, "big") + STREAM[101:]
        refused(damaged, "attachment metadata")


# --- declared size and forged metadata ----------------------------------------------


def test_source_shorter_or_longer_than_declared_is_refused() -> None:
    for declared, message in ((11, "shorter"), (9, "longer"), (0, "longer")):
        with pytest.raises(CryptoError, match=message):
            encrypt_attachment(
                KEY, io.BytesIO(bytes(10)), io.BytesIO(), name="n", content_type="t", size=declared
            )


@pytest.mark.parametrize("declared", [0, 2047, 2049, 2**40])
def test_content_not_matching_declared_size_is_refused(declared: int) -> None:
    stream = forge.attachment(
        RAW,
        [b"a" * 1024, b"b" * 1024],
        chunk_size=1024,
        meta={"name": "", "type": "", "size": declared},
    )
    reader = open_attachment(KEY, io.BytesIO(stream))
    with pytest.raises(CryptoError, match="size does not match"):
        list(reader.chunks())


def test_no_bytes_beyond_the_declared_size_are_yielded() -> None:
    stream = forge.attachment(
        RAW, [b"a" * 1024, b"b" * 1024], chunk_size=1024, meta={"name": "", "type": "", "size": 100}
    )
    received: list[bytes] = []
    with pytest.raises(CryptoError):
        received.extend(open_attachment(KEY, io.BytesIO(stream)).chunks())
    assert received == []


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"name": "n", "type": "t"}, "exactly name, type and size"),
        ({"name": "n", "type": "t", "size": 1, "x": 1}, "exactly name, type and size"),
        (["n", "t", 1], "exactly name, type and size"),
        ({"name": 1, "type": "t", "size": 1}, "must be strings"),
        ({"name": "n", "type": None, "size": 1}, "must be strings"),
        ({"name": "n", "type": "t", "size": -1}, "size out of range"),
        ({"name": "n", "type": "t", "size": 1.0}, "size out of range"),
        ({"name": "n", "type": "t", "size": True}, "size out of range"),
        ({"name": "n", "type": "t", "size": 2**53}, "size out of range"),
        (b"{not json", "not valid JSON"),
        (b'{"name":"n","type":"t","size":NaN}', "not valid JSON"),
    ],
)
def test_forged_metadata_is_refused(meta: object, message: str) -> None:
    stream = forge.attachment(RAW, [b"x"], chunk_size=1024, meta=meta)
    with pytest.raises(CryptoError, match=message):
        open_attachment(KEY, io.BytesIO(stream))


def test_metadata_padding_must_be_zero() -> None:
    stream = forge.attachment(
        RAW, [b"x"], chunk_size=1024, meta={"name": "", "type": "", "size": 1}, meta_pad=b"\x01"
    )
    with pytest.raises(CryptoError, match="non-zero padding"):
        open_attachment(KEY, io.BytesIO(stream))


def test_forged_final_flags_and_indexes_are_refused() -> None:
    meta = {"name": "", "type": "", "size": 2048}
    chunks = [b"a" * 1024, b"b" * 1024]
    for finals, indexes in (([True, True], None), ([False, False], None), (None, [2, 3])):
        stream = forge.attachment(
            RAW, chunks, chunk_size=1024, meta=meta, finals=finals, indexes=indexes
        )
        refused(stream, "authentication failed")


# --- argument checks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chunk_size": 1023}, "chunk size"),
        ({"chunk_size": 2**24 + 1}, "chunk size"),
        ({"chunk_size": 1024.0}, "chunk size"),
        ({"size": -1}, "size out of range"),
        ({"size": 2**53}, "size out of range"),
        ({"size": True}, "size out of range"),
        ({"name": "x" * 5000}, "too long"),
        ({"name": "\ud800"}, "not a JSON value"),
        ({"name": None}, "must be strings"),
        ({"content_type": b"t"}, "must be strings"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"name": "n", "content_type": "t", "size": 0} | kwargs
    with pytest.raises(CryptoError, match=message):
        encrypt_attachment(KEY, io.BytesIO(), io.BytesIO(), **arguments)  # type: ignore[arg-type]


def test_longest_metadata_is_accepted() -> None:
    overhead = len('{"name":"","type":"t","size":0}')
    stream = encrypt(b"", name="n" * (4096 - overhead), content_type="t")
    assert len(forge.split(stream).head) == ATTACHMENT_HEAD_SIZE + 4352 + 16
    assert decrypt(stream)[0].name == "n" * (4096 - overhead)
    with pytest.raises(CryptoError, match="too long"):
        encrypt(b"", name="n" * (4097 - overhead), content_type="t")


# --- checks without the key -------------------------------------------------------


def test_structure_check() -> None:
    assert check_attachment_structure(STREAM[:ATTACHMENT_HEADER_SIZE]) == 1024
    for header, message in [
        (STREAM[:96], "97 bytes"),
        (STREAM[:98], "97 bytes"),
        (b"\x02" + STREAM[1:97], "unsupported version"),
        (STREAM[:1] + b"\x01" + STREAM[2:97], "wrong kind"),
        (STREAM[:2] + bytes(4) + STREAM[6:97], "chunk size"),
    ]:
        with pytest.raises(CryptoError, match=message):
            check_attachment_structure(header)


def test_layout_check() -> None:
    head = STREAM[:ATTACHMENT_HEAD_SIZE]
    assert check_attachment_layout(head, len(STREAM)) == 1024
    meta_end = len(LAYOUT.head)
    for total in (meta_end, meta_end + 15, meta_end + 1040 + 1, meta_end + 2 * 1040 + 15):
        with pytest.raises(CryptoError, match="split into chunks"):
            check_attachment_layout(head, total)
    for total in (meta_end + 16, meta_end + 1040, meta_end + 1040 + 16):
        assert check_attachment_layout(head, total) == 1024
    with pytest.raises(CryptoError, match="metadata: wrong length"):
        check_attachment_layout(STREAM[:97] + bytes(4), len(STREAM))
    with pytest.raises(CryptoError, match="101 bytes"):
        check_attachment_layout(STREAM[:100], len(STREAM))


def test_streams_hash_the_same_after_a_round_trip() -> None:
    data = bytes(range(256)) * 400
    assert (
        hashlib.sha256(decrypt(encrypt(data, chunk_size=4096))[1]).digest()
        == hashlib.sha256(data).digest()
    )


@pytest.mark.parametrize("name", ["a.pdf", "ж" * 2000, "x" * 4000])
def test_the_first_info_size_bytes_hold_the_name_type_and_size(name: str) -> None:
    # The longest metadata there can be (a name of ~4 KB) still fits.
    stream = encrypt(b"payload" * 500, name=name)
    head = stream[:ATTACHMENT_INFO_SIZE]
    assert open_attachment(KEY, io.BytesIO(head)).info == AttachmentInfo(name, "x/y", 3500)
    meta_end = ATTACHMENT_HEAD_SIZE + int.from_bytes(
        stream[ATTACHMENT_HEADER_SIZE:ATTACHMENT_HEAD_SIZE]
    )
    assert meta_end <= ATTACHMENT_INFO_SIZE
