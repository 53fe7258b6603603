"""Filling the public forms in a real browser, and reading back what was stored."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import PrivateKey, ReportEnvelope, ReportKey, decrypt_attachment, open_report
from reporting.core.models import Attachment, HolderKind, Report

RECEIPT_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$"


def new_canary() -> str:
    # Letters and digits only: no encoding (JSON, form, URL, multipart) can
    # hide it by escaping one of its characters.
    return "CANARY" + uuid.uuid4().hex.upper()


def fill_every_field(page: Any, form: str, canary: str) -> dict[str, str]:
    """Put a distinct canary value in every text field of `form`; tick every box.

    Selects (a party's role) get their last choice. Returns what each field got.
    """
    filled: dict[str, str] = {}
    controls = page.locator(f"{form} input, {form} textarea, {form} select")
    for index in range(controls.count()):
        control = controls.nth(index)
        name = control.get_attribute("name") or ""
        kind = (control.get_attribute("type") or "").lower()
        if not name or name in {"csrf_token", "receipt"} or kind in {"hidden", "file", "submit"}:
            continue
        if kind == "checkbox":
            control.check()
            filled[name] = "true"
            continue
        if control.locator("xpath=self::select").count():
            options = control.locator("option")
            value = options.nth(options.count() - 1).get_attribute("value") or ""
            control.select_option(value)
            filled[name] = value
            continue
        value = f"{canary} {name}"
        if name == "contact_email":
            value = f"{canary.lower()}@example.org"
        control.fill(value)
        filled[name] = value
    return filled


def canary_file(directory: Path, canary: str, size: int = 200_000) -> Path:
    """A file whose name and content carry the canary, several chunks long."""
    line = f"{canary} attachment line\n".encode()
    data = (line * (size // len(line) + 1))[:size]
    path = directory / f"{canary}-evidence.txt"
    path.write_bytes(data)
    return path


def stored_reports(session: Session) -> list[Report]:
    return list(session.scalars(select(Report).order_by(Report.id)))


def open_as_intake(report: Report, intake: PrivateKey) -> tuple[ReportKey, dict[str, Any]]:
    wraps = {wrap.holder_kind: wrap.wrapped_key for wrap in report.wraps}
    envelope = ReportEnvelope(
        body=report.body,
        intake_wrap=wraps[HolderKind.INTAKE],
        reporter_wrap=wraps[HolderKind.REPORTER],
    )
    return open_report(envelope, intake, as_holder="intake")


def decrypt_stored(key: ReportKey, attachment: Attachment, blob_root: Path) -> tuple[Any, bytes]:
    """(info, plaintext) of a stored attachment, read from the blob store."""
    from reporting.core.blobstore import FilesystemBlobStore

    store = FilesystemBlobStore(blob_root)
    sink = io.BytesIO()
    with store.open_reader(attachment.blob_key) as source:
        info = decrypt_attachment(key, source, sink)
    return info, sink.getvalue()


def files_containing(root: Path, needles: list[bytes]) -> dict[str, list[str]]:
    """Every file under `root` holding any of `needles`, with which."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            hits = [n.decode(errors="replace") for n in needles if n in data]
            if hits:
                found[str(path)] = hits
    return found


def fill_values(page: Any, values: dict[str, str]) -> None:
    """Fill fields by name: text as given, "true" ticks a box, selects by value."""
    for name, value in values.items():
        control = page.locator(f'[name="{name}"]')
        if control.get_attribute("type") == "checkbox":
            if value == "true":
                control.check()
        elif control.locator("xpath=self::select").count():
            control.select_option(value)
        else:
            control.fill(value)


def submit_and_wait_for_receipt(page: Any, button: str, *, javascript: bool = True) -> str:
    """Send the form; the receipt the page then shows (the script's panel, or the server's page)."""
    page.get_by_role("button", name=button).click()
    if javascript:
        panel = page.locator("[data-receipt-panel]")
        panel.wait_for(timeout=60_000)
        receipt = panel.locator("[data-receipt]").get_attribute("data-receipt")
    else:
        page.locator("#receipt").wait_for(timeout=60_000)
        receipt = page.locator("#receipt").text_content()
    assert receipt
    return receipt.strip()
