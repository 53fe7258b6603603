"""The one exception type of the package.

Callers handle every cryptographic failure (malformed input, wrong length,
unsupported version, wrong kind, failed authentication, wrong key or password,
damaged stream) with a single ``except CryptoError``. A second exception type
would invite code that catches one and lets the other through as a 500 page
or, worse, treats it as success. Messages name the check that failed and never
contain key material or plaintext, so they are safe to log.
"""


class CryptoError(Exception):
    """A Vigil cryptographic operation failed; the message names the failed check."""
