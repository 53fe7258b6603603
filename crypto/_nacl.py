"""The only module that calls PyNaCl.

Keeping libsodium behind these few functions means there is exactly one place
where its exceptions are translated: every ``nacl`` exception (including its
``ValueError``/``TypeError`` subclasses) becomes ``CryptoError`` here, so none
can escape the package. The functions take and return plain ``bytes``; the
callers have already checked lengths, so a libsodium refusal is reported as the
operation named by ``what`` failing, without any input echoed into the message.
"""

from nacl import bindings, exceptions, utils
from nacl.encoding import RawEncoder
from nacl.hash import blake2b as _blake2b
from nacl.pwhash import argon2id as _argon2id

from crypto._constants import KEY_SIZE
from crypto.errors import CryptoError

SEAL_OVERHEAD = bindings.crypto_box_SEALBYTES  # ephemeral public key + tag: 48
ARGON2ID_SALT_SIZE = _argon2id.SALTBYTES  # 16


def random_bytes(size: int) -> bytes:
    """Bytes from libsodium's CSPRNG (``randombytes_buf``)."""
    return utils.random(size)


def secretbox(key: bytes, nonce: bytes, message: bytes) -> bytes:
    """``crypto_secretbox_easy``: tag (16) followed by the ciphertext, no nonce."""
    try:
        return bindings.crypto_secretbox_easy(message, nonce, key)
    except exceptions.CryptoError:
        raise CryptoError("secretbox: encryption failed") from None


def secretbox_open(key: bytes, nonce: bytes, box: bytes, what: str) -> bytes:
    """Inverse of :func:`secretbox`; a wrong key and a damaged box look the same."""
    try:
        return bindings.crypto_secretbox_open_easy(box, nonce, key)
    except exceptions.CryptoError:
        # ``from None``: the libsodium exception adds nothing and must not be
        # chained into logs as a second, differently typed error.
        raise CryptoError(f"{what}: authentication failed") from None


def seal(public_key: bytes, message: bytes) -> bytes:
    """libsodium sealed box (``crypto_box_seal``) to an X25519 public key."""
    try:
        return bindings.crypto_box_seal(message, public_key)
    except exceptions.CryptoError:
        # libsodium refuses public keys of small order (all-zero shared secret).
        raise CryptoError("seal: the public key is not usable") from None


def seal_open(private_key: bytes, sealed: bytes, what: str) -> bytes:
    """Open a sealed box with the recipient's private key."""
    try:
        public_key = bindings.crypto_scalarmult_base(private_key)
        return bindings.crypto_box_seal_open(sealed, public_key, private_key)
    except exceptions.CryptoError:
        raise CryptoError(f"{what}: authentication failed") from None


def x25519_public(private_key: bytes) -> bytes:
    """The X25519 base-point multiple of a 32-byte private key (clamped by X25519)."""
    try:
        return bindings.crypto_scalarmult_base(private_key)
    except exceptions.CryptoError:
        raise CryptoError("private key: X25519 failed") from None


def blake2b(data: bytes, *, size: int = KEY_SIZE, key: bytes = b"") -> bytes:
    """BLAKE2b with a ``size``-byte digest and optional key; no salt or personalisation."""
    try:
        return _blake2b(data, digest_size=size, key=key, encoder=RawEncoder)
    except exceptions.CryptoError:
        raise CryptoError("blake2b: invalid parameters") from None


def argon2id_key(password: bytes, salt: bytes, ops: int, mem: int) -> bytes:
    """``crypto_pwhash`` with ALG_ARGON2ID13 and a 32-byte output."""
    try:
        return _argon2id.kdf(KEY_SIZE, password, salt, opslimit=ops, memlimit=mem)
    except exceptions.CryptoError:
        raise CryptoError("argon2id: key derivation failed") from None


def argon2id_str(password: bytes, ops: int, mem: int) -> str:
    """``crypto_pwhash_str`` with Argon2id: ``$argon2id$v=19$m=…,t=…,p=1$salt$hash``."""
    try:
        return _argon2id.str(password, opslimit=ops, memlimit=mem).decode("ascii")
    except exceptions.CryptoError:
        raise CryptoError("argon2id: password hashing failed") from None


def argon2id_verify(password_hash: str, password: bytes) -> bool:
    """``crypto_pwhash_str_verify``; False on mismatch (the caller checked the format)."""
    try:
        return _argon2id.verify(password_hash.encode("ascii"), password)
    except exceptions.InvalidkeyError:
        return False
    except exceptions.CryptoError:
        raise CryptoError("password hash: verification failed") from None


SIGNATURE_SIZE = bindings.crypto_sign_BYTES  # 64


def ed25519_public(seed: bytes) -> bytes:
    """The Ed25519 public key of a 32-byte seed."""
    try:
        public_key, _ = bindings.crypto_sign_seed_keypair(seed)
    except exceptions.CryptoError:
        raise CryptoError("signing key: Ed25519 key derivation failed") from None
    return public_key


def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    """A detached Ed25519 signature (64 bytes) of ``message``."""
    try:
        _, secret_key = bindings.crypto_sign_seed_keypair(seed)
        return bindings.crypto_sign(message, secret_key)[:SIGNATURE_SIZE]
    except exceptions.CryptoError:
        raise CryptoError("sign: Ed25519 signing failed") from None


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes, what: str) -> None:
    """Raise unless ``signature`` is ``public_key``'s Ed25519 signature of ``message``."""
    try:
        bindings.crypto_sign_open(signature + message, public_key)
    except (exceptions.BadSignatureError, exceptions.CryptoError):
        raise CryptoError(f"{what}: the signature does not verify") from None
