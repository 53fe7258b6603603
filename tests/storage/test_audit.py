"""The hash-chained audit log: appends, verification, and each kind of tampering."""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from reporting.audit.log import (
    GENESIS_HASH,
    AuditLogError,
    append_audit,
    canonical_entry,
    entry_hash,
)
from reporting.audit.verify import AuditAnchor, AuditProblem, AuditVerification, verify_audit_log
from reporting.core.models import AuditEntry, AuditHead
from tests.storage.helpers import make_user


@pytest.fixture
def chain(db_session: Session) -> Session:
    """A log of six entries, committed."""
    user = make_user(db_session)
    append_audit(db_session, actor_user_id=user.id, action="sign_in", target=None, details={})
    for number in (1, 2, 3, 4):
        append_audit(
            db_session,
            actor_user_id=user.id,
            action="report.decrypt",
            target=f"report:{number}",
            details={"reason": "triage review", "parts": [1, 2], "naïve": True},
        )
    append_audit(
        db_session, actor_user_id=None, action="screening.import", target="list:1", details={}
    )
    db_session.commit()
    return db_session


@pytest.fixture
def tamper(engine: Engine) -> Callable[..., None]:
    """Run raw SQL as someone with full database access: the append-only triggers are off."""

    def run(statement: str, **parameters: object) -> None:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            else:
                connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
                connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
            connection.execute(text(statement), parameters)

    return run


def _verify(session: Session, anchor: AuditAnchor | None = None) -> AuditVerification:
    """Verify from a fresh transaction, so the tampering done elsewhere is seen."""
    session.commit()
    session.expire_all()
    return verify_audit_log(session, anchor=anchor)


def test_empty_log_verifies(db_session: Session) -> None:
    result = verify_audit_log(db_session)
    assert result.ok
    assert result.entries_checked == 0
    assert result.head is None


def test_appends_chain_and_verify(chain: Session) -> None:
    entries = chain.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [entry.seq for entry in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].prev_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    result = verify_audit_log(chain)
    assert result.ok, result.message
    assert result.entries_checked == 6
    assert result.head == AuditAnchor(6, entries[-1].hash)
    assert AuditAnchor.parse(str(result.head)) == result.head


def test_hash_follows_the_documented_encoding(chain: Session) -> None:
    entry = chain.get_one(AuditEntry, 2)
    assert entry.at.tzinfo is UTC
    canonical = canonical_entry(
        seq=2,
        at=entry.at,
        actor_user_id=entry.actor_user_id,
        action="report.decrypt",
        target="report:1",
        details=entry.details,
    )
    at = entry.at.isoformat(timespec="microseconds")
    assert at.endswith("+00:00")
    expected = (
        f'{{"action":"report.decrypt","actor":{entry.actor_user_id},"at":"{at}",'
        '"details":{"naïve":true,"parts":[1,2],"reason":"triage review"},'
        '"seq":2,"target":"report:1"}'
    )
    assert canonical == expected.encode()
    assert entry.hash == hashlib.sha256(entry.prev_hash + canonical).digest()


def test_rolled_back_append_leaves_no_gap(db_session: Session) -> None:
    append_audit(db_session, actor_user_id=None, action="a", target=None, details={})
    db_session.commit()
    append_audit(db_session, actor_user_id=None, action="b", target=None, details={})
    db_session.rollback()
    append_audit(db_session, actor_user_id=None, action="c", target=None, details={})
    db_session.commit()
    assert db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all() == [
        "a",
        "c",
    ]
    assert verify_audit_log(db_session).ok


@pytest.mark.parametrize(
    ("action", "target", "details"),
    [
        ("Sign In", None, {}),
        ("x" * 65, None, {}),
        ("sign_in", "", {}),
        ("sign_in", None, {"score": 0.5}),
        ("sign_in", None, {"when": datetime(2025, 1, 1, tzinfo=UTC)}),
        ("sign_in", None, {1: "x"}),
    ],
)
def test_bad_entries_are_refused(
    db_session: Session, action: str, target: str | None, details: dict
) -> None:
    with pytest.raises(AuditLogError):
        append_audit(db_session, actor_user_id=None, action=action, target=target, details=details)


def test_the_database_refuses_updates_and_deletes(chain: Session, engine: Engine) -> None:
    for statement in ("UPDATE audit_log SET action = 'x' WHERE seq = 2", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.exec_driver_sql(statement)
    assert verify_audit_log(chain).ok


def test_edited_entry_is_detected(chain: Session, tamper: Callable[..., None]) -> None:
    tamper("UPDATE audit_log SET target = 'report:99' WHERE seq = 3")
    result = _verify(chain)
    assert not result.ok
    assert (result.first_bad_seq, result.problem) == (3, AuditProblem.EDITED)
    assert result.entries_checked == 2
    assert "entry 3" in result.message


def test_edited_details_are_detected(chain: Session, tamper: Callable[..., None]) -> None:
    tamper("""UPDATE audit_log SET details = '{"reason": "curiosity"}' WHERE seq = 4""")
    result = _verify(chain)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 4, AuditProblem.EDITED)


def test_deleted_middle_entry_is_detected(chain: Session, tamper: Callable[..., None]) -> None:
    tamper("DELETE FROM audit_log WHERE seq = 4")
    result = _verify(chain)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 4, AuditProblem.MISSING)
    assert "entry 4 missing" in result.message


