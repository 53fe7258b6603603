"""Screening lists: an administrator's upload of a list file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from reporting.admin.errors import AdministrationError
from reporting.audit.log import append_audit
from reporting.pipeline.screening_lists import ImportResult, import_list_file
from triage.screening import ListFormatError

# Larger than the largest official list file (the UN XML is a few MiB, the
# OFAC SDN CSV well under 10 MiB).
MAX_LIST_UPLOAD_BYTES = 64 * 1024 * 1024


def import_uploaded_list(
    session: Session, upload: IO[bytes], *, work_dir: Path, actor_user_id: int
) -> ImportResult:
    """Import an uploaded list file (UN XML, OFAC sdn.csv or BIS DPL text); commits.

    The upload is written to a private temporary file inside `work_dir` (the
    instance folder), imported and deleted. List files are public data, not
    report content, so a temporary copy on disk is harmless; it is removed
    anyway so that the instance holds only the stored versions.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".list-upload-", dir=work_dir)
    path = Path(name)
    try:
        written = 0
        with os.fdopen(fd, "wb") as handle:
            while chunk := upload.read(1024 * 1024):
                written += len(chunk)
                if written > MAX_LIST_UPLOAD_BYTES:
                    raise AdministrationError("The file is larger than any list file Vigil reads.")
                handle.write(chunk)
        if written == 0:
            raise AdministrationError("The file is empty.")
        try:
            result = import_list_file(session, path)
        except ListFormatError:
            session.rollback()
            raise AdministrationError(
                "This is not a list file Vigil reads: upload the UN consolidated XML, the"
                " OFAC SDN sdn.csv, the BIS Denied Persons List text file, OpenSanctions'"
                " FollowTheMoney entities (JSON lines) or a watchlist CSV with a header"
                " (docs/triage.md, Importers)."
            ) from None
    finally:
        path.unlink(missing_ok=True)
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.list_import",
        target=f"list:{result.list_id}",
        details={
            "source": result.source,
            "version": result.version_label,
            "sha256": result.sha256,
            "created": result.created,
        },
    )
    session.commit()
    return result
