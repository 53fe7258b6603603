"""The append-only, hash-chained audit log.

Every console action that reveals or changes a case is recorded with
`append_audit`, in the same transaction as the action itself, so the action
and its record commit or roll back together. `verify_audit_log` re-checks the
whole chain; the `vigil audit verify` command prints its result.

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
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeAlias

from sqlalchemy import func, select, update
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


def _stored_hash(entry: AuditEntry, *, seq: int) -> bytes:
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


# ---------------------------------------------------------------- verification


class AuditProblem(StrEnum):
    EDITED = "edited"  # an entry's fields no longer match its hash
    MISSING = "missing"  # a seq is absent: entries were deleted
    REORDERED = "reordered"  # an entry sits at another entry's seq
    BROKEN_LINK = "broken_link"  # an entry's prev_hash is not the previous entry's hash
    HEAD_MISMATCH = "head_mismatch"  # the audit_head row disagrees with the last entry
    ANCHOR_MISMATCH = "anchor_mismatch"  # the chain no longer passes through the anchor


@dataclass(frozen=True)
class AuditAnchor:
    """A copy of the chain's head taken earlier and kept outside the database."""

    seq: int
    hash: bytes

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash.hex()}"

    @classmethod
    def parse(cls, text: str) -> AuditAnchor:
        """Read an anchor in the printed form `seq:hex-hash`."""
        seq_text, _, hash_text = text.strip().partition(":")
        try:
            seq, digest = int(seq_text), bytes.fromhex(hash_text)
        except ValueError:
            raise ValueError(
                f"an audit anchor looks like 42:<64 hex digits>, not {text!r}"
            ) from None
        if seq < 1 or len(digest) != 32:
            raise ValueError(f"an audit anchor looks like 42:<64 hex digits>, not {text!r}")
        return cls(seq, digest)


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    entries_checked: int
    # The head as recorded in audit_head: what operators copy out as an anchor.
    head: AuditAnchor | None
    first_bad_seq: int | None = None
    problem: AuditProblem | None = None
    message: str = "the audit log is intact"


def verify_audit_log(
    session: Session, *, anchor: AuditAnchor | None = None, batch_size: int = 1000
) -> AuditVerification:
    """Check every entry's hash and link, the head row, and optionally an anchor.

    Stops at the first problem and names the entry. Entries appended while
    this runs are left for the next run: the head is read first and only
    entries up to it are checked.
    """
    head_row = session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)
    ).one_or_none()
    if head_row is None:
        return AuditVerification(
            ok=False,
            entries_checked=0,
            head=None,
            problem=AuditProblem.HEAD_MISMATCH,
            message="the audit_head row is missing",
        )
    head_seq, head_hash = head_row
    head = AuditAnchor(head_seq, head_hash) if head_seq else None

    def failure(seq: int, problem: AuditProblem, message: str) -> AuditVerification:
        return AuditVerification(
            ok=False,
            entries_checked=checked,
            head=head,
            first_bad_seq=seq,
            problem=problem,
            message=message,
        )

    checked = 0
    prev_hash = GENESIS_HASH
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.seq <= head_seq)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=batch_size)
    )
    for entry in entries:
        expected = checked + 1
        if entry.seq != expected:
            gap = f"{expected}" if entry.seq == expected + 1 else f"{expected} to {entry.seq - 1}"
            return failure(expected, AuditProblem.MISSING, f"entry {gap} missing: deleted")
        if _stored_hash(entry, seq=entry.seq) != entry.hash:
            origin = _original_seq(session, entry)
            if origin is not None:
                return failure(
                    entry.seq,
                    AuditProblem.REORDERED,
                    f"entry {entry.seq} holds the entry written as {origin}: rows were moved",
                )
            return failure(
                entry.seq,
                AuditProblem.EDITED,
                f"entry {entry.seq} was changed: its fields do not match its hash",
            )
        if entry.prev_hash != prev_hash:
            return failure(
                entry.seq,
                AuditProblem.BROKEN_LINK,
                f"entry {entry.seq} does not follow entry {entry.seq - 1}: one of them was"
                " rewritten with a recomputed hash, or entries between them were removed",
            )
        if anchor is not None and entry.seq == anchor.seq and entry.hash != anchor.hash:
            return failure(
                entry.seq,
                AuditProblem.ANCHOR_MISMATCH,
                f"entry {entry.seq} is not the entry anchored at {anchor}: the log was"
                " rewritten up to here",
            )
        prev_hash = entry.hash
        checked += 1

    if checked < head_seq:
        return failure(
            checked + 1,
            AuditProblem.MISSING,
            f"entries {checked + 1} to {head_seq} missing: the end of the log was deleted",
        )
    if head_hash != prev_hash:
        return failure(
            head_seq,
            AuditProblem.HEAD_MISMATCH,
            f"the audit_head row does not match entry {head_seq}",
        )
    # Entries past the head were not written by append_audit. Read the highest
    # seq before the head again: an append commits both at once, so a
    # concurrent append cannot make this fire.
    highest = session.scalar(select(func.max(AuditEntry.seq)))
    current_head = session.scalar(select(AuditHead.seq).where(AuditHead.id == HEAD_ID))
    if highest is not None and current_head is not None and highest > current_head:
        return failure(
            current_head + 1,
            AuditProblem.HEAD_MISMATCH,
            f"entries {current_head + 1} to {highest} lie beyond the recorded head: added"
            " behind the application's back",
        )
    if anchor is not None and anchor.seq > head_seq:
        return failure(
            head_seq + 1,
            AuditProblem.ANCHOR_MISMATCH,
            f"the log ends at entry {head_seq} but the anchor {anchor} is later: entries deleted",
        )
    return AuditVerification(ok=True, entries_checked=checked, head=head)


def _original_seq(session: Session, entry: AuditEntry) -> int | None:
    """The seq `entry` was written with, if it is intact but now sits elsewhere.

    Its prev_hash names its original predecessor; if its hash verifies with
    the seq after that predecessor, the row was moved rather than edited.
    """
    if entry.prev_hash == GENESIS_HASH:
        candidate = 1
    else:
        predecessor = session.scalar(
            select(AuditEntry.seq).where(AuditEntry.hash == entry.prev_hash)
        )
        if predecessor is None:
            return None
        candidate = predecessor + 1
    if candidate != entry.seq and _stored_hash(entry, seq=candidate) == entry.hash:
        return candidate
    return None
