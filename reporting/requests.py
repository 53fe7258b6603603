"""The request class of the whole app: uploaded files never reach disk in plaintext.

Werkzeug's default spools an uploaded file larger than 500 KB to a temporary
file as it is. Without JavaScript a reporter's files arrive in plaintext, so
here every uploaded file is sealed as it arrives (crypto.SealedSpool, under a
key that lives only in memory) and only ciphertext is written. Text fields are
kept in memory by Werkzeug; MAX_FORM_MEMORY_SIZE bounds each one and
MAX_FORM_PARTS their number, so oversize input is a 413, not a file.

How much a request may carry is set per view with `body_limit`; anything else
gets the app's MAX_CONTENT_LENGTH. Only a multipart body may be larger than
MAX_IN_MEMORY_BODY: its files are streamed into spools, while any other body
(a urlencoded form, JSON) is held in memory whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, BinaryIO, TypeVar, cast

from flask import Request, current_app
from werkzeug.exceptions import RequestEntityTooLarge

from crypto import SealedSpool
from reporting.context import vigil
from reporting.settings import Settings

View = TypeVar("View", bound=Callable[..., object])
MAX_IN_MEMORY_BODY = 8 * 1024 * 1024
_BODY_LIMIT = "vigil_body_limit"


def body_limit(limit: Callable[[Settings], int]) -> Callable[[View], View]:
    """Let a view take requests of up to `limit(settings)` bytes."""

    def mark(view: View) -> View:
        setattr(view, _BODY_LIMIT, limit)
        return view

    return mark


class BoundedSpool(SealedSpool):
    """A spool that refuses more than one attachment's worth of plaintext."""

    def __init__(self, file: BinaryIO, *, limit: int) -> None:
        super().__init__(file)
        self._limit = limit

    def write(self, data: bytes | bytearray | memoryview, /) -> int:
        if self.size + len(data) > self._limit:
            raise RequestEntityTooLarge()
        return super().write(data)


class VigilRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        view = current_app.view_functions.get(self.endpoint or "")
        limit: Callable[[Settings], int] | None = getattr(view, _BODY_LIMIT, None)
        if limit is None:
            return super().max_content_length
        if self.mimetype == "multipart/form-data":
            return limit(vigil().settings)
        return min(limit(vigil().settings), MAX_IN_MEMORY_BODY)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        context = vigil()
        spool = BoundedSpool(
            context.uploads.spool_file(), limit=context.settings.max_attachment_bytes
        )
        return cast(IO[bytes], spool)
