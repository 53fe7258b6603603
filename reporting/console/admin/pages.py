"""What the administration pages share.

The acting administrator, the answer to a refused change, the intake key's
fingerprint and the queues to choose from.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import g
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from reporting.admin.errors import AdministrationError
from reporting.core.models import Queue, User
from reporting.intake.public_key import IntakeKeyError, active_intake_key
from reporting.web.context import request_session

PageResult = str | tuple[str, int] | Response


def actor() -> int:
    user: User = g.console_user
    return user.id


def refused(render: Callable[..., str], error: AdministrationError | str) -> tuple[str, int]:
    """The page again, with what was wrong; nothing was changed (rolled back)."""
    request_session().rollback()
    return render(error=str(error)), 400


def intake_fingerprint() -> str | None:
    try:
        return active_intake_key(request_session()).fingerprint
    except IntakeKeyError:
        return None


def queue_choices() -> list[SelectChoice]:
    queues = request_session().scalars(select(Queue).order_by(Queue.name))
    return [SelectChoice(queue.slug, queue.name) for queue in queues]
