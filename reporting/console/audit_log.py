"""Console views: audit_log (being written)."""
