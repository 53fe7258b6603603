"""Strict readers for the members of the public JSON API's requests (docs/submission.md).

The server cannot read what it stores, so it checks everything it can about
its shape before storing it: exact members, canonical base64, sizes, and the
keyless structure checks of crypto/. Every refusal is an `InvalidSubmission`
(a 400 with a sentence for the reporter), never a 500.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from crypto import CryptoError, RecordKind, b64decode, check_record_structure
from reporting.core.errors import InvalidSubmission, translatable

LOOKUP_TOKEN_SIZE = 32
# The largest record the public site takes: the forms' limits keep a body far
# below it, and a request must fit in memory (MAX_JSON_BYTES).
MAX_RECORD_BYTES = 42 + 4 * 1024 * 1024
MAX_JSON_BYTES = 8 * 1024 * 1024


def members(
    data: object, required: Iterable[str], optional: Iterable[str] = ()
) -> dict[str, object]:
    """`data` as an object with all of `required`, some of `optional` and nothing else."""
    required, optional = set(required), set(optional)
    if not isinstance(data, dict) or not required <= data.keys() <= required | optional:
        raise InvalidSubmission()
    return data


def binary(data: Mapping[str, object], name: str) -> bytes:
    value = data[name]
    if not isinstance(value, str):
        raise InvalidSubmission()
    try:
        return b64decode(value)
    except CryptoError:
        raise InvalidSubmission() from None


def lookup_token(data: Mapping[str, object]) -> bytes:
    token = binary(data, "lookup_token")
    if len(token) != LOOKUP_TOKEN_SIZE:
        raise InvalidSubmission()
    return token


def record(data: Mapping[str, object], name: str, kind: RecordKind) -> bytes:
    value = binary(data, name)
    if len(value) > MAX_RECORD_BYTES:
        raise InvalidSubmission()
    try:
        check_record_structure(value, kind)
    except CryptoError:
        raise InvalidSubmission() from None
    return value


def upload_ids(data: Mapping[str, object], *, limit: int) -> tuple[str, ...]:
    """The `attachments` member (absent means none): distinct upload id strings."""
    value = data.get("attachments", [])
    if (
        not isinstance(value, list)
        or not all(isinstance(item, str) for item in value)
        or len(set(value)) != len(value)
    ):
        raise InvalidSubmission()
    if len(value) > limit:
        raise too_many_attachments(limit)
    return tuple(value)


def too_many_attachments(limit: int) -> InvalidSubmission:
    return InvalidSubmission(
        translatable("At most %(count)d files can be sent at once.", count=limit)
    )