def test_deleted_last_entry_is_detected_by_the_head(
    chain: Session, tamper: Callable[..., None]
) -> None:
    tamper("DELETE FROM audit_log WHERE seq = 6")
    result = _verify(chain)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 6, AuditProblem.MISSING)


def test_deleted_tail_with_rewound_head_needs_an_anchor(
    chain: Session, tamper: Callable[..., None]
) -> None:
    anchor = verify_audit_log(chain).head
    assert anchor is not None
    tamper("DELETE FROM audit_log WHERE seq >= 5")
    tamper("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)")
    assert _verify(chain).ok  # undetectable from inside the database alone...
    result = _verify(chain, anchor)  # ...but not against a copy of the head kept elsewhere
    assert (result.ok, result.first_bad_seq, result.problem) == (
        False,
        5,
        AuditProblem.ANCHOR_MISMATCH,
    )


def test_swapped_entries_are_detected(chain: Session, tamper: Callable[..., None]) -> None:
    # Renumbering swaps the two rows' whole contents (the unique hash column
    # forbids doing it column by column).
    for statement in (
        "UPDATE audit_log SET seq = 1000 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 5",
        "UPDATE audit_log SET seq = 5 WHERE seq = 1000",
    ):
        tamper(statement)
    result = _verify(chain)
    assert (result.ok, result.first_bad_seq, result.problem) == (
        False,
        3,
        AuditProblem.REORDERED,
    )
    assert "written as 5" in result.message


def test_rehashed_edit_breaks_the_next_link(
    chain: Session, engine: Engine, tamper: Callable[..., None]
) -> None:
    # An attacker who edits entry 3 and recomputes its hash still breaks entry 4.
    entry = chain.get_one(AuditEntry, 3)
    forged = entry_hash(
        entry.prev_hash,
        seq=3,
        at=entry.at,
        actor_user_id=entry.actor_user_id,
        action=entry.action,
        target="report:99",
        details=entry.details,
    )
    tamper("UPDATE audit_log SET target = 'report:99', hash = :hash WHERE seq = 3", hash=forged)
    result = _verify(chain)
    assert (result.ok, result.first_bad_seq, result.problem) == (
        False,
        4,
        AuditProblem.BROKEN_LINK,
    )


def test_rewritten_history_is_caught_by_an_anchor(
    chain: Session, tamper: Callable[..., None]
) -> None:
    anchor = verify_audit_log(chain).head
    assert anchor is not None
    # Rewrite entries 2..6 with a consistent chain and head: only the anchor can tell.
    entries = chain.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    prev = entries[0].hash
    for entry in entries[1:]:
        digest = entry_hash(
            prev,
            seq=entry.seq,
            at=entry.at,
            actor_user_id=entry.actor_user_id,
            action="report.export",
            target=entry.target,
            details=entry.details,
        )
        tamper(
            "UPDATE audit_log SET action = 'report.export', prev_hash = :prev, hash = :hash"
            " WHERE seq = :seq",
            prev=prev,
            hash=digest,
            seq=entry.seq,
        )
        prev = digest
    tamper("UPDATE audit_head SET hash = :hash", hash=prev)
    assert _verify(chain).ok
    result = _verify(chain, anchor)
    assert (result.ok, result.first_bad_seq, result.problem) == (
        False,
        6,
        AuditProblem.ANCHOR_MISMATCH,
    )


def test_entries_added_behind_the_head_are_detected(
    chain: Session, tamper: Callable[..., None]
) -> None:
    last = chain.get_one(AuditEntry, 6)
    tamper(
        "INSERT INTO audit_log (seq, at, action, details, prev_hash, hash)"
        " VALUES (7, :at, 'sign_in', '{}', :prev, :hash)",
        at=datetime(2025, 1, 1, tzinfo=UTC),
        prev=last.hash,
        hash=b"\x11" * 32,
    )
    result = _verify(chain)
    assert (result.ok, result.first_bad_seq, result.problem) == (
        False,
        7,
        AuditProblem.HEAD_MISMATCH,
    )


def test_head_row_edit_is_detected(chain: Session, tamper: Callable[..., None]) -> None:
    tamper("UPDATE audit_head SET hash = :hash", hash=b"\x22" * 32)
    result = _verify(chain)
    assert (result.ok, result.problem) == (False, AuditProblem.HEAD_MISMATCH)


def test_anchor_parsing() -> None:
    anchor = AuditAnchor(12, bytes(range(32)))
    assert AuditAnchor.parse(f" {anchor} ") == anchor
    for bad in ("12", "x:00", "0:" + "00" * 32, "3:" + "00" * 31):
        with pytest.raises(ValueError, match="audit anchor"):
            AuditAnchor.parse(bad)


def test_concurrent_appends_keep_one_chain(session_factory: sessionmaker[Session]) -> None:
    threads, per_thread = 8, 15
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(number: int) -> None:
        try:
            start.wait()
            for index in range(per_thread):
                with session_factory() as session:
                    append_audit(
                        session,
                        actor_user_id=None,
                        action="worker.tick",
                        target=f"worker:{number}",
                        details={"index": index},
                    )
                    session.commit()
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with session_factory() as session:
        seqs = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        assert seqs == list(range(1, threads * per_thread + 1))
        result = verify_audit_log(session)
        assert result.ok, result.message
        assert session.get_one(AuditHead, 1).seq == threads * per_thread
