"""Aggregate case metrics, the transparency export, and the charts that show them.

Only plaintext metadata is read, never report content, so auditors may see
every figure:

- periods: the months and periods asked for (`Month`, `MonthRange`);
- counts: cases received per month, split by category, domain, priority,
  status, outcome, intake type and queue;
- timeliness: times to acknowledgement and to closure, and overdue cases;
- transparency: the public export, with small counts suppressed;
- charts: the inline SVG charts the console draws;
- sql: the portable SQL the counts share.
"""
