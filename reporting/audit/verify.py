"""Checking the audit log: the whole chain, its head, and an anchor kept elsewhere.

`verify_audit_log` re-computes every entry's hash from its stored fields
(reporting/audit/log.py gives the encoding and what the chain proves) and
names the first entry where the chain breaks; `vigil audit verify` and the
auditor's page print its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.audit.log import GENESIS_HASH, HEAD_ID, stored_hash
from reporting.core.models import AuditEntry, AuditHead


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
        if stored_hash(entry, seq=entry.seq) != entry.hash:
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
    if candidate != entry.seq and stored_hash(entry, seq=candidate) == entry.hash:
        return candidate
    return None
