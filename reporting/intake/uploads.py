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
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import tempfile
import threading
import weakref
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
from reporting.core.blobstore import FilesystemBlobStore, fsync_directory
from reporting.core.errors import (
    InvalidSubmission,
    InvalidUpload,
    PayloadTooLarge,
    UploadBusy,
    UploadComplete,
    UploadEvicted,
    UploadNotFound,
    UploadOffsetMismatch,
    UploadsFull,
)
from reporting.core.files import private_directory
from reporting.core.models import current_hour

log = logging.getLogger(__name__)

MAX_PART_BYTES = 8 * 1024 * 1024
PENDING_LIFETIME = timedelta(hours=24)
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
# Every pending upload counts as at least this many bytes against the bound,
# an empty one too: it costs a file, and a flood of empty uploads must bring
# in the bound's worth of these to push out a reporter's upload.
MIN_CHARGE = 64 * 1024
# Once over the bound, this fraction of it more is freed, so the oldest
# uploads are looked for once per so many bytes rather than on every part.
EVICTION_SLACK = 1 / 16
# How often the janitor removes expired uploads and recounts the total.
JANITOR_INTERVAL_SECONDS = 600.0
# A complete upload (its last part arrived) is renamed with this suffix.
_COMPLETE = ".complete"
_ORDER = "order"
_LEDGER = "ledger"
_COPY_SIZE = 64 * 1024


@dataclass(frozen=True)
class AdoptedUpload:
    """An upload now in the blob store under `blob_key`."""

    upload_id: str
    blob_key: str
    size: int


def charge(size: int) -> int:
    """What an upload of `size` bytes counts against the bound."""
    return max(size, MIN_CHARGE)


@dataclass
class _Ledger:
    total: int
    next_number: int


