"""Re-screening every due case one user holds: what `vigil triage rescreen --user` runs.

After triage only the holders of a case's user wraps can open it
(reporting.pipeline.rescreen says why), so re-screening the cases nobody
opens in the console runs with one holder's private key: their password
unlocks it (`unlock_for_rescreen`, refused and audited for an unknown or
inactive user, a role that holds no wraps, or a wrong password), and every
due report they hold a wrap for is re-screened and committed on its own
(`rescreen_for_user`). Due reports they hold no wrap for stay due for
another holder.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import CryptoError, PrivateKey, unlock_private_key, unwrap_report_key
from reporting.audit.log import append_audit
from reporting.cases.access import held_by, may_hold_wraps
from reporting.cases.opened_report import TriageWorkerError
from reporting.core.models import Report, User, Wrap
from reporting.pipeline.rescreen import (
    RescreenError,
    RescreenOutcome,
    current_versions_label,
    due_reports_statement,
    rescreen_case,
)
from triage.screening import Screener

log = logging.getLogger("vigil.rescreen")


class RescreenRefused(Exception):
    """The user may not re-screen: unknown or inactive, or the password is wrong."""


@dataclass
class RescreenSummary:
    """What `rescreen_for_user` did, as counts and report ids (no content)."""

    due: int = 0
    outcomes: list[RescreenOutcome] = field(default_factory=list)
    no_wrap: list[int] = field(default_factory=list)  # due, but this user cannot open them
    failed: list[int] = field(default_factory=list)

    @property
    def rescreened(self) -> int:
        return sum(outcome.changed for outcome in self.outcomes)

    @property
    def priority_changed(self) -> int:
        return sum(outcome.changed and outcome.priority_changed for outcome in self.outcomes)

    @property
    def moved(self) -> int:
        return sum(outcome.changed and outcome.moved for outcome in self.outcomes)


def rescreen_for_user(
    session: Session, user: User, private_key: PrivateKey, *, screener: Screener
) -> RescreenSummary:
    """Re-screen every due report `user` holds a user wrap for; commit after each one.

    A report that fails is rolled back on its own, audited as
    `report.rescreen_failed` (error class only) and counted; the others go on.
    Due reports the user holds no wrap for stay due (`summary.no_wrap`).
    """
    due_statement = due_reports_statement(current_versions_label(session))
    due = list(session.scalars(due_statement))
    held: dict[int, bytes] = {
        report_id: wrapped_key
        for report_id, wrapped_key in session.execute(
            select(Wrap.report_id, Wrap.wrapped_key).where(
                held_by(user.id), Wrap.report_id.in_(due_statement)
            )
        )
    }
    session.rollback()  # end the read transaction before the writes (SQLite)
    summary = RescreenSummary(due=len(due))
    for report_id in due:
        wrapped_key = held.get(report_id)
        if wrapped_key is None:
            summary.no_wrap.append(report_id)
            continue
        try:
            key = unwrap_report_key(wrapped_key, private_key)
            report = session.get_one(Report, report_id)
            summary.outcomes.append(
                rescreen_case(session, report, key, screener=screener, actor_user_id=user.id)
            )
            session.commit()
        except (CryptoError, RescreenError, TriageWorkerError) as error:
            session.rollback()
            log.error("report %d not re-screened: %s", report_id, type(error).__name__)
            summary.failed.append(report_id)
            append_audit(
                session,
                actor_user_id=user.id,
                action="report.rescreen_failed",
                target=f"report:{report_id}",
                details={"error": type(error).__name__},
            )
            session.commit()
    return summary


def unlock_for_rescreen(
    session: Session, *, username: str, password: str
) -> tuple[User, PrivateKey]:
    """The active user `username` and their private key, unlocked with `password`.

    A refusal is audited (`report.rescreen_refused`, with the user id when
    the user exists, never the name typed) and committed, then raised as
    `RescreenRefused` with a message that does not tell which part was wrong
    for an unknown user.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        raise _refuse(session, None, "unknown or inactive user")
    if not may_hold_wraps(user.role, active=user.is_active):
        # An administrator or auditor holds no wrap to re-screen with.
        raise _refuse(session, user.id, "not an investigator or supervisor")
    try:
        private_key = unlock_private_key(user.locked_private_key, password)
    except CryptoError:
        raise _refuse(session, user.id, "wrong password") from None
    return user, private_key


def _refuse(session: Session, user_id: int | None, reason: str) -> RescreenRefused:
    session.rollback()
    append_audit(
        session,
        actor_user_id=user_id,
        action="report.rescreen_refused",
        target=f"user:{user_id}" if user_id is not None else None,
        details={"reason": reason},
    )
    session.commit()
    return RescreenRefused(reason)
