"""Storage for encrypted attachment streams.

A blob store only ever receives ciphertext: attachments are encrypted in the
reporter's browser (or, without JavaScript, in memory on arrival) before a
single byte is written here, and the file name and media type travel inside
the ciphertext. Nothing here needs to be, or is, confidential; what the store
must guarantee is that a blob under a key is complete: a crash or error while
writing leaves no blob at all rather than a truncated one.

Keys are random and carry no meaning, so a listing of the store reveals only
the number and sizes of attachments.

A store also keeps the keys of blobs due for deletion (`pending_deletions`):
the retention purge records them before the rows naming them go and clears
them once the blobs are gone, so a deletion that fails is retried by the
next purge.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import IO, BinaryIO, Protocol

from reporting.core.files import PRIVATE_DIRECTORY_MODE, private_directory

KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
# The filesystem store's list of the keys whose rows were purged but whose
# blobs are still to be deleted (`pending_deletions`). A dotted name is never
# a key.
PENDING_DELETIONS_FILE = ".pending-deletions"


class BlobStoreError(Exception):
    """Base class for the blob store's errors."""


class InvalidBlobKeyError(BlobStoreError, ValueError):
    """A key that `new_key` cannot have produced; refused before touching the filesystem."""


class BlobNotFoundError(BlobStoreError, LookupError):
    pass


class BlobExistsError(BlobStoreError):
    """Blobs are written once; replacing one would let a writer swap ciphertext."""


class BlobStore(Protocol):
    def new_key(self) -> str:
        """A fresh random key (filesystem-safe)."""
        ...

    def open_writer(self, key: str) -> AbstractContextManager[BinaryIO]:
        """A file to write into; the blob appears under `key` only if the block ends normally."""
        ...

    def adopt_file(self, key: str, path: Path) -> None:
        """Make the complete file at `path` the blob under `key` (the file itself stays)."""
        ...

    def open_reader(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None:
        """Remove the blob; removing one that is not there is not an error."""
        ...

    def pending_deletions(self) -> AbstractContextManager[PendingDeletions]:
        """The keys of blobs due for deletion, held by one caller at a time until the block ends."""
        ...


class PendingDeletions(Protocol):
    """The keys of blobs whose rows are gone but whose deletion is still to be done."""

    def keys(self) -> list[str]: ...

    def replace(self, keys: Sequence[str]) -> None:
        """Make `keys` the pending ones, durably, before returning (none: the list is cleared)."""
        ...


class PendingDeletionsFile:
    """`PendingDeletions` as a file of one key a line, open and locked by its holder."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    def keys(self) -> list[str]:
        self._handle.seek(0)
        return [line.strip() for line in self._handle if line.strip()]

    def replace(self, keys: Sequence[str]) -> None:
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write("".join(f"{key}\n" for key in keys))
        self._handle.flush()
        os.fsync(self._handle.fileno())


class FilesystemBlobStore:
    """Blobs as files under `root`, spread over 256 subdirectories by key prefix.

    Writes go to a temporary file in the blob's own directory (so the final
    link is on the same filesystem and atomic), are fsynced, and are then
    linked under the key, refusing to replace an existing blob; the directory
    is fsynced so the new name survives a power cut.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def new_key(self) -> str:
        return secrets.token_hex(16)

    def _path(self, key: str) -> Path:
        # The pattern admits only lower-case hex: no separators, no "..", no
        # absolute paths, so a key can never address a file outside the root.
        if not KEY_PATTERN.fullmatch(key):
            raise InvalidBlobKeyError(f"not a blob key: {key!r}")
        return self.root / key[:2] / key

    @contextmanager
    def _writer(self, key: str, final: Path) -> Iterator[BinaryIO]:
        if final.exists():
            raise BlobExistsError(f"blob {key} already exists")
        self._make_directory(final.parent)
        # mkstemp: owner-only permissions, and a dotted name that never matches a key.
        fd, temporary = tempfile.mkstemp(prefix=f".tmp-{key}-", dir=final.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, final)
            except FileExistsError:
                raise BlobExistsError(f"blob {key} already exists") from None
        finally:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
        fsync_directory(final.parent)

    def open_writer(self, key: str) -> AbstractContextManager[BinaryIO]:
        # The key is checked now, not when the block is entered.
        return self._writer(key, self._path(key))

    def adopt_file(self, key: str, path: Path) -> None:
        """Link a complete, fsynced file on the same filesystem under `key`.

        For attachments uploaded in parts: the parts were appended to a
        pending file beside the store, and linking it in place is atomic and
        copies nothing, however large the file.
        """
        final = self._path(key)
        self._make_directory(final.parent)
        try:
            os.link(path, final)
        except FileExistsError:
            raise BlobExistsError(f"blob {key} already exists") from None
        fsync_directory(final.parent)

    def open_reader(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise BlobNotFoundError(f"no blob {key}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise BlobNotFoundError(f"no blob {key}") from None

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        fsync_directory(path.parent)

    @contextmanager
    def pending_deletions(self) -> Iterator[PendingDeletionsFile]:
        """The pending-deletions file under `root`, locked: one holder at a time per store."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.root / PENDING_DELETIONS_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield PendingDeletionsFile(handle)

    def _make_directory(self, directory: Path) -> None:
        if directory.is_dir():
            return
        private_directory(self.root)
        directory.mkdir(mode=PRIVATE_DIRECTORY_MODE, exist_ok=True)
        fsync_directory(self.root)


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
