"""Console views: admin (being written)."""
