"""Triage: pure Python, no Flask.

Turns a decrypted report into an explainable result: extracted entities,
fired red-flag indicators with their evidence, screening hits against the
sanctions and denied-party lists, a score and priority, risk categories and
the queue it routes to. See docs/triage.md.
"""
