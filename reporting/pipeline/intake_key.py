"""The intake private key: made once by `vigil init`, unlocked only by the triage worker.

The private key lives only in a file, locked under a passphrase. It is never
stored in the database, so a database theft alone reveals no report. The web
processes never import this module (an import-linter contract in
pyproject.toml): they need only the public key, reporting.intake.public_key.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.orm import Session

from crypto import (
    CryptoError,
    PasswordCost,
    PrivateKey,
    PublicKey,
    decode_intake_key_file,
    encode_intake_key_file,
    lock_private_key,
    unlock_private_key,
)
from reporting.audit.log import append_audit
from reporting.core.files import private_directory
from reporting.core.models import IntakeKey
from reporting.intake.public_key import IntakeKeyError, active_intake_key


def create_intake_key(
    session: Session, *, key_file: Path, passphrase: str, cost: PasswordCost
) -> IntakeKey:
    """Make the intake key pair: private key locked into `key_file`, public key recorded."""
    if not passphrase:
        raise IntakeKeyError("the intake key needs a passphrase")
    private_key = PrivateKey.generate()
    public_key = private_key.public_key
    intake_key = IntakeKey(public_key=bytes(public_key), fingerprint=public_key.fingerprint)
    session.add(intake_key)
    session.flush()
    append_audit(
        session,
        actor_user_id=None,
        action="intake_key.create",
        target=f"intake_key:{intake_key.id}",
        details={"fingerprint": intake_key.fingerprint},
    )
    # The file is written last, so that when this returns normally the caller
    # knows the file is its own to remove if its transaction later fails.
    private_directory(key_file.parent)
    try:
        # Owner-only, and never over an existing key: losing the old intake key
        # would make every report still waiting for triage unreadable.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise IntakeKeyError(
            f"{key_file} already exists; refusing to overwrite an intake key"
        ) from None
    with os.fdopen(fd, "w") as handle:
        handle.write(encode_intake_key_file(lock_private_key(private_key, passphrase, cost)))
        handle.flush()
        os.fsync(handle.fileno())
    return intake_key


def unlock_intake_key(session: Session, *, key_file: Path, passphrase: str) -> PrivateKey:
    """The intake private key, checked against the active public key in the database."""
    try:
        text = key_file.read_text()
    except OSError as error:
        raise IntakeKeyError(
            f"cannot read the intake key file {key_file}: {error.strerror}"
        ) from None
    try:
        private_key = unlock_private_key(decode_intake_key_file(text), passphrase)
    except CryptoError:
        raise IntakeKeyError(f"wrong passphrase for {key_file}, or the file is damaged") from None
    if private_key.public_key != PublicKey(active_intake_key(session).public_key):
        raise IntakeKeyError(f"{key_file} does not hold the active intake key")
    return private_key
