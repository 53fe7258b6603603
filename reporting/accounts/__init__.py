"""Console accounts, one module per responsibility.

- enrolment: a new user's key pair, password and TOTP secret;
- sign_in: password and code checks, the lockout after repeated failures;
- second_factor: TOTP codes;
- sessions: the console sessions that hold a user's unlocked private key;
- password_change: a user's change of their own password;
- password_policy: what a password must be;
- resets: an administrator's new password, new second factor or unlock for a user.
"""
