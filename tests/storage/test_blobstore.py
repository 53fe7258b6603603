"""The filesystem blob store: atomic, write-once, confined to its root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reporting.core.blobstore import (
    BlobExistsError,
    BlobNotFoundError,
    FilesystemBlobStore,
    InvalidBlobKeyError,
)


def _all_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_write_and_read_back(blob_store: FilesystemBlobStore) -> None:
    key = blob_store.new_key()
    data = os.urandom(200_000)
    with blob_store.open_writer(key) as writer:
        writer.write(data[:1000])
        writer.write(data[1000:])
    assert blob_store.exists(key)
    assert blob_store.size(key) == len(data)
    with blob_store.open_reader(key) as reader:
        assert reader.read() == data


def test_blobs_and_folders_are_owner_only(blob_store: FilesystemBlobStore) -> None:
    key = blob_store.new_key()
    with blob_store.open_writer(key) as writer:
        writer.write(b"ciphertext")
    (blob,) = _all_files(blob_store.root)
    assert blob.stat().st_mode & 0o077 == 0
    assert blob.parent.stat().st_mode & 0o077 == 0


def test_failed_write_leaves_nothing(blob_store: FilesystemBlobStore) -> None:
    key = blob_store.new_key()
    with pytest.raises(RuntimeError, match="upload cut"), blob_store.open_writer(key) as writer:  # noqa: PT012
        writer.write(b"first chunk")
        raise RuntimeError("upload cut")
    assert not blob_store.exists(key)
    assert _all_files(blob_store.root) == []  # no blob and no temporary file


def test_blob_is_invisible_until_the_write_completes(blob_store: FilesystemBlobStore) -> None:
    key = blob_store.new_key()
    with blob_store.open_writer(key) as writer:
        writer.write(b"partial")
        assert not blob_store.exists(key)
        with pytest.raises(BlobNotFoundError):
            blob_store.open_reader(key)
    assert blob_store.exists(key)


def test_blobs_are_written_once(blob_store: FilesystemBlobStore) -> None:
    key = blob_store.new_key()
    with blob_store.open_writer(key) as writer:
        writer.write(b"original")
    with pytest.raises(BlobExistsError), blob_store.open_writer(key) as writer:
        writer.write(b"replacement")
    with blob_store.open_reader(key) as reader:
        assert reader.read() == b"original"
    assert len(_all_files(blob_store.root)) == 1


def test_delete_is_idempotent(blob_store: FilesystemBlobStore) -> None:
    key = blob_store.new_key()
    with blob_store.open_writer(key) as writer:
        writer.write(b"x")
    blob_store.delete(key)
    blob_store.delete(key)
    assert not blob_store.exists(key)
    with pytest.raises(BlobNotFoundError):
        blob_store.size(key)


def test_new_keys_are_random_and_valid(blob_store: FilesystemBlobStore) -> None:
    keys = {blob_store.new_key() for _ in range(1000)}
    assert len(keys) == 1000
    for key in keys:
        assert not blob_store.exists(key)  # valid: no InvalidBlobKeyError


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "..",
        "",
        "ab/cdef0123456789abcdef0123456789",
        "ABCDEF0123456789ABCDEF0123456789",  # upper case: distinct names on some filesystems only
        "abcdef0123456789abcdef012345678",  # one short
        "abcdef0123456789abcdef0123456789\n",
        ".tmp-abcdef0123456789abcdef012345",
    ],
)
def test_keys_that_could_escape_are_refused(
    blob_store: FilesystemBlobStore, tmp_path: Path, key: str
) -> None:
    for operation in (
        blob_store.open_reader,
        blob_store.exists,
        blob_store.size,
        blob_store.delete,
        blob_store.open_writer,
    ):
        with pytest.raises(InvalidBlobKeyError):
            operation(key)
    assert not (tmp_path / "blobs").exists()