class PendingUploads:
    def __init__(
        self,
        blob_store: FilesystemBlobStore,
        *,
        max_stream_bytes: int,
        max_per_request: int,
        max_total_bytes: int,
    ) -> None:
        self.blob_store = blob_store
        self.directory = blob_store.root / "pending"
        self.max_stream_bytes = max_stream_bytes
        self.max_per_request = max_per_request
        self.max_total_bytes = max_total_bytes

    def _path(self, upload_id: str, *, complete: bool = False) -> Path:
        # Only ids `create` can have made: no separators, no "..".
        if not UPLOAD_ID.fullmatch(upload_id):
            raise UploadNotFound()
        return self.directory / (upload_id + _COMPLETE if complete else upload_id)

    @property
    def _order(self) -> Path:
        return self.directory / _ORDER

    @property
    def ledger_path(self) -> Path:
        return self.directory / _LEDGER

    def _make_directory(self) -> None:
        if not self._order.is_dir():
            private_directory(self._order)

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
            _create_empty(marker)
            _create_empty(self._path(upload_id))
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
            _lock(handle, path)
            received = os.fstat(fd).st_size
            if offset != received:
                raise UploadOffsetMismatch(received=received)
            if length > self.max_per_request or received + length > self.max_stream_bytes:
                raise PayloadTooLarge()
            try:
                try:
                    _copy(source, handle, length)
                finally:
                    handle.flush()
                    os.fsync(fd)
                total = os.fstat(fd).st_size
                if received < ATTACHMENT_HEADER_SIZE <= total:
                    _check_header(path, fd, received)
                if final:
                    self._complete(upload_id)
            finally:
                # Also when the part was cut off or refused: the file's times
                # are set to the hour after everything that wrote or read it
                # (reading set its access time to the moment, which the blob
                # store would keep, being the same inode).
                _stamp_hour(fd)
                # Whatever stayed (all of it, a prefix, nothing) is charged.
                self._charge(upload_id, received, os.fstat(fd).st_size)
            return total

    def _charge(self, upload_id: str, before: int, after: int) -> None:
        """Count an upload's change of size, making room if needed (the caller holds its lock)."""
        with self._ledger() as ledger:
            ledger.total += charge(after) - charge(before)
            evicted = self._make_room(ledger, writer=upload_id)
        if evicted:
            raise UploadEvicted()

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
        """Remove pending uploads, complete or not (those already gone are no error).

        For uploads the caller holds (attached, or its own): one being written
        by someone else would be removed under its writer.
        """
        if not upload_ids:
            return  # most reports carry no file: no need to take the ledger's lock
        with self._ledger() as ledger:
            for upload_id in upload_ids:
                ledger.total -= self._remove(upload_id)

    def _remove(self, upload_id: str) -> int:
        """Unlink an upload's names and marker; returns what it was charged (0 if gone)."""
        freed = 0
        for complete in (False, True):
            path = self._path(upload_id, complete=complete)
            with suppress(FileNotFoundError):
                size = path.stat().st_size
                path.unlink()
                freed += charge(size)
        for marker in self._markers(upload_id):
            with suppress(FileNotFoundError):
                marker.unlink()
        return freed

    def _markers(self, upload_id: str) -> list[Path]:
        # The marker's name starts with the opening number, which only the
        # ledger knew: found by the id at the end of the name.
        with suppress(FileNotFoundError):
            return list(self._order.glob(f"*-{upload_id}"))
        return []

    def _remove_if_idle(self, upload_id: str, *, unless_newer: float | None = None) -> int | None:
        """Remove an upload nobody holds; None if it is busy (a part arriving, being attached).

        `unless_newer`: leave it (None) if its file was touched at or after
        this time (a timestamp): for expiry, which must not remove an upload
        that a part has just reached.
        """
        for complete in (False, True):
            path = self._path(upload_id, complete=complete)
            try:
                handle = path.open("rb")
            except FileNotFoundError:
                continue
            with handle:
                try:
                    _lock(handle, path)
                except UploadBusy:
                    return None
                except UploadNotFound:
                    continue  # completed or removed meanwhile: the other name, or gone
                if unless_newer is not None and os.fstat(handle.fileno()).st_mtime >= unless_newer:
                    return None
                return self._remove(upload_id)
        # Neither name exists: what is left is a marker whose upload went.
        return self._remove(upload_id)

    def _make_room(self, ledger: _Ledger, *, writer: str) -> bool:
        """Remove the oldest idle uploads until the total is within the bound (ledger held).

        Returns True if `writer` (the upload the caller holds, which grew or
        was just opened) was among them: it was the oldest left. Below the
        bound, the slack is freed only from uploads older than the writer.
        """
        if ledger.total <= self.max_total_bytes:
            return False
        target = self.max_total_bytes - int(self.max_total_bytes * EVICTION_SLACK)
        with suppress(FileNotFoundError):
            for name in sorted(os.listdir(self._order)):
                if ledger.total <= target:
                    break
                upload_id = name.partition("-")[2]
                if not UPLOAD_ID.fullmatch(upload_id):
                    continue
                if upload_id == writer:
                    if ledger.total <= self.max_total_bytes:
                        break
                    ledger.total -= self._remove(upload_id)
                    return True
                freed = self._remove_if_idle(upload_id)
                if freed is not None:
                    ledger.total -= freed
        return False

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
                _lock(handle, path)
                try:
                    produce(handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                    _stamp_hour(path)
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

    def purge_expired(self) -> int:
        """Delete idle uploads untouched for PENDING_LIFETIME; returns how many."""
        cutoff = (current_hour() - PENDING_LIFETIME).timestamp()
        expired: list[str] = []
        with suppress(FileNotFoundError), os.scandir(self.directory) as entries:
            for entry in entries:
                upload_id = entry.name.removesuffix(_COMPLETE)
                if UPLOAD_ID.fullmatch(upload_id) and entry.stat().st_mtime < cutoff:
                    expired.append(upload_id)
        removed = 0
        for upload_id in expired:
            with self._ledger() as ledger:
                freed = self._remove_if_idle(upload_id, unless_newer=cutoff)
                if freed:
                    ledger.total -= freed
                    removed += 1
        return removed

    def recount(self) -> int:
        """Recount the total from the files and tidy the markers; returns the total.

        The ledger is kept up to date by every change, but a crash between a
        file and the ledger leaves it off; this sets it right. An upload with
        no marker (a crash while opening it) is taken as the oldest.
        """
        with suppress(FileNotFoundError), self._ledger() as ledger:
            ledger.total = self._recounted(ledger)
            return ledger.total
        return 0

    def _recounted(self, ledger: _Ledger) -> int:
        sizes: dict[str, int] = {}
        with suppress(FileNotFoundError), os.scandir(self.directory) as entries:
            for entry in entries:
                upload_id = entry.name.removesuffix(_COMPLETE)
                if UPLOAD_ID.fullmatch(upload_id):
                    with suppress(FileNotFoundError):
                        sizes[upload_id] = sizes.get(upload_id, 0) + entry.stat().st_size
        marked: set[str] = set()
        with suppress(FileNotFoundError), os.scandir(self._order) as markers:
            for marker in markers:
                number, _, upload_id = marker.name.partition("-")
                if upload_id in sizes:
                    marked.add(upload_id)
                    with suppress(ValueError):
                        ledger.next_number = max(ledger.next_number, int(number, 16) + 1)
                else:
                    with suppress(FileNotFoundError):
                        os.unlink(marker.path)
        for upload_id in sizes.keys() - marked:
            _create_empty(self._order / f"{0:016x}-{upload_id}")
        return sum(charge(size) for size in sizes.values())

    def total_charged(self) -> int:
        """What pending uploads count against the bound now (from the ledger)."""
        with self._ledger() as ledger:
            return ledger.total

    def tidy(self) -> None:
        """The janitor's round: expired uploads go, the total is recounted."""
        if not self.directory.is_dir():
            return  # nothing was ever uploaded, or the instance is gone
        self.purge_expired()
        self.recount()

    @contextmanager
    def _ledger(self) -> Iterator[_Ledger]:
        """The running total and the next opening number, held under the ledger's lock.

        Written back when the block ends, also when it raises: removals done
        before an error happened all the same.
        """
        self._make_directory()
        fd = os.open(self.ledger_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            ledger = _read_ledger(os.pread(fd, 64, 0))
            if ledger is None:
                # New, or damaged: counted from the files.
                ledger = _Ledger(total=0, next_number=0)
                ledger.total = self._recounted(ledger)
            try:
                yield ledger
            finally:
                text = f"{ledger.total} {ledger.next_number}\n".encode()
                os.pwrite(fd, text, 0)
                os.ftruncate(fd, len(text))
                # Rewritten at every part: its times would date the last upload.
                _stamp_hour(fd)
        finally:
            os.close(fd)


def _read_ledger(data: bytes) -> _Ledger | None:
    try:
        total, next_number = (int(field) for field in data.split())
    except ValueError:
        return None
    return _Ledger(total=total, next_number=next_number)


class Janitor:
    """A daemon thread that tidies pending uploads every `interval` seconds, by itself.

    Expired uploads would otherwise be removed only when some request looked
    for them. One thread per process serves every store registered with
    `watch`; a store that is no longer used drops out (weak references).
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stores: weakref.WeakSet[PendingUploads] = weakref.WeakSet()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def watch(self, uploads: PendingUploads) -> None:
        self._stores.add(uploads)
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="vigil-pending-uploads", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            for uploads in list(self._stores):
                try:
                    uploads.tidy()
                except Exception as error:  # the thread must live on
                    # The type only: a message could carry a path, nothing more.
                    log.error("tidying pending uploads failed: %s", type(error).__name__)


JANITOR = Janitor(JANITOR_INTERVAL_SECONDS)


def _copy(source: Readable, handle: BinaryIO, length: int) -> None:
    # Never read past `length`: a request's stream answers a read beyond its
    # maximum with 413, after the part was stored.
    remaining = length
    while remaining > 0:
        data = source.read(min(_COPY_SIZE, remaining))
        if not data:
            break
        handle.write(data)
        remaining -= len(data)


def _create_empty(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    _stamp_hour(path)


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


def _stamp_hour(file: Path | int) -> None:
    # The file's times would otherwise tell when the reporter uploaded.
    hour = current_hour().timestamp()
    os.utime(file, (hour, hour))
