"""The room pending uploads take together: the bound, oldest first, expiry and the recount.

What pending uploads hold together is bounded (`max_total_bytes`,
VIGIL_PENDING_UPLOAD_BYTES); past the bound the uploads opened first are
removed first, for the reasons given in reporting/intake/uploads.py and
docs/limits.md. Opening order is kept as empty marker files
`pending/order/<number>-<id>` (numbers from the ledger, so names sort by age)
and the running total charged in `pending/ledger`, both under the ledger's
lock. `tidy` (the janitor's round, reporting/intake/upload_janitor.py) removes
uploads untouched for `PENDING_LIFETIME` and recounts the total from the
files, so a crash between a file and the ledger is corrected within minutes.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from reporting.core.errors import UploadBusy, UploadEvicted, UploadNotFound
from reporting.core.files import private_directory
from reporting.core.models import current_hour
from reporting.intake.upload_files import (
    COMPLETE,
    UPLOAD_ID,
    create_empty,
    lock_upload,
    stamp_hour,
)

PENDING_LIFETIME = timedelta(hours=24)
# Every pending upload counts as at least this many bytes against the bound,
# an empty one too: it costs a file, and a flood of empty uploads must bring
# in the bound's worth of these to push out a reporter's upload.
MIN_CHARGE = 64 * 1024
# Once over the bound, this fraction of it more is freed, so the oldest
# uploads are looked for once per so many bytes rather than on every part.
EVICTION_SLACK = 1 / 16
_ORDER = "order"
_LEDGER = "ledger"


def charge(size: int) -> int:
    """What an upload of `size` bytes counts against the bound."""
    return max(size, MIN_CHARGE)


@dataclass
class _Ledger:
    total: int
    next_number: int


class UploadSpace:
    """The pending uploads in `directory`, bounded together by `max_total_bytes`.

    What every pending upload shares: their names, the ledger of what they
    are charged, and their removal (discarded, evicted, expired).
    PendingUploads (reporting/intake/uploads.py) adds what is done to one.
    """

    def __init__(self, directory: Path, *, max_total_bytes: int) -> None:
        self.directory = directory
        self.max_total_bytes = max_total_bytes

    def _path(self, upload_id: str, *, complete: bool = False) -> Path:
        # Only ids `create` can have made: no separators, no "..".
        if not UPLOAD_ID.fullmatch(upload_id):
            raise UploadNotFound()
        return self.directory / (upload_id + COMPLETE if complete else upload_id)

    @property
    def _order(self) -> Path:
        return self.directory / _ORDER

    @property
    def ledger_path(self) -> Path:
        return self.directory / _LEDGER

    def _make_directory(self) -> None:
        if not self._order.is_dir():
            private_directory(self._order)

    def _charge(self, upload_id: str, before: int, after: int) -> None:
        """Count an upload's change of size, making room if needed (the caller holds its lock)."""
        with self._ledger() as ledger:
            ledger.total += charge(after) - charge(before)
            evicted = self._make_room(ledger, writer=upload_id)
        if evicted:
            raise UploadEvicted()

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
                    lock_upload(handle, path)
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

    def purge_expired(self) -> int:
        """Delete idle uploads untouched for PENDING_LIFETIME; returns how many."""
        cutoff = (current_hour() - PENDING_LIFETIME).timestamp()
        expired: list[str] = []
        with suppress(FileNotFoundError), os.scandir(self.directory) as entries:
            for entry in entries:
                upload_id = entry.name.removesuffix(COMPLETE)
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
                upload_id = entry.name.removesuffix(COMPLETE)
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
            create_empty(self._order / f"{0:016x}-{upload_id}")
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
                stamp_hour(fd)
        finally:
            os.close(fd)


def _read_ledger(data: bytes) -> _Ledger | None:
    try:
        total, next_number = (int(field) for field in data.split())
    except ValueError:
        return None
    return _Ledger(total=total, next_number=next_number)
