"""The append-only, hash-chained audit log.

Every console action that reveals or changes a case is recorded with
`append_audit`, in the same transaction as the action itself, so the action
and its record commit or roll back together. `verify_audit_log` re-checks the
whole chain (reporting/audit/verify.py); `vigil audit verify` prints its result.

Canonical encoding (what each entry's hash covers)
--------------------------------------------------

    hash = SHA-256(prev_hash ‖ canonical_json)

`prev_hash` is the previous entry's hash (32 zero bytes for entry 1), and
`canonical_json` is the UTF-8 encoding of the JSON object

    {"action": str, "actor": int | null, "at": str, "details": object,
     "seq": int, "target": str | null}

written with its members sorted by name at every level, no insignificant
whitespace (separators "," and ":"), non-ASCII characters as themselves (not
\\u escapes), and `at` as ISO 8601 in UTC with microseconds
("2025-11-24T20:14:03.123456+00:00"). `details` may hold strings, integers,
booleans, null, lists and objects with string keys; floats are refused so
that an independent verifier in any language encodes numbers identically.
In Python that is `json.dumps(obj, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`.

What the chain does and does not prove
--------------------------------------

Because each hash covers the previous one, changing, removing or reordering
an entry breaks the chain at that entry, and `verify_audit_log` names it. The
`audit_head` row records the last seq and hash, so deleting entries from the
end is caught too, unless the head row was rewritten as well. Someone with
write access to the database can, however, rewrite the tail and recompute
every later hash and the head: nothing stored only in the database can catch
that. Operators therefore copy the head (`seq:hash`, printed by `vigil audit
verify`) somewhere the database's administrators cannot write, and pass an
earlier copy back as an `AuditAnchor`: verification then also proves that the
chain still passes through it.

Details must never hold report content: the log is readable by auditors, who
must not see any.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reporting.core import clock
from reporting.core.models import AuditEntry, AuditHead

JSONValue: TypeAlias = Mapping[str, "JSONValue"] | Sequence["JSONValue"] | str | int | bool | None

GENESIS_HASH = bytes(32)
HEAD_ID = 1
ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
MAX_ACTION_LENGTH = 64
MAX_TARGET_LENGTH = 200


class AuditLogError(Exception):
    """An entry cannot be appended (bad arguments or a database without the audit head)."""


def canonical_entry(
    *,
    seq: int,
    at: datetime,
    actor_user_id: int | None,
    action: str,
    target: str | None,
    details: Mapping[str, Any],
) -> bytes:
    """The bytes an entry's hash covers (see the module docstring)."""
    document = {
        "action": action,
        "actor": actor_user_id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "details": details,
        "seq": seq,
        "target": target,
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(
    prev_hash: bytes,
    *,
    seq: int,
    at: datetime,
    actor_user_id: int | None,
    action: str,
    target: str | None,
    details: Mapping[str, Any],
) -> bytes:
    canonical = canonical_entry(
        seq=seq,
        at=at,
        actor_user_id=actor_user_id,
        action=action,
        target=target,
        details=details,
    )
    return hashlib.sha256(prev_hash + canonical).digest()


def stored_hash(entry: AuditEntry, *, seq: int) -> bytes:
    """The hash `entry`'s stored fields would have if it had been written as `seq`."""
    return entry_hash(
        entry.prev_hash,
        seq=seq,
        at=entry.at,
        actor_user_id=entry.actor_user_id,
        action=entry.action,
        target=entry.target,
        details=entry.details,
    )


def append_audit(
    session: Session,
    *,
    actor_user_id: int | None,
    action: str,
    target: str | None,
    details: Mapping[str, JSONValue],
) -> AuditEntry:
    """Append one entry in the session's transaction and return it (flushed, not committed).

    `actor_user_id` is None for the system (CLI, triage worker). `action` is a
    dotted lower-case name ("sign_in", "report.decrypt"); `target` names what
    was acted on ("report:12", "user:3").

    Concurrent appends are serialised by the single `audit_head` row, which
    every append updates first:

    - PostgreSQL: the UPDATE takes the row lock, so a second appender waits
      until the first commits, and then (READ COMMITTED re-reads the locked
      row) continues from the committed head. A `SELECT … FOR UPDATE` of the
      last audit_log row would not do: the waiter would re-check the old last
      row, never see the new one, and reuse its seq; and an empty log has no
      row to lock at all.
    - SQLite: the UPDATE is a write, so it takes the database's single write
      lock (waiting up to the busy timeout), and the head is read after it,
      under that lock. pysqlite starts the transaction only at the first
      write, so no stale snapshot can be held from an earlier read.

    The lock is held until the caller commits or rolls back, so append as the
    last step of the action, just before committing. Entries are numbered
    without gaps because a rolled-back append rolls the head back with it.
    """
    _check_names(action, target)
    stored_details = _canonical_details(details)

    session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(seq=AuditHead.seq + 1)
        .execution_options(synchronize_session=False)
    )
    head = session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)
    ).one_or_none()
    if head is None:
        raise AuditLogError("the audit_head row is missing: has the database been migrated?")
    seq, prev_hash = head
    # Taken under the lock, so times never run backwards along the chain
    # (as far as the clocks of the writing processes agree).
    at = clock.now()
    digest = entry_hash(
        prev_hash,
        seq=seq,
        at=at,
        actor_user_id=actor_user_id,
        action=action,
        target=target,
        details=stored_details,
    )
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor_user_id=actor_user_id,
        action=action,
        target=target,
        details=stored_details,
        prev_hash=prev_hash,
        hash=digest,
    )
    session.add(entry)
    session.flush()
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(hash=digest)
        .execution_options(synchronize_session=False)
    )
    return entry


def _check_names(action: str, target: str | None) -> None:
    # Checked here because SQLite does not enforce VARCHAR lengths.
    if len(action) > MAX_ACTION_LENGTH or not ACTION_PATTERN.fullmatch(action):
        raise AuditLogError(f"bad audit action {action!r}: lower-case dotted name, at most 64")
    if target is not None and not 0 < len(target) <= MAX_TARGET_LENGTH:
        raise AuditLogError("an audit target must be 1 to 200 characters")


def _canonical_details(details: Mapping[str, JSONValue]) -> dict[str, Any]:
    """`details` as it will read back from the database, after checking its types.

    Hashing the value that round-trips (lists for tuples, and so on) is what
    lets verification recompute the same hash from the stored row.
    """
    _check_json(details, "details")
    result: dict[str, Any] = json.loads(json.dumps(details, ensure_ascii=False))
    return result


def _check_json(value: object, where: str) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        raise AuditLogError(f"{where}: floats are not allowed in audit details")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditLogError(f"{where}: object keys must be strings")
            _check_json(item, f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]")
        return
    raise AuditLogError(f"{where}: {type(value).__name__} is not a JSON value")
