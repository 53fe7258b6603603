"""Vigil's cryptography, protocol v1 (docs/crypto.md is the byte-exact specification).

This package is the only code in Vigil that touches PyNaCl (and only through
``crypto._nacl``). The API is deliberately small and hard to misuse: no nonces,
algorithms or encodings to choose, opaque key types that never print their
secrets, and one exception, ``CryptoError``, for every failure of a
cryptographic operation or of untrusted input. Passing the wrong Python type
for a key (say, a ``ReportKey`` where a ``PrivateKey`` belongs) is a bug in the
caller and raises ``TypeError``.
"""

from crypto._constants import (
    DEFAULT_CHUNK_SIZE,
    MAX_CHUNK_SIZE,
    MIN_CHUNK_SIZE,
    RECORD_MAX_PAYLOAD,
)
from crypto.attachments import (
    ATTACHMENT_HEAD_SIZE,
    ATTACHMENT_HEADER_SIZE,
    ATTACHMENT_INFO_SIZE,
    MAX_ATTACHMENT_SIZE,
    AttachmentInfo,
    AttachmentReader,
    attachment_stream_limit,
    check_attachment_layout,
    check_attachment_structure,
    decrypt_attachment,
    encrypt_attachment,
    open_attachment,
)
from crypto.encoding import b64decode, b64encode
from crypto.envelope import ReportEnvelope, open_report, seal_report
from crypto.errors import CryptoError
from crypto.keys import PrivateKey, PublicKey, ReportKey
from crypto.passwords import (
    INTAKE_KEY_FILE_HEADER,
    LOCKED_KEY_SIZE,
    PasswordCost,
    change_key_password,
    decode_intake_key_file,
    decoy_password_hash,
    encode_intake_key_file,
    hash_password,
    lock_private_key,
    locked_key_cost,
    password_hash_cost,
    unlock_private_key,
    verify_password,
)
from crypto.receipt import Receipt, lookup_hash
from crypto.records import (
    MAX_RECORD_SIZE,
    RecordKind,
    check_record_structure,
    open_record,
    seal_record,
)
from crypto.session import (
    HELD_RECEIPT_SIZE,
    SESSION_KEY_SIZE,
    SESSION_SECRET_SIZE,
    hold_receipt,
    open_for_session,
    release_receipt,
    seal_for_session,
)
from crypto.signatures import (
    SIGNATURE_SIZE,
    SigningKey,
    VerifyKey,
    sign_statement,
    verify_statement,
)
from crypto.spool import SealedSpool
from crypto.wraps import WRAP_SIZE, unwrap_report_key, wrap_report_key

__all__ = [
    "ATTACHMENT_HEADER_SIZE",
    "ATTACHMENT_HEAD_SIZE",
    "ATTACHMENT_INFO_SIZE",
    "DEFAULT_CHUNK_SIZE",
    "HELD_RECEIPT_SIZE",
    "INTAKE_KEY_FILE_HEADER",
    "LOCKED_KEY_SIZE",
    "MAX_ATTACHMENT_SIZE",
    "MAX_CHUNK_SIZE",
    "MAX_RECORD_SIZE",
    "MIN_CHUNK_SIZE",
    "RECORD_MAX_PAYLOAD",
    "SESSION_KEY_SIZE",
    "SESSION_SECRET_SIZE",
    "SIGNATURE_SIZE",
    "WRAP_SIZE",
    "AttachmentInfo",
    "AttachmentReader",
    "CryptoError",
    "PasswordCost",
    "PrivateKey",
    "PublicKey",
    "Receipt",
    "RecordKind",
    "ReportEnvelope",
    "ReportKey",
    "SealedSpool",
    "SigningKey",
    "VerifyKey",
    "attachment_stream_limit",
    "b64decode",
    "b64encode",
    "change_key_password",
    "check_attachment_layout",
    "check_attachment_structure",
    "check_record_structure",
    "decode_intake_key_file",
    "decoy_password_hash",
    "decrypt_attachment",
    "encode_intake_key_file",
    "encrypt_attachment",
    "hash_password",
    "hold_receipt",
    "lock_private_key",
    "locked_key_cost",
    "lookup_hash",
    "open_attachment",
    "open_for_session",
    "open_record",
    "open_report",
    "password_hash_cost",
    "release_receipt",
    "seal_for_session",
    "seal_record",
    "seal_report",
    "sign_statement",
    "unlock_private_key",
    "unwrap_report_key",
    "verify_password",
    "verify_statement",
    "wrap_report_key",
]
