"""The receipt a reporter's browser holds between a form and the page that shows its result.

Every form of the public site that works without JavaScript answers with a
redirect (Post/Redirect/Get): the report's receipt page, the case page. So a
reload or Back shows the page again and never sends the report, the message
or the stage twice. The receipt those pages need is held, sealed
(crypto.hold_receipt), in the reporter's own session cookie, which lives as
long as the browser session; the server keeps nothing. It is dropped when the
reporter says they have saved it or closes their report.
"""

from __future__ import annotations

from flask import session

from crypto import CryptoError, Receipt, b64decode, b64encode, hold_receipt, release_receipt
from reporting.web.context import derived_secret

_HELD = "held_receipt"
_NOTICE = "case_notice"
_KEY_LABEL = "held-receipt"


def hold(receipt: Receipt) -> None:
    session[_HELD] = b64encode(hold_receipt(derived_secret(_KEY_LABEL), receipt))


def held() -> Receipt | None:
    """The receipt held for this browser, if any (a cookie that does not open is dropped)."""
    value = session.get(_HELD)
    if not isinstance(value, str):
        return None
    try:
        return release_receipt(derived_secret(_KEY_LABEL), b64decode(value))
    except CryptoError:
        drop()
        return None


def drop() -> None:
    session.pop(_HELD, None)
    session.pop(_NOTICE, None)


def tell(notice: str) -> None:
    """What the case page says once after a redirect: a key of `NOTICES` in pages.py."""
    session[_NOTICE] = notice


def told() -> str | None:
    notice = session.pop(_NOTICE, None)
    return notice if isinstance(notice, str) else None
