"""A disclosure's filing confirmations: what the instance vouches it received, and when.

A company that discloses a violation must later be able to show what it filed
and when, without relying on Vigil to still hold it. For every stage it filed
(the initial notification, the full narrative, each supplement) it can fetch
a confirmation: a small JSON document naming the case reference, the stage,
the hour it was filed and a SHA-256 digest of what was filed, signed with the
instance's filing key (crypto.signatures, purpose ``filing-confirmation``).

The digest is taken over what Vigil stores, which is ciphertext: the stage's
sealed BODY record, then the SHA-256 of each of the stage's attachment
streams in the order they were filed. Sealing is authenticated, so these bytes
open, under the case's key, to exactly what the company wrote and to nothing
else; whoever holds the receipt (the company) or a wrap (an investigator) can
show that. The time is the hour Vigil kept, like every time on a case: the
confirmation is rebuilt from the stored case whenever it is asked for, so
nothing about it is stored and none is more precise than the case itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from crypto import (
    SIGNATURE_SIZE,
    CryptoError,
    SigningKey,
    VerifyKey,
    b64decode,
    b64encode,
    sign_statement,
    verify_statement,
)
from reporting.core.blobstore import BlobStore
from reporting.core.errors import NotFound
from reporting.core.models import Attachment, IntakeType, Report
from reporting.intake.report_fields import STAGE_NAMES

PURPOSE: Final = "filing-confirmation"
FORMAT: Final = "vigil-filing-confirmation/1"
INITIAL_STAGE: Final = "initial_notification"
# The statement's members, in the order they are signed (sorted, as JSON below).
_STATEMENT_MEMBERS: Final = ("filed_hour", "format", "reference", "sha256", "stage")
_DIGEST_CHUNK: Final = 1024 * 1024


class ConfirmationInvalid(Exception):
    """A confirmation document that is malformed or whose signature does not verify."""


@dataclass(frozen=True)
class FilingConfirmation:
    reference: str
    stage: str
    filed_hour: datetime
    sha256: str
    verify_key: VerifyKey
    signature: bytes

    def statement(self) -> bytes:
        return _statement(self.reference, self.stage, self.filed_hour, self.sha256)

    def document(self) -> bytes:
        """The confirmation as the company keeps it: UTF-8 JSON, one member a line."""
        members = {
            "format": FORMAT,
            "reference": self.reference,
            "stage": self.stage,
            "filed_hour": _hour_text(self.filed_hour),
            "sha256": self.sha256,
            "signing_key": self.verify_key.to_base64(),
            "signing_key_fingerprint": self.verify_key.fingerprint,
            "signature": b64encode(self.signature),
        }
        return (json.dumps(members, indent=2, ensure_ascii=False) + "\n").encode()

    @property
    def file_name(self) -> str:
        return f"{self.reference}-{self.stage.replace('_', '-')}-confirmation.json"


def _hour_text(hour: datetime) -> str:
    return hour.astimezone(UTC).strftime("%Y-%m-%dT%H:00:00Z")


def _statement(reference: str, stage: str, filed_hour: datetime, sha256: str) -> bytes:
    members = {
        "filed_hour": _hour_text(filed_hour),
        "format": FORMAT,
        "reference": reference,
        "sha256": sha256,
        "stage": stage,
    }
    return json.dumps(members, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _stream_digest(blob_store: BlobStore, blob_key: str) -> bytes:
    digest = hashlib.sha256()
    with blob_store.open_reader(blob_key) as source:
        while chunk := source.read(_DIGEST_CHUNK):
            digest.update(chunk)
    return digest.digest()


def filed_digest(blob_store: BlobStore, body: bytes, attachments: Sequence[Attachment]) -> str:
    """SHA-256 of the sealed body followed by each attachment stream's SHA-256, in hex."""
    digest = hashlib.sha256(body)
    for attachment in sorted(attachments, key=lambda a: a.id):
        digest.update(_stream_digest(blob_store, attachment.blob_key))
    return digest.hexdigest()


def confirm_filing(
    key: SigningKey, blob_store: BlobStore, report: Report, stage_id: int | None
) -> FilingConfirmation:
    """The confirmation of the initial notification (``stage_id`` None) or of a later part.

    Only a disclosure has stages; anything else, or a part of another case,
    is NotFound, like a case the receipt does not open.
    """
    if report.intake_type is not IntakeType.DISCLOSURE:
        raise NotFound()
    if stage_id is None:
        stage, hour, body = INITIAL_STAGE, report.received_hour, report.body
        files = [a for a in report.attachments if a.part_id is None and a.message_id is None]
    else:
        part = next((part for part in report.parts if part.id == stage_id), None)
        if part is None:
            raise NotFound()
        stage, hour, body = STAGE_NAMES[part.kind], part.submitted_hour, part.body
        files = [a for a in report.attachments if a.part_id == part.id]
    sha256 = filed_digest(blob_store, body, files)
    statement = _statement(report.public_reference, stage, hour, sha256)
    return FilingConfirmation(
        reference=report.public_reference,
        stage=stage,
        filed_hour=hour,
        sha256=sha256,
        verify_key=key.verify_key,
        signature=sign_statement(key, PURPOSE, statement),
    )


def read_confirmation(document: bytes, trusted: VerifyKey) -> FilingConfirmation:
    """The confirmation in ``document`` if ``trusted`` signed it; else ConfirmationInvalid.

    The key named inside the document is only a hint for people: a confirmation
    is checked against the key the checker already trusts (the instance's).
    """
    try:
        members = json.loads(document)
        if not isinstance(members, dict) or members.get("format") != FORMAT:
            raise ConfirmationInvalid("this is not a Vigil filing confirmation")
        values = {name: members[name] for name in _STATEMENT_MEMBERS}
        if not all(isinstance(value, str) for value in values.values()):
            raise ConfirmationInvalid("a member of the confirmation is not text")
        filed_hour = datetime.strptime(values["filed_hour"], "%Y-%m-%dT%H:00:00Z").replace(
            tzinfo=UTC
        )
        signature = b64decode(str(members["signature"]))
        if len(signature) != SIGNATURE_SIZE:
            raise ConfirmationInvalid("the signature is not an Ed25519 signature")
    except (ValueError, KeyError, CryptoError):
        raise ConfirmationInvalid("the confirmation is damaged or incomplete") from None
    confirmation = FilingConfirmation(
        reference=values["reference"],
        stage=values["stage"],
        filed_hour=filed_hour,
        sha256=values["sha256"],
        verify_key=trusted,
        signature=signature,
    )
    try:
        verify_statement(trusted, PURPOSE, confirmation.statement(), signature)
    except CryptoError:
        raise ConfirmationInvalid(
            "the signature does not verify with this instance's filing key: the confirmation"
            " was changed, or another key signed it"
        ) from None
    return confirmation
