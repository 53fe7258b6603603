"""Casework: what investigators and supervisors do with the cases they hold.

Opening a case with the user's own wrap, the actions on it (status, queue,
access, triage overrides, links), replies and notes, related cases, and the
lists. The rules these obey (who may hold a case, deadlines) are in
reporting.cases, below.
"""
