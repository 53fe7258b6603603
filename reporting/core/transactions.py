"""The one way a service ends a unit of work: commit it whole, or undo it whole."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reporting.core.errors import Conflict


@contextmanager
def committing(session: Session) -> Iterator[None]:
    """Commit at the end of the block; a uniqueness clash becomes Conflict, all rolled back.

    Clashes are replays: a lookup token or a proof of work used twice, a
    second full narrative racing the first.
    """
    try:
        yield
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict() from None
    except BaseException:
        session.rollback()
        raise
