"""What the app holds for the life of the process, and the per-request session."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crypto import SigningKey
from reporting.core.blobstore import FilesystemBlobStore
from reporting.core.settings import Settings
from reporting.intake.uploads import PendingUploads
from reporting.pipeline.screening_lists import CurrentScreener


@dataclass(frozen=True)
class VigilContext:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    blob_store: FilesystemBlobStore
    uploads: PendingUploads
    # Built on first use: a public-only process never loads the lists.
    screener: CurrentScreener
    # Signs disclosures' filing confirmations; only a process serving the public site holds it.
    filing_key: SigningKey | None = None


def vigil() -> VigilContext:
    context: VigilContext = current_app.extensions["vigil"]
    return context


def derived_secret(label: str) -> bytes:
    """A key for one use (`label`) derived from the app's secret key.

    One secret, many uses: deriving a key per use means no value made for
    one (a challenge's MAC, a rate-limit key) can stand in for another's.
    """
    secret: str = current_app.config["SECRET_KEY"]
    return hmac.new(secret.encode(), f"vigil/{label}".encode(), hashlib.sha256).digest()


def request_session() -> Session:
    """The database session of the current request, opened on first use."""
    if "db_session" not in g:
        g.db_session = vigil().session_factory()
    session: Session = g.db_session
    return session


def close_request_session(_error: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def filing_key() -> SigningKey:
    """The key filing confirmations are signed with (held by processes serving the public site)."""
    key = vigil().filing_key
    if key is None:
        raise RuntimeError("this process does not serve the public site")
    return key
