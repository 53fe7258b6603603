"""Pending uploads: attachment ciphertext that has arrived but belongs to no case yet.

A browser uploads each encrypted attachment stream in parts (at most
`MAX_PART_BYTES` per request, docs/submission.md), so a large file over a slow
link survives interruptions and no request holds more than a part. The parts
are appended to a file named by the upload's random id in `pending/` beside
the blob store, on the same filesystem, so that attaching the upload to a case
links the file into the store instead of copying it. The server can check a
stream's header and layout but never its content: it holds no key.

State lives in the filesystem only (the file's size is what has arrived), so
every worker on the host sees the same uploads. `flock` serialises the
writers of one upload and keeps an upload from being attached while a part is
still arriving. File times are set to the hour, like every reporter-side
time Vigil keeps, and an upload untouched for `PENDING_LIFETIME` is deleted.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from crypto import (
    ATTACHMENT_HEAD_SIZE,
    ATTACHMENT_HEADER_SIZE,
    CryptoError,
    check_attachment_layout,
    check_attachment_structure,
)
from crypto.attachments import Readable
from reporting import clock
from reporting.blobstore import FilesystemBlobStore, fsync_directory
from reporting.errors import (
    InvalidSubmission,
    InvalidUpload,
    PayloadTooLarge,
    UploadBusy,
    UploadComplete,
    UploadNotFound,
    UploadOffsetMismatch,
)
from reporting.models import current_hour

MAX_PART_BYTES = 8 * 1024 * 1024
PENDING_LIFETIME = timedelta(hours=24)
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
# A complete upload (its last part arrived) is renamed with this suffix.
_COMPLETE = ".complete"
_COPY_SIZE = 64 * 1024
# Expired uploads are looked for when an upload is opened, at most this often.
_PURGE_INTERVAL_SECONDS = 600


@dataclass(frozen=True)
class AdoptedUpload:
    """An upload now in the blob store under `blob_key`."""

    upload_id: str
    blob_key: str
    size: int


class PendingUploads:
    def __init__(
        self, blob_store: FilesystemBlobStore, *, max_stream_bytes: int, max_per_request: int
    ) -> None:
        self.blob_store = blob_store
        self.directory = blob_store.root / "pending"
        self.max_stream_bytes = max_stream_bytes
        self.max_per_request = max_per_request
        self._next_purge = 0.0

    def _path(self, upload_id: str, *, complete: bool = False) -> Path:
        # Only ids `create` can have made: no separators, no "..".
        if not UPLOAD_ID.fullmatch(upload_id):
            raise UploadNotFound()
        return self.directory / (upload_id + _COMPLETE if complete else upload_id)

    def _make_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    def create(self) -> str:
        """Open a new, empty upload; returns its id."""
        self._purge_expired_now_and_then()
        self._make_directory()
        upload_id = secrets.token_hex(16)
        path = self._path(upload_id)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        _stamp_hour(path)
        return upload_id

    def spool_file(self) -> BinaryIO:
        """An unnamed temporary file beside the uploads, for a crypto.SealedSpool."""
        self._make_directory()
        return tempfile.TemporaryFile(dir=self.directory)

    def append(
        self, upload_id: str, offset: int, source: Readable, length: int, *, final: bool
    ) -> int:
        """Append `length` bytes from `source` at `offset`; returns the bytes now received.

        `offset` must be what has arrived so far, else UploadOffsetMismatch
        says how much that is. A part cut off in transit leaves what did
        arrive, which is a prefix of the stream: the client resumes after it.
        `final` marks the last part: the stream's layout is checked and the
        upload is complete, ready to attach, and takes no more parts. Without
        it the server could not tell a stream cut at a chunk boundary (which
        still has a valid layout) from a whole one.
        """
        path = self._path(upload_id)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError:
            if self._path(upload_id, complete=True).exists():
                raise UploadComplete() from None
            raise UploadNotFound() from None
        with os.fdopen(fd, "ab") as handle:
            _lock(handle, path)
            received = os.fstat(fd).st_size
            if offset != received:
                raise UploadOffsetMismatch(received=received)
            if length > self.max_per_request or received + length > self.max_stream_bytes:
                raise PayloadTooLarge()
            try:
                while data := source.read(_COPY_SIZE):
                    handle.write(data)
            finally:
                handle.flush()
                os.fsync(fd)
                _stamp_hour(path)
            total = os.fstat(fd).st_size
            if received < ATTACHMENT_HEADER_SIZE <= total:
                _check_header(path, fd, received)
            if final:
                self._complete(upload_id)
            return total

    def _complete(self, upload_id: str) -> None:
        """Check a whole stream's layout and mark the upload complete (the caller locked it)."""
        path = self._path(upload_id)
        with path.open("rb") as reader:
            _checked_layout(reader)
        os.rename(path, self._path(upload_id, complete=True))
        fsync_directory(self.directory)

    @contextmanager
    def adopt(self, upload_ids: Sequence[str]) -> Iterator[list[AdoptedUpload]]:
        """Link complete uploads into the blob store, all or none.

        The caller commits the rows that name the blobs inside the block. If
        the block raises, the blobs are deleted again and the uploads stay
        pending (the client may retry); if it ends normally, the pending names
        are removed. A crash between the link and the commit can leave an
        unreferenced blob, never a row without its blob.
        """
        if len(set(upload_ids)) != len(upload_ids):
            raise InvalidSubmission()
        with ExitStack() as stack:
            locked = [
                (upload_id, stack.enter_context(self._locked_complete(upload_id)))
                for upload_id in upload_ids
            ]
            adopted: list[AdoptedUpload] = []
            try:
                for upload_id, handle in locked:
                    key = self.blob_store.new_key()
                    self.blob_store.adopt_file(key, self._path(upload_id, complete=True))
                    adopted.append(AdoptedUpload(upload_id, key, os.fstat(handle.fileno()).st_size))
                yield adopted
            except BaseException:
                for upload in adopted:
                    self.blob_store.delete(upload.blob_key)
                raise
            self.discard(upload_ids)

    def discard(self, upload_ids: Sequence[str]) -> None:
        """Remove pending uploads, complete or not (those already gone are no error)."""
        for upload_id in upload_ids:
            for complete in (False, True):
                with suppress(FileNotFoundError):
                    self._path(upload_id, complete=complete).unlink()

    @contextmanager
    def _locked_complete(self, upload_id: str) -> Iterator[BinaryIO]:
        path = self._path(upload_id, complete=True)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            if self._path(upload_id).exists():
                raise InvalidUpload() from None  # still open: its last part never came
            raise UploadNotFound() from None
        with handle:
            # Two submissions naming one upload: the second waits for nothing.
            _lock(handle, path)
            yield handle

    def write_new(self, produce: Callable[[BinaryIO], object]) -> str:
        """A new, complete upload holding what `produce` writes (the server-side path)."""
        upload_id = self.create()
        path = self._path(upload_id)
        try:
            with path.open("ab") as handle:
                produce(handle)
                handle.flush()
                os.fsync(handle.fileno())
            _stamp_hour(path)
            os.rename(path, self._path(upload_id, complete=True))
        except BaseException:
            self.discard([upload_id])
            raise
        return upload_id

    def _purge_expired_now_and_then(self) -> None:
        now = clock.monotonic()
        if now < self._next_purge:
            return
        self._next_purge = now + _PURGE_INTERVAL_SECONDS
        self.purge_expired()

    def purge_expired(self) -> int:
        """Delete uploads untouched for PENDING_LIFETIME; returns how many."""
        cutoff = (current_hour() - PENDING_LIFETIME).timestamp()
        removed = 0
        with suppress(FileNotFoundError), os.scandir(self.directory) as entries:
            for entry in entries:
                upload_id = entry.name.removesuffix(_COMPLETE)
                if UPLOAD_ID.fullmatch(upload_id) and entry.stat().st_mtime < cutoff:
                    with suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed += 1
        return removed


def _lock(handle: BinaryIO, path: Path) -> None:
    """Hold the upload exclusively, and make sure it is still pending."""
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise UploadBusy() from None
    # Between our open and our lock the upload may have been attached (its
    # name removed) or expired: then this handle is no longer the upload.
    try:
        still_pending = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        still_pending = False
    if not still_pending:
        raise UploadNotFound()


def _check_header(path: Path, fd: int, received: int) -> None:
    # Refuse a stream that is not an attachment as soon as its header is in,
    # rather than storing up to the limit of garbage; the part is dropped.
    with path.open("rb") as reader:
        header = reader.read(ATTACHMENT_HEADER_SIZE)
    try:
        check_attachment_structure(header)
    except CryptoError:
        os.ftruncate(fd, received)
        raise InvalidUpload() from None


def _checked_layout(handle: BinaryIO) -> None:
    head = handle.read(ATTACHMENT_HEAD_SIZE)
    try:
        check_attachment_layout(head, os.fstat(handle.fileno()).st_size)
    except CryptoError:
        raise InvalidUpload() from None


def _stamp_hour(path: Path) -> None:
    # The file's times would otherwise tell when the reporter uploaded.
    hour = current_hour().timestamp()
    os.utime(path, (hour, hour))
