"""The intake public key: every new report is sealed to it, in the browser or by the server.

Only the public half is in the database; the private half, and the code that
unlocks it, is reporting.pipeline.intake_key, which the web processes never
import.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.core.models import IntakeKey


class IntakeKeyError(Exception):
    """The intake key cannot be created, found or unlocked; the message says why."""


def active_intake_key(session: Session) -> IntakeKey:
    intake_key = session.scalar(select(IntakeKey).where(IntakeKey.active.is_(True)))
    if intake_key is None:
        raise IntakeKeyError("no active intake key: run `vigil init`")
    return intake_key
