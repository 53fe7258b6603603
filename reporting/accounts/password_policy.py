"""Which passwords a console user may have: long enough and hard to guess.

A console password locks the user's private key (docs/crypto.md), so a
stolen database lets an attacker guess it offline, at the cost of one
Argon2id run per guess. Length alone does not stop that: `aaaaaaaaaaaa`
and `password1234` are twelve characters and among the first guesses any
cracker tries. The strength is estimated with zxcvbn, which counts the
guesses a cracker working from dictionaries, keyboard patterns, dates,
repeats and l33t substitutions would need; a password must need at least
10^8 (zxcvbn's score 3), years of Argon2id work at the production cost.

This is the one place that decides it: a password a user chooses, a
password given to `accounts.create_user`, and the passwords Vigil generates
(enrolment, resets, `vigil init`, the demo) all pass through
`password_problem`. `vigil init` applies it to the intake key's passphrase
too, which locks the intake private key the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from zxcvbn import zxcvbn

PASSWORD_MIN_LENGTH = 12
# Only keeps Argon2id's input sane.
PASSWORD_MAX_LENGTH = 1024
# zxcvbn's score: 3 is at least 10^8 guesses (4: 10^10).
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching grows faster than linearly). The
# first 72 characters are estimated: a password is at least that strong.
ESTIMATED_CHARACTERS = 72
# Words that make a password of this system easy to guess, whoever chooses it.
SYSTEM_WORDS = ("vigil", "console", "investigator", "whistleblower", "report")


def _variants(user_inputs: Sequence[str]) -> list[str]:
    """Each name as typed, word by word, and run together ("Erin Export", "erin", "erinexport")."""
    variants: list[str] = []
    for text in user_inputs:
        words = [word for word in re.split(r"[\W_]+", text.lower()) if word]
        variants += [text.lower(), *words, "".join(words)]
    return [variant for variant in dict.fromkeys(variants) if variant]


def password_problem(password: str, *, user_inputs: Sequence[str] = ()) -> str | None:
    """Why `password` cannot be used, as a sentence to show beside the field; None if it can.

    `user_inputs`: what an attacker would try first for this user (their user
    name and display name), counted as guessable words.
    """
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Choose a password of at least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"Choose a password of at most {PASSWORD_MAX_LENGTH} characters."
    words = [*SYSTEM_WORDS, *_variants(user_inputs)]
    estimate = zxcvbn(password[:ESTIMATED_CHARACTERS], user_inputs=words)
    if int(estimate["score"]) >= MIN_SCORE:
        return None
    feedback = estimate.get("feedback") or {}
    advice = [str(feedback.get("warning") or ""), *map(str, feedback.get("suggestions") or [])]
    advice = [line.strip() for line in advice if line and line.strip()]
    if not advice:
        advice = ["Add another word or two. Uncommon words are better."]
    return " ".join(["This password is too easy to guess.", *advice])
