"""Photos lose their hidden details in the browser, before encryption, unless the reporter says no.

The files are made here: a JPEG whose Exif (APP1), XMP (APP1), IPTC (APP13)
and comment carry a canary beside the JFIF header, the colour profile and the
picture; a PNG whose text chunks and eXIf do the same. What the investigators
decrypt must hold the picture and none of the canaries.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from tests.browser.public.helpers import (
    decrypt_stored,
    open_as_intake,
    stored_reports,
    submit_and_wait_for_receipt,
)

pytestmark = pytest.mark.browser

CANARY = b"CANARY-GPS-52.37N-4.89E-Serial-XK7731"
PICTURE = bytes(range(256)) * 4  # stands in for the entropy-coded scan


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def jpeg() -> bytes:
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xE1, b"Exif\x00\x00" + CANARY),
            _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + CANARY),
            _segment(0xE2, b"ICC_PROFILE\x00\x01\x01colour"),
            _segment(0xED, b"Photoshop 3.0\x00" + CANARY),
            _segment(0xFE, CANARY),
            _segment(0xDB, bytes(65)),  # a quantisation table
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            PICTURE,
            b"\xff\xd9",
        ]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png() -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"tEXt", b"Author\x00" + CANARY),
            _chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + CANARY),
            _chunk(b"eXIf", b"MM\x00*" + CANARY),
            _chunk(b"IDAT", zlib.compress(b"\x00\x00")),
            _chunk(b"tIME", b"\x07\xea\x0c\x07\x0c\x00\x00"),
            _chunk(b"IEND", b""),
        ]
    )


def _send(public_browser, tmp_path: Path, *, strip: bool) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    (tmp_path / "scan.png").write_bytes(png())
    tab = public_browser.new_page()
    page = tab.page
    tab.goto("/tip")
    page.fill("#what_happened", "Photos of the crates at the port.")
    page.set_input_files("#attachments", [str(tmp_path / "photo.jpg"), str(tmp_path / "scan.png")])
    box = page.get_by_label("Remove hidden details", exact=False)
    assert box.is_checked()  # the default
    if not strip:
        box.uncheck()
    submit_and_wait_for_receipt(page, "Send the report")


def _received(app, intake_key, settings) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    with app.extensions["vigil"].session_factory() as session:
        (report,) = stored_reports(session)
        key, _ = open_as_intake(report, intake_key)
        files = {}
        for attachment in report.attachments:
            info, data = decrypt_stored(key, attachment, settings.blob_dir)
            files[info.name] = data
    return files


def test_photos_lose_their_hidden_details_and_keep_their_picture(
    public_browser, intake_key, app, settings, tmp_path
):
    _send(public_browser, tmp_path, strip=True)
    files = _received(app, intake_key, settings)
    assert set(files) == {"photo.jpg", "scan.png"}
    photo, scan = files["photo.jpg"], files["scan.png"]
    assert CANARY not in photo
    assert CANARY not in scan
    # What the picture needs stays, byte for byte.
    assert photo.startswith(b"\xff\xd8\xff\xe0")
    assert b"ICC_PROFILE" in photo
    assert photo.endswith(PICTURE + b"\xff\xd9")
    assert scan.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"IHDR" in scan
    assert b"IDAT" in scan
    assert scan.endswith(_chunk(b"IEND", b""))
    assert b"tEXt" not in scan
    assert b"tIME" not in scan


def test_a_reporter_may_send_a_photo_as_it_is(public_browser, intake_key, app, settings, tmp_path):
    _send(public_browser, tmp_path, strip=False)
    files = _received(app, intake_key, settings)
    assert files == {"photo.jpg": jpeg(), "scan.png": png()}
