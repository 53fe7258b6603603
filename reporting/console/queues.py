"""Console views: queues (being written)."""
