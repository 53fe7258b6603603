"""The append-only, hash-chained audit log, and reading it."""
