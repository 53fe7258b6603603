"""The second factor: TOTP codes, checked against the user's secret within a clock drift.

A code is used once: sign-in records its time step (reporting/accounts/sign_in.py),
and a code of that step or an earlier one is refused afterwards.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.core import clock
from reporting.core.models import User

TOTP_ISSUER = "Vigil"
# A code is accepted one 30-second step early or late, for clock drift.
TOTP_DRIFT_STEPS = 1


def totp_provisioning_uri(username: str, totp_secret: str) -> str:
    """The otpauth:// URI an authenticator app reads (usually from a QR code)."""
    return pyotp.TOTP(totp_secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def matching_totp_step(secret: str | None, code: str, now: datetime) -> int | None:
    """The time step whose code is `code`, within the allowed clock drift."""
    if secret is None:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def unused_code_step(session: Session, username: str, code: str) -> tuple[int, int] | None:
    """(user id, time step) if `code` is a current, unused code of the active user `username`.

    Cheap (one query, three HMAC-SHA1s, no Argon2id): the sign-in form's rate
    limits let such an attempt through (reporting/console/sign_in_limits.py).
    """
    code = code.strip()
    # Checked before the form is: anything but six ASCII digits is no code.
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        return None
    step = matching_totp_step(user.totp_secret, code, clock.now())
    if step is None or (user.totp_last_counter is not None and step <= user.totp_last_counter):
        return None
    return user.id, step
