"""Console views: metrics (being written)."""
