"""What every web page needs: extensions, requests, sessions, security headers.

And the one mapping of domain errors to HTTP (errors.py).
"""
