"""Reports arriving: submissions, uploads, proof of work, a reporter's follow-up.

And the no-JavaScript path, where the server seals a report as the browser would.
"""
