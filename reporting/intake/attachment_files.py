"""Attachments as plain files: encrypting uploaded files, and decrypting one for download.

A file that arrives in a form (a reporter's without JavaScript, an
investigator's reply) comes as a `PlainFile` in a sealed spool
(reporting.web.requests); `encrypted_files` encrypts each under the report
key into a new pending upload, exactly as a browser would, so that it takes
the same path as an upload made by the page's script. `decrypted_download`
is the other way: a stored attachment's plaintext, chunk by chunk, for the
reporter's follow-up page and the console alike.

Nothing here writes plaintext anywhere: only ciphertext goes to the uploads,
and a download is decrypted as it is streamed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

from crypto import (
    AttachmentInfo,
    CryptoError,
    ReportKey,
    SealedSpool,
    encrypt_attachment,
    open_attachment,
)
from reporting.intake.payloads import too_many_attachments
from reporting.intake.uploads import PendingUploads

# Attachment metadata is at most 4,096 bytes of JSON (docs/crypto.md).
_MAX_NAME = 1000
_MAX_TYPE = 200


@dataclass(frozen=True)
class PlainFile:
    """A file as it arrived in a form: its name and type, and its content in a spool."""

    name: str
    content_type: str
    spool: SealedSpool


def chosen_files(files: Sequence[PlainFile], *, limit: int) -> list[PlainFile]:
    """The files the reporter chose: a browser sends an empty, unnamed part for none."""
    chosen = [file for file in files if file.name or file.spool.size]
    if len(chosen) > limit:
        raise too_many_attachments(limit)
    return chosen


@contextmanager
def encrypted_files(
    uploads: PendingUploads, key: ReportKey, files: Sequence[PlainFile]
) -> Iterator[tuple[str, ...]]:
    """Each file encrypted under `key` into a new pending upload, for the block to attach.

    If anything fails, the uploads are removed: nobody will retry with them,
    they are this request's own.
    """
    upload_ids: list[str] = []
    try:
        for file in files:
            upload_ids.append(uploads.write_new(partial(_encrypt, key, file)))
        yield tuple(upload_ids)
    except BaseException:
        uploads.discard(upload_ids)
        raise


def _encrypt(key: ReportKey, file: PlainFile, sink: BinaryIO) -> int:
    return encrypt_attachment(
        key,
        file.spool,
        sink,
        name=file.name[:_MAX_NAME],
        content_type=file.content_type[:_MAX_TYPE],
        size=file.spool.size,
    )


def decrypted_download(key: ReportKey, source: BinaryIO) -> tuple[AttachmentInfo, Iterator[bytes]]:
    """An attachment's metadata and its plaintext chunk by chunk; `source` is closed after."""
    try:
        reader = open_attachment(key, source)
    except CryptoError:
        source.close()
        raise

    def chunks() -> Iterator[bytes]:
        with source:
            yield from reader.chunks()

    return reader.info, chunks()
