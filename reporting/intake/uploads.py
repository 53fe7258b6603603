"""Pending uploads: attachment ciphertext that has arrived but belongs to no case yet.

A browser uploads each encrypted attachment stream in parts (at most
`MAX_PART_BYTES` per request, docs/submission.md), so a large file over a slow
link survives interruptions and no request holds more than a part. The parts
are appended to a file named by the upload's random id in `pending/` beside
the blob store, on the same filesystem, so that attaching the upload to a case
links the file into the store instead of copying it. The server can check a
stream's header and layout but never its content: it holds no key.

State lives in the filesystem only, so every worker on the host sees the same
uploads: a file's size is what has arrived, `flock` serialises the writers of
one upload and keeps an upload from being attached while a part is still
arriving. File times are set to the hour, like every reporter-side time
Vigil keeps.

Anyone may open an upload and send it junk (the server cannot tell junk from
ciphertext), so what pending uploads hold together is bounded
(`max_total_bytes`, VIGIL_PENDING_UPLOAD_BYTES), and past the bound the
uploads opened first are removed first. The reasoning, in docs/limits.md:

- Oldest first protects the upload a reporter is sending now. To have it
  removed, a flood must bring in more than the bound, in uploads opened after
  it, while it is still pending: the whole bound in bandwidth (or, with empty
  uploads, in requests, each charged `MIN_CHARGE`) for every reporter it
  wants to stop, instead of filling the disk once for a day. Largest-first
  would fall to many small uploads, newest-first (refusing new uploads when
  full) to a flood that filled the store first, and least-recently-written
  to a flood that keeps its uploads fresh with a byte each.
- The price is that a reporter whose upload takes long (a large file on a
  slow link) is exposed longest; the bound should be sized so that filling
  it takes a flood far longer than a reporter's upload does.
- An upload receiving a part, or being attached, holds its lock and is passed
  over; it is removed once it is idle, if it is still the oldest.

Opening order is kept as empty marker files `pending/order/<number>-<id>`
(numbers from the ledger, so names sort by age) and the running total charged
in `pending/ledger`, both under the ledger's lock; a janitor thread removes
uploads untouched for `PENDING_LIFETIME` and recounts the total from the
files, so a crash between a file and the ledger is corrected within minutes.

This module opens, appends to, completes and adopts uploads (`PendingUploads`);
what they share, the bound, the ledger, the markers, expiry and the recount,
is in reporting/intake/upload_space.py, the operations on one upload's file in
upload_files.py, and the janitor thread in upload_janitor.py.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from crypto import ATTACHMENT_HEADER_SIZE
from crypto.attachments import Readable
from reporting.core.blobstore import FilesystemBlobStore, fsync_directory
from reporting.core.errors import (
    InvalidSubmission,
    InvalidUpload,
    PayloadTooLarge,
    UploadComplete,
    UploadNotFound,
    UploadOffsetMismatch,
    UploadsFull,
)
from reporting.intake.upload_files import (
    check_header,
    check_layout,
    copy_part,
    create_empty,
    lock_upload,
    stamp_hour,
)
from reporting.intake.upload_space import MIN_CHARGE, UploadSpace

MAX_PART_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class AdoptedUpload:
    """An upload now in the blob store under `blob_key`."""

    upload_id: str
    blob_key: str
    size: int


class PendingUploads(UploadSpace):
    """Uploads opened, appended to part by part, completed, and adopted into the blob store."""

    def __init__(
        self,
        blob_store: FilesystemBlobStore,
        *,
        max_stream_bytes: int,
        max_per_request: int,
        max_total_bytes: int,
    ) -> None:
        super().__init__(blob_store.root / "pending", max_total_bytes=max_total_bytes)
        self.blob_store = blob_store
        self.max_stream_bytes = max_stream_bytes
        self.max_per_request = max_per_request

    def create(self) -> str:
        """Open a new, empty upload; returns its id.

        UploadsFull if no room can be made: every older upload is receiving a
        part or being attached at this moment.
        """
        self._make_directory()
        upload_id = secrets.token_hex(16)
        with self._ledger() as ledger:
            marker = self._order / f"{ledger.next_number:016x}-{upload_id}"
            ledger.next_number += 1
            create_empty(marker)
            create_empty(self._path(upload_id))
            ledger.total += MIN_CHARGE
            if self._make_room(ledger, writer=upload_id):
                raise UploadsFull()
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
        still has a valid layout) from a whole one. UploadEvicted if making
        room for the part removed this upload, the oldest.
        """
        path = self._path(upload_id)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError:
            if self._path(upload_id, complete=True).exists():
                raise UploadComplete() from None
            raise UploadNotFound() from None
        with os.fdopen(fd, "ab") as handle:
            lock_upload(handle, path)
            received = os.fstat(fd).st_size
            if offset != received:
                raise UploadOffsetMismatch(received=received)
            if length > self.max_per_request or received + length > self.max_stream_bytes:
                raise PayloadTooLarge()
            try:
                try:
                    copy_part(source, handle, length)
                finally:
                    handle.flush()
                    os.fsync(fd)
                total = os.fstat(fd).st_size
                if received < ATTACHMENT_HEADER_SIZE <= total:
                    check_header(path, fd, received)
                if final:
                    self._complete(upload_id)
            finally:
                # Also when the part was cut off or refused: the file's times
                # are set to the hour after everything that wrote or read it
                # (reading set its access time to the moment, which the blob
                # store would keep, being the same inode).
                stamp_hour(fd)
                # Whatever stayed (all of it, a prefix, nothing) is charged.
                self._charge(upload_id, received, os.fstat(fd).st_size)
            return total

    def _complete(self, upload_id: str) -> None:
        """Check a whole stream's layout and mark the upload complete (the caller locked it)."""
        path = self._path(upload_id)
        with path.open("rb") as reader:
            check_layout(reader)
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
            lock_upload(handle, path)
            yield handle

    def write_new(self, produce: Callable[[BinaryIO], object]) -> str:
        """A new, complete upload holding what `produce` writes (the server-side path)."""
        upload_id = self.create()
        path = self._path(upload_id)
        try:
            with path.open("ab") as handle:
                lock_upload(handle, path)
                try:
                    produce(handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                    stamp_hour(path)
                    os.rename(path, self._path(upload_id, complete=True))
                finally:
                    self._charge(upload_id, 0, os.fstat(handle.fileno()).st_size)
        except UploadNotFound:
            # Removed to make room: only when every older upload was busy, the
            # same answer as at opening.
            self.discard([upload_id])
            raise UploadsFull() from None
        except BaseException:
            self.discard([upload_id])
            raise
        return upload_id
