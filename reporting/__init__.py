"""Vigil: the public reporting site, the investigators' console and the triage pipeline.

Importing this package builds nothing; `reporting.app.create_app` builds the web application.
"""
