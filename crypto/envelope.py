"""The report envelope: a BODY record plus the report key wrapped to two holders.

This is what a reporter's browser sends. The server parses it with
``ReportEnvelope.from_json`` without any key, so the parser is strict: exact
members, ``v`` exactly 1, canonical base64, and sizes a v1 writer can produce.
Anything else is refused before it is stored, rather than discovered by an
investigator months later.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from crypto.encoding import b64decode, b64encode
from crypto.errors import CryptoError
from crypto.keys import PrivateKey, PublicKey, ReportKey, require_type
from crypto.records import RecordKind, check_record_structure, open_record, seal_record
from crypto.wraps import WRAP_SIZE, unwrap_report_key, wrap_report_key

_MEMBERS = frozenset({"v", "body", "wraps"})
_HOLDERS = frozenset({"intake", "reporter"})


@dataclass(frozen=True, repr=False)
class ReportEnvelope:
    """``{"v": 1, "body": <record>, "wraps": {"intake": <wrap>, "reporter": <wrap>}}``."""

    body: bytes
    intake_wrap: bytes
    reporter_wrap: bytes

    def __post_init__(self) -> None:
        check_record_structure(self.body, RecordKind.BODY)
        for wrap in (self.intake_wrap, self.reporter_wrap):
            if not isinstance(wrap, bytes) or len(wrap) != WRAP_SIZE:
                raise CryptoError(f"envelope: a wrap must be {WRAP_SIZE} bytes")

    def to_json(self) -> dict[str, object]:
        return {
            "v": 1,
            "body": b64encode(self.body),
            "wraps": {
                "intake": b64encode(self.intake_wrap),
                "reporter": b64encode(self.reporter_wrap),
            },
        }

    @classmethod
    def from_json(cls, data: object) -> "ReportEnvelope":
        """Parse the JSON object (already decoded from the request) strictly."""
        if not isinstance(data, dict) or data.keys() != _MEMBERS:
            raise CryptoError("envelope: must be an object with exactly v, body and wraps")
        version = data["v"]
        # ``type(...) is int``: True == 1 and 1.0 == 1 in Python, but neither is 1.
        if type(version) is not int:
            raise CryptoError("envelope: v must be an integer")
        if version != 1:
            raise CryptoError("envelope: unsupported version")
        wraps = data["wraps"]
        if not isinstance(wraps, dict) or wraps.keys() != _HOLDERS:
            raise CryptoError("envelope: wraps must have exactly intake and reporter")
        return cls(
            body=b64decode(data["body"]),
            intake_wrap=b64decode(wraps["intake"]),
            reporter_wrap=b64decode(wraps["reporter"]),
        )

    def __repr__(self) -> str:
        return f"ReportEnvelope(body=<{len(self.body)} bytes>)"


def seal_report(
    body: Mapping[str, Any], intake: PublicKey, reporter: PublicKey
) -> tuple[ReportKey, ReportEnvelope]:
    """Seal a report body under a fresh report key wrapped to intake and reporter."""
    require_type(intake, PublicKey, "intake")
    require_type(reporter, PublicKey, "reporter")
    if not isinstance(body, Mapping) or not all(isinstance(name, str) for name in body):
        raise CryptoError("report body: must be a JSON object")
    key = ReportKey.generate()
    envelope = ReportEnvelope(
        body=seal_record(key, RecordKind.BODY, dict(body)),
        intake_wrap=wrap_report_key(key, intake),
        reporter_wrap=wrap_report_key(key, reporter),
    )
    return key, envelope


def open_report(
    envelope: ReportEnvelope,
    holder: PrivateKey,
    *,
    as_holder: Literal["intake", "reporter"],
) -> tuple[ReportKey, dict[str, Any]]:
    """Open an envelope as one of its two holders: unwrap ``rk``, then open the body."""
    require_type(envelope, ReportEnvelope, "envelope")
    if as_holder == "intake":
        wrap = envelope.intake_wrap
    elif as_holder == "reporter":
        wrap = envelope.reporter_wrap
    else:
        raise CryptoError("envelope: as_holder must be 'intake' or 'reporter'")
    key = unwrap_report_key(wrap, holder)
    body = open_record(key, RecordKind.BODY, envelope.body)
    if not isinstance(body, dict):
        raise CryptoError("report body: not a JSON object")
    return key, body
