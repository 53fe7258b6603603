"""Strict base64 and JSON, shared by every format that carries them.

Strictness is a security property here: the server validates envelopes it
cannot decrypt, and two parsers that disagree on what a field means (say,
base64 with stray whitespace, or JSON with ``NaN``) are a classic source of
smuggling bugs between the browser and the server. So base64 must be the
canonical RFC 4648 §4 form with padding (what ``btoa`` and every correct
encoder produce), and JSON must be what ``JSON.parse`` in a browser accepts
with the same meaning: no ``NaN``/``Infinity``, no numbers that overflow to
infinity, no lone surrogates, UTF-8 only.
"""

import base64
import binascii
import json
import math
import re
from typing import Any, NoReturn, TypeAlias

from crypto.errors import CryptoError

# A \uD800-\uDFFF escape; only through one can a lone surrogate get into a
# decoded string (the UTF-8 decoder already refuses encoded surrogates).
# Any JSON value: None, bool, int, float, str, list or dict with str keys.
# Typed as Any so that callers, which know the shape they stored, need not
# narrow a recursive union at every use.
JsonValue: TypeAlias = Any

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def b64encode(data: bytes) -> str:
    """Standard base64 (RFC 4648 §4) with ``=`` padding."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """Decode canonical standard base64 with padding; anything else is a ``CryptoError``.

    Refused: non-``str`` input, whitespace, the URL-safe alphabet, missing or
    extra padding, and non-zero trailing bits (so each byte string has exactly
    one accepted encoding).
    """
    if not isinstance(text, str):
        raise CryptoError("base64: expected a string")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise CryptoError("base64: malformed") from None
    if base64.b64encode(data) != text.encode("ascii"):
        raise CryptoError("base64: not in canonical form")
    return data


def _refuse_constant(name: str) -> NoReturn:
    raise CryptoError(f"JSON: {name} is not allowed")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        # Python reads 1e400 as inf; a browser would too, but inf cannot be
        # written back as JSON, so refuse it instead of carrying it around.
        raise CryptoError("JSON: number out of range")
    return value


def encode_json(value: object, what: str) -> bytes:
    """Compact UTF-8 JSON (``ensure_ascii=False``); ``CryptoError`` if ``value`` is not JSON."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")
    except (TypeError, ValueError, RecursionError):
        # TypeError: not serialisable; ValueError: NaN/inf or a circular
        # reference; UnicodeEncodeError (a ValueError): a lone surrogate.
        raise CryptoError(f"{what}: not a JSON value") from None


def decode_json(data: bytes, what: str) -> JsonValue:
    """Parse strict UTF-8 JSON; ``CryptoError`` on anything a browser would not accept."""
    try:
        text = data.decode("utf-8")
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
        if _SURROGATE_ESCAPE.search(text):
            # Escaped pairs are fine; a lone surrogate would make the value
            # impossible to render or re-encode as UTF-8 later, far from here.
            json.dumps(value, ensure_ascii=False).encode("utf-8")
    except CryptoError:
        raise CryptoError(f"{what}: not valid JSON") from None
    except (ValueError, RecursionError):
        # ValueError covers UnicodeDecodeError, JSONDecodeError, a lone
        # surrogate (UnicodeEncodeError) and integers beyond Python's
        # int-string conversion limit.
        raise CryptoError(f"{what}: not valid JSON") from None
    return value
