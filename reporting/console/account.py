"""Console views: account (being written)."""
