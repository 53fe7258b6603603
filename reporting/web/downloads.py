"""The Content-Disposition header of every download, with the file's own name.

A file's name is its sender's: any script, any character, folders, quotes.
Headers travel as Latin-1, so the name goes out in the two forms of RFC 6266:
`filename*` carries it whole, percent-encoded UTF-8, for every current
browser; `filename` carries an ASCII stand-in for the rest.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Response

from reporting.intake.confirmations import FilingConfirmation

MAX_FILENAME = 200
# Not in a file name on any common system, or not in a quoted header value.
_UNSAFE = frozenset('"\\<>:|?*')


def _safe_filename(name: str, fallback: str) -> str:
    """A sender's file name fit to save: no folders, no control characters, not hidden."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(char for char in base if char.isprintable() and char not in _UNSAFE)
    cleaned = cleaned.strip().lstrip(".").strip()[:MAX_FILENAME]
    return cleaned or fallback


def _ascii_stand_in(name: str) -> str:
    # Accents come off (é is e); any other character beyond printable ASCII,
    # or one that decomposes to a quote or backslash (a full-width quote), becomes "_".
    letters = unicodedata.normalize("NFKD", name)
    return "".join(
        char if char.isascii() and char.isprintable() and char not in _UNSAFE else "_"
        for char in letters
        if not unicodedata.combining(char)
    )


def attachment_disposition(name: str, fallback: str) -> str:
    """`attachment` with the file's name made safe (`fallback` if nothing of it is left)."""
    filename = _safe_filename(name, fallback)
    return (
        f'attachment; filename="{_ascii_stand_in(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


def confirmation_download(confirmation: FilingConfirmation) -> Response:
    """A filing confirmation, saved as the JSON file the company keeps."""
    response = Response(confirmation.document(), mimetype="application/json")
    response.headers["Content-Disposition"] = attachment_disposition(
        confirmation.file_name, "confirmation.json"
    )
    return response
