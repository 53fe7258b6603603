"""Console views: cases (being written)."""
