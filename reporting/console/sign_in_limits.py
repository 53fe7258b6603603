"""The sign-in form's rate limits: they slow guessing, and never stop the right code.

Two limits, as before: attempts per typed user name, and a ceiling over all
names. Neither is keyed on an address (none is kept), and the typed name goes
into the key only through an HMAC under a key derived from the app's secret:
people type passwords into the name box, and Redis must not hold either.

Anyone can use up both limits for a name they know. So an attempt that
carries a current, unused code of the typed user is exempt from them: the
code is checked first, at a bounded cost (one indexed query and three
HMAC-SHA1s, no Argon2id), and the real user always has it. Only the first
`CODE_EXEMPTIONS` attempts with one code are exempt, so someone who holds
the TOTP secret, or saw a code, cannot make the server hash passwords at will;
their guesses at the password count towards the lockout too
(reporting/accounts/sign_in.py). An attempt without the right code meets the limits
as before, and gets the same 429 whoever typed it.
"""

from __future__ import annotations

from flask import g, request

from reporting.accounts.second_factor import unused_code_step
from reporting.web.budgets import Budget
from reporting.web.context import request_session
from reporting.web.extensions import limiter, secret_bucket

PER_NAME = "10 per minute"
ALL_NAMES = "60 per minute"
# Attempts exempt per code: a slip in the password may be corrected once
# with the same code; after that the next code (30 seconds) is exempt again.
CODE_EXEMPTIONS = 2
# A code is accepted for three 30-second steps (clock drift): its exemptions
# are counted for longer than that.
_CODE_EXEMPTIONS = f"{CODE_EXEMPTIONS} per 2 minutes"
_EXEMPT = "vigil_sign_in_exempt"


def _typed(field: str) -> str:
    value = request.form.get(field, "")
    return value if isinstance(value, str) else ""


def sign_in_name_bucket() -> str:
    """Attempts per typed user name, keyed on an HMAC of the name."""
    return secret_bucket("sign-in", _typed("username").strip().lower().encode())


def carries_the_right_code() -> bool:
    """True if this attempt carries a current, unused code of the typed user (and may pass)."""
    if _EXEMPT not in g:
        g.setdefault(_EXEMPT, _check_code())
    exempt: bool = g.get(_EXEMPT)
    return exempt


def _check_code() -> bool:
    if request.method != "POST":
        return False
    found = unused_code_step(request_session(), _typed("username"), _typed("code"))
    if found is None:
        return False
    user_id, step = found
    uses = Budget(
        limiter.limiter,
        _CODE_EXEMPTIONS,
        secret_bucket("sign-in-code", f"{user_id}:{step}".encode()),
    )
    return uses.spend()
