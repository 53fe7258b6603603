"""From intake to a queue: the triage worker, re-screening, routing rules and screening lists."""
