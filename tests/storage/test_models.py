"""Constraints and types: what the database itself refuses, on both backends."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from reporting.audit.log import append_audit
from reporting.core import clock
from reporting.core.models import (
    Attachment,
    Author,
    HolderKind,
    IntakeKey,
    Message,
    MessageKind,
    Outcome,
    PartKind,
    Report,
    ReportPart,
    ReportStatus,
    TriageState,
    Wrap,
    new_public_reference,
    round_to_hour,
)
from tests.storage.helpers import make_queue, make_report, make_user


def _wrap(report: Report, holder: HolderKind, user_id: int | None = None) -> Wrap:
    return Wrap(report_id=report.id, holder_kind=holder, user_id=user_id, wrapped_key=bytes(82))


# ---------------------------------------------------------------- time helpers


def test_round_to_hour_rounds_down_in_utc() -> None:
    cet = timezone(timedelta(hours=1))
    moment = datetime(2025, 3, 9, 15, 59, 59, 999999, tzinfo=cet)
    assert round_to_hour(moment) == datetime(2025, 3, 9, 14, tzinfo=UTC)
    assert round_to_hour(moment).tzinfo is UTC
    on_the_hour = datetime(2025, 3, 9, 14, tzinfo=UTC)
    assert round_to_hour(on_the_hour) == on_the_hour


def test_round_to_hour_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        round_to_hour(datetime(2025, 3, 9, 14, 30))


def test_times_read_back_as_aware_utc(db_session: Session) -> None:
    hour = datetime(2025, 3, 9, 14, tzinfo=UTC)
    report = make_report(db_session, received_hour=hour)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get_one(Report, report.id)
    assert stored.received_hour == hour
    assert stored.received_hour.tzinfo is UTC


def test_exact_reporter_side_times_are_refused(db_session: Session) -> None:
    with pytest.raises(StatementError, match="rounded down to the hour"):
        make_report(db_session, received_hour=datetime(2025, 3, 9, 14, 7, tzinfo=UTC))


def test_naive_times_are_refused(db_session: Session) -> None:
    with pytest.raises(StatementError, match="naive"):
        make_report(db_session, received_hour=datetime(2025, 3, 9, 14))


def test_hour_columns_compare_with_exact_times(db_session: Session) -> None:
    make_report(db_session, received_hour=datetime(2025, 3, 9, 14, tzinfo=UTC))
    cutoff = datetime(2025, 3, 9, 14, 30, tzinfo=UTC)
    assert db_session.scalars(select(Report.id).where(Report.received_hour < cutoff)).all()


# ---------------------------------------------------------------- reports


def test_report_defaults(db_session: Session) -> None:
    report = make_report(db_session)
    assert report.status is ReportStatus.NEW
    assert report.triage_state is TriageState.PENDING
    assert report.received_hour == round_to_hour(report.received_hour)
    assert report.public_reference.startswith("VGL-")
    assert report.categories == []


def test_public_references_are_random() -> None:
    references = {new_public_reference() for _ in range(1000)}
    assert len(references) == 1000
    assert all(len(reference) == 12 for reference in references)


def test_lookup_hash_is_unique(db_session: Session) -> None:
    lookup = secrets.token_bytes(32)
    make_report(db_session, lookup_hash=lookup)
    with pytest.raises(IntegrityError):
        make_report(db_session, lookup_hash=lookup)


def test_lookup_hash_must_be_32_bytes(db_session: Session) -> None:
    with pytest.raises(IntegrityError):
        make_report(db_session, lookup_hash=secrets.token_bytes(31))


def test_unknown_enum_values_are_refused_by_the_database(db_session: Session) -> None:
    report = make_report(db_session)
    db_session.commit()
    with pytest.raises(IntegrityError):
        db_session.execute(
            text("UPDATE reports SET status = 'archived' WHERE id = :id"), {"id": report.id}
        )


def test_unknown_enum_values_are_refused_before_the_database(db_session: Session) -> None:
    with pytest.raises(StatementError):
        make_report(db_session, status="archived")


def test_categories_and_domains_are_checked(db_session: Session) -> None:
    report = make_report(db_session, categories=["sanctions", "diversion"], domains=["missile"])
    db_session.commit()
    db_session.expire_all()
    assert db_session.get_one(Report, report.id).categories == ["sanctions", "diversion"]
    with pytest.raises(ValueError, match="unknown risk category: smuggling"):
        report.categories = ["smuggling"]
    with pytest.raises(ValueError, match="unknown domain: space"):
        report.domains = ["space"]


def test_outcome_only_on_closed_cases(db_session: Session) -> None:
    make_report(db_session, status=ReportStatus.CLOSED, outcome=Outcome.DUPLICATE)
    with pytest.raises(IntegrityError):
        make_report(db_session, status=ReportStatus.INVESTIGATING, outcome=Outcome.DUPLICATE)


def test_claim_fields_exist_only_while_claimed(db_session: Session) -> None:
    now = clock.now()
    report = make_report(
        db_session, triage_state=TriageState.CLAIMED, claimed_at=now, claimed_by="worker-1"
    )
    db_session.commit()
    report.triage_state = TriageState.DONE
    with pytest.raises(IntegrityError):
        db_session.flush()  # done, but the claim time (close to the receipt time) kept
    db_session.rollback()
    report.triage_state, report.claimed_at, report.claimed_by = TriageState.DONE, None, None
    db_session.commit()
    with pytest.raises(IntegrityError):
        make_report(db_session, triage_state=TriageState.CLAIMED)


def test_one_narrative_per_disclosure(db_session: Session) -> None:
    report = make_report(db_session)
    for kind in (PartKind.NARRATIVE, PartKind.SUPPLEMENT, PartKind.SUPPLEMENT):
        db_session.add(ReportPart(report_id=report.id, kind=kind, body=b"x"))
    db_session.flush()
    db_session.add(ReportPart(report_id=report.id, kind=PartKind.NARRATIVE, body=b"x"))
    with pytest.raises(IntegrityError):
        db_session.flush()


# ---------------------------------------------------------------- wraps


def test_one_wrap_per_user_and_report(db_session: Session) -> None:
    report, user = make_report(db_session), make_user(db_session)
    db_session.add(_wrap(report, HolderKind.USER, user.id))
    db_session.flush()
    db_session.add(_wrap(report, HolderKind.USER, user.id))
    with pytest.raises(IntegrityError):
        db_session.flush()


@pytest.mark.parametrize("holder", [HolderKind.INTAKE, HolderKind.REPORTER])
def test_one_wrap_per_holder_without_a_user(db_session: Session, holder: HolderKind) -> None:
    # user_id is NULL here, and NULLs never collide in a plain unique constraint.
    report = make_report(db_session)
    db_session.add_all([_wrap(report, HolderKind.INTAKE), _wrap(report, HolderKind.REPORTER)])
    db_session.flush()
    db_session.add(_wrap(report, holder))
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_different_users_and_reports_may_hold_wraps(db_session: Session) -> None:
    first, second = make_report(db_session), make_report(db_session)
    ana, ben = make_user(db_session, "ana"), make_user(db_session, "ben")
    db_session.add_all(
        [
            _wrap(report, holder, user)
            for report in (first, second)
            for holder, user in [
                (HolderKind.INTAKE, None),
                (HolderKind.REPORTER, None),
                (HolderKind.USER, ana.id),
                (HolderKind.USER, ben.id),
            ]
        ]
    )
    db_session.flush()


def test_wrap_holder_kind_matches_user(db_session: Session) -> None:
    report, user = make_report(db_session), make_user(db_session)
    db_session.add(_wrap(report, HolderKind.REPORTER, user.id))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()
    db_session.add(_wrap(make_report(db_session), HolderKind.USER, None))
    with pytest.raises(IntegrityError):
        db_session.flush()


# ---------------------------------------------------------------- foreign keys


def test_foreign_keys_are_enforced(db_session: Session) -> None:
    db_session.add(_wrap(Report(id=999_999), HolderKind.INTAKE))
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_deleting_a_report_deletes_its_rows(db_session: Session) -> None:
    report, user = make_report(db_session), make_user(db_session)
    part = ReportPart(report_id=report.id, kind=PartKind.SUPPLEMENT, body=b"x")
    db_session.add_all([part, _wrap(report, HolderKind.USER, user.id)])
    db_session.add(
        Message(
            report_id=report.id,
            author_kind=Author.REPORTER,
            kind=MessageKind.MESSAGE,
            ciphertext=b"x",
        )
    )
    db_session.flush()
    db_session.add(
        Attachment(
            report_id=report.id,
            part_id=part.id,
            blob_key="ab" * 16,
            ciphertext_size=97,
            author_side=Author.REPORTER,
        )
    )
    db_session.commit()
    db_session.execute(text("DELETE FROM reports WHERE id = :id"), {"id": report.id})
    db_session.commit()
    for table in ("report_parts", "wraps", "messages", "attachments"):
        assert db_session.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0


def test_a_queue_with_reports_cannot_be_deleted(db_session: Session) -> None:
    queue = make_queue(db_session)
    make_report(db_session, queue_id=queue.id)
    db_session.commit()
    with pytest.raises(IntegrityError):
        db_session.execute(text("DELETE FROM queues WHERE id = :id"), {"id": queue.id})


def test_a_user_with_audit_history_cannot_be_deleted(db_session: Session) -> None:
    user = make_user(db_session)
    append_audit(db_session, actor_user_id=user.id, action="sign_in", target=None, details={})
    db_session.commit()
    with pytest.raises(IntegrityError):
        db_session.execute(text("DELETE FROM users WHERE id = :id"), {"id": user.id})


# ---------------------------------------------------------------- messages and keys


def test_reporters_cannot_write_notes(db_session: Session) -> None:
    report = make_report(db_session)
    db_session.add(
        Message(
            report_id=report.id, author_kind=Author.REPORTER, kind=MessageKind.NOTE, ciphertext=b"x"
        )
    )
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_investigator_messages_name_their_author(db_session: Session) -> None:
    report = make_report(db_session)
    db_session.add(
        Message(
            report_id=report.id,
            author_kind=Author.INVESTIGATOR,
            kind=MessageKind.NOTE,
            ciphertext=b"x",
        )
    )
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_only_one_active_intake_key(db_session: Session) -> None:
    db_session.add_all(
        [
            IntakeKey(public_key=secrets.token_bytes(32), fingerprint="A", active=False),
            IntakeKey(public_key=secrets.token_bytes(32), fingerprint="B", active=False),
            IntakeKey(public_key=secrets.token_bytes(32), fingerprint="C", active=True),
        ]
    )
    db_session.flush()
    db_session.add(IntakeKey(public_key=secrets.token_bytes(32), fingerprint="D", active=True))
    with pytest.raises(IntegrityError):
        db_session.flush()
