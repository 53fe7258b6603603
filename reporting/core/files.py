"""Folders and files that hold an instance's secrets, made readable by their owner only.

The instance folder holds the SQLite database (every wrap, the locked
private keys, the audit log), the Flask secret key, the intake key file and
the encrypted attachments. Each is created owner-only whatever the process's
umask, so another account on the host reads none of it. What exists already
is left as it is: an operator may have chosen its permissions on purpose.
"""

from __future__ import annotations

import errno
import os
from contextlib import suppress
from pathlib import Path

PRIVATE_DIRECTORY_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_directory(path: Path) -> None:
    """Create `path` and each missing folder above it with owner-only permissions."""
    missing: list[Path] = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        # A folder made by a concurrent process meanwhile is fine as it is.
        with suppress(FileExistsError):
            directory.mkdir(mode=PRIVATE_DIRECTORY_MODE)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))


def private_file(path: Path) -> None:
    """Create `path` empty and owner-only unless it exists (for files others then open)."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
