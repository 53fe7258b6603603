"""The administrator's work: users, queues, routing rules, screening lists, retention.

One module per area (users, queues, rules, lists, retention). Plain services
over a database session (no Flask): each checks its input, changes the rows,
appends an `admin.*` audit entry naming the acting administrator, and leaves
the commit to the caller, except where the work itself must commit (list
imports, retention purges). A change refused raises `AdministrationError`
(reporting/admin/errors.py), whose message says why in plain words.

What an administrator can NOT do here, by design (docs/architecture.md): read a report.
Access to a case is a wrap of its report key, and only a holder of that key
can make one, so nothing on these pages can give anybody (the administrator
included) access to a case that already exists. Adding a queue member only
brings the member the cases triaged into the queue from then on; an
investigator of an existing case grants access to it on the case.
Likewise removing a member does not take away the cases the member already
holds: deleting wraps here could leave a case with no holder at all, which
no one could ever read again; access to a case is revoked on the case.
"""
