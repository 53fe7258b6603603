"""What the public-site tests share: a reporter's side of the protocol, in Python.

`Reporter` drives the JSON API as the browser script does (CSRF header, proof
of work, chunked uploads of attachments encrypted here); `storage_state`
counts what a request left behind, so a refused request can be shown to
have written nothing.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crypto import (
    PrivateKey,
    PublicKey,
    Receipt,
    RecordKind,
    ReportEnvelope,
    ReportKey,
    b64encode,
    encrypt_attachment,
    seal_record,
    seal_report,
    unwrap_report_key,
)
from reporting.core.models import Attachment, HolderKind, Message, Report, ReportPart, Wrap
from tests.fixtures.app import csrf_token_from

RECEIPT = re.compile(r'<code id="receipt">([0-9A-Z-]+)</code>')


# A file's name in any script reaches whoever downloads the file whole
# (filename*), with an ASCII stand-in for old clients; quotes never reach the header.
NAMED_DOWNLOADS = [
    (
        "отчёт.pdf",
        "attachment; filename=\"_____.pdf\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf",
    ),
    (
        "تقرير.pdf",
        "attachment; filename=\"_____.pdf\"; filename*=UTF-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1.pdf",
    ),
    ("报告.pdf", "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"),
    ('a"b.txt', "attachment; filename=\"ab.txt\"; filename*=UTF-8''ab.txt"),
    ("../scans/café.pdf", "attachment; filename=\"cafe.pdf\"; filename*=UTF-8''caf%C3%A9.pdf"),
]


def solve(challenge: str, difficulty: int, iterations: int) -> str:
    for nonce in itertools.count():
        digest = hashlib.pbkdf2_hmac("sha256", challenge.encode(), str(nonce).encode(), iterations)
        if int.from_bytes(digest, "big") >> (256 - difficulty) == 0 or difficulty == 0:
            return str(nonce)
    raise AssertionError("unreachable")


def attachment_stream(key: ReportKey, data: bytes, *, name: str = "evidence.pdf") -> bytes:
    sink = io.BytesIO()
    encrypt_attachment(
        key, io.BytesIO(data), sink, name=name, content_type="application/pdf", size=len(data)
    )
    return sink.getvalue()


@dataclass
class Sealed:
    receipt: Receipt
    key: ReportKey
    envelope: ReportEnvelope

    @property
    def token(self) -> str:
        return b64encode(self.receipt.lookup_token())


def seal_tip(intake: PublicKey, body: dict[str, Any] | None = None) -> Sealed:
    receipt = Receipt.generate()
    key, envelope = seal_report(
        body or {"form": "tip", "format": 1, "what_happened": "a lathe went east"},
        intake,
        receipt.reporter_private_key().public_key,
    )
    return Sealed(receipt, key, envelope)


class Reporter:
    """A browser with JavaScript on, reduced to its requests."""

    def __init__(self, client: FlaskClient, page: str = "/tip") -> None:
        self.client = client
        self.csrf = csrf_token_from(client.get(page).get_data(as_text=True))

    def post_json(self, path: str, data: object, **headers: str) -> Any:
        return self.client.post(path, json=data, headers={"X-CSRFToken": self.csrf, **headers})

    def proof(self) -> dict[str, str]:
        answer = self.post_json("/api/challenge", {}).get_json()
        return {
            "challenge": answer["challenge"],
            "nonce": solve(answer["challenge"], answer["difficulty"], answer["iterations"]),
        }

    def open_upload(self) -> str:
        response = self.post_json("/api/uploads", {})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["upload"]

    def send_part(self, upload: str, offset: int, data: bytes, *, final: bool = False) -> Any:
        return self.client.post(
            f"/api/uploads/{upload}?offset={offset}" + ("&final=1" if final else ""),
            data=data,
            content_type="application/octet-stream",
            headers={"X-CSRFToken": self.csrf},
        )

    def upload(self, stream: bytes, part_size: int = 1 << 20) -> str:
        upload = self.open_upload()
        for offset in range(0, len(stream), part_size):
            final = offset + part_size >= len(stream)
            response = self.send_part(
                upload, offset, stream[offset : offset + part_size], final=final
            )
            assert response.status_code == 200, response.get_json()
        return upload

    def submit(self, sealed: Sealed, uploads: list[str] = (), **extra: object) -> Any:
        payload = {
            "intake_type": "tip",
            "envelope": sealed.envelope.to_json(),
            "lookup_token": sealed.token,
            "attachments": list(uploads),
            "pow": self.proof(),
            **extra,
        }
        return self.post_json("/api/reports", payload)


def investigator_reply(session, report: Report, key: ReportKey, user_id: int, text: str) -> Message:
    """A reply as the console will write one: a MESSAGE record under rk and its row."""
    message = Message(
        report_id=report.id,
        author_kind="investigator",
        author_user_id=user_id,
        kind="message",
        ciphertext=seal_record(
            key, RecordKind.MESSAGE, {"format": 1, "author": "investigator", "text": text}
        ),
    )
    session.add(message)
    session.commit()
    return message


@dataclass(frozen=True)
class StorageState:
    rows: dict[str, int]
    files: frozenset[str]


def storage_state(app: Flask) -> StorageState:
    """How many report rows exist and which files are under the blob store."""
    context = app.extensions["vigil"]
    with context.session_factory() as session:
        rows = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Report, Wrap, Attachment, Message, ReportPart)
        }
    root: Path = context.blob_store.root
    # The pending uploads' ledger (their running total) is bookkeeping, not something stored.
    ledger: Path = context.uploads.ledger_path
    files = (
        frozenset(
            str(path.relative_to(root))
            for path in root.rglob("*")
            if path.is_file() and path != ledger
        )
        if root.exists()
        else frozenset()
    )
    return StorageState(rows, files)


def receipt_from(html: str) -> str:
    match = RECEIPT.search(html)
    assert match, "no receipt on the page"
    return match.group(1)


def open_intake_wrap(report: Report, intake_key: PrivateKey) -> ReportKey:
    wrap = next(w for w in report.wraps if w.holder_kind is HolderKind.INTAKE)
    return unwrap_report_key(wrap.wrapped_key, intake_key)
