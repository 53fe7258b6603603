"""Console views: case_actions (being written)."""
