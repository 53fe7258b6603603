"""One pending upload's files: their names, their lock, their times, the checks of their stream.

An upload is a file named by its random id in `pending/` (renamed with the
`COMPLETE` suffix once its last part has arrived). `flock` on it serialises
its writers and keeps it from being attached while a part is arriving; its
times are set to the hour, like every reporter-side time Vigil keeps. The
design is described in reporting/intake/uploads.py.
"""

from __future__ import annotations

import fcntl
import os
import re
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
from reporting.core.errors import InvalidUpload, UploadBusy, UploadNotFound
from reporting.core.models import current_hour

UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
# A complete upload (its last part arrived) is renamed with this suffix.
COMPLETE = ".complete"
_COPY_SIZE = 64 * 1024


def copy_part(source: Readable, handle: BinaryIO, length: int) -> None:
    # Never read past `length`: a request's stream answers a read beyond its
    # maximum with 413, after the part was stored.
    remaining = length
    while remaining > 0:
        data = source.read(min(_COPY_SIZE, remaining))
        if not data:
            break
        handle.write(data)
        remaining -= len(data)


def create_empty(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    stamp_hour(path)


def lock_upload(handle: BinaryIO, path: Path) -> None:
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


def check_header(path: Path, fd: int, received: int) -> None:
    # Refuse a stream that is not an attachment as soon as its header is in,
    # rather than storing up to the limit of garbage; the part is dropped.
    with path.open("rb") as reader:
        header = reader.read(ATTACHMENT_HEADER_SIZE)
    try:
        check_attachment_structure(header)
    except CryptoError:
        os.ftruncate(fd, received)
        raise InvalidUpload() from None


def check_layout(handle: BinaryIO) -> None:
    head = handle.read(ATTACHMENT_HEAD_SIZE)
    try:
        check_attachment_layout(head, os.fstat(handle.fileno()).st_size)
    except CryptoError:
        raise InvalidUpload() from None


def stamp_hour(file: Path | int) -> None:
    # The file's times would otherwise tell when the reporter uploaded.
    hour = current_hour().timestamp()
    os.utime(file, (hour, hour))
