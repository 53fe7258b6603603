"""A case's own rules: who may hold its key, its deadlines, opening its documents.

`access.py` decides who may hold or read a case and is the one place a wrap
for a user is granted or revoked; `deadlines.py` keeps the dates a case owes
its reporter. Intake, the triage pipeline and casework all ask these modules,
so they import nothing above the core.
"""
