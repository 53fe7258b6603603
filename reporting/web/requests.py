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

The app's JSON provider parses request bodies (`get_json`): one nested deeper
than Python's recursion limit is bad JSON like any other, not a server error.
Numbers in paths (`<int:...>`) are row ids, so the app's `int` converter takes
none larger than the database's INTEGER: a larger one names no row (404).

No text Vigil accepts contains a NUL character, and PostgreSQL cannot store
or even compare one (SQLite can), so a NUL anywhere in the path, the query
string or a form's text is refused before any view sees it
(`refuse_nul_characters`), on both backends alike.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import IO, BinaryIO, TypeVar, cast

from flask import Request, current_app
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map

from crypto import SealedSpool
from reporting.core.errors import BadRequest
from reporting.core.settings import Settings
from reporting.web.context import vigil

View = TypeVar("View", bound=Callable[..., object])
MAX_IN_MEMORY_BODY = 8 * 1024 * 1024
# The largest value of an INTEGER column on PostgreSQL (SQLite's are wider).
MAX_ROW_ID = 2**31 - 1
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


class VigilJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with a body nested too deep to parse refused as invalid JSON."""

    def loads(self, s: str | bytes, **kwargs: object) -> object:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # A ValueError is what get_json answers as not JSON (None when silent).
            raise ValueError("JSON nested too deeply") from None


class RowIdConverter(IntegerConverter):
    """The app's `int` path converter: a number no larger than any row id can be.

    A larger number is not an error of ours to report: it matches no route,
    which is a 404, where the database would have refused it (a 500).
    """

    def __init__(self, map: Map) -> None:
        super().__init__(map, max=MAX_ROW_ID)


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_nul_characters(request: Request) -> None:
    """BadRequest when the path, the query or a form's text carries a NUL character."""
    # Every value of a repeated name, not only the first one.
    texts = [request.path, *request.args.keys(), *chain(*request.args.listvalues())]
    if request.mimetype in _FORM_TYPES:
        form = request.form
        texts += [*form.keys(), *chain(*form.listvalues()), *request.files.keys()]
    if any("\x00" in text for text in texts):
        raise BadRequest(
            lazy_gettext("The request contains a NUL character, which no field accepts.")
        )


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
