"""Aggregate case metrics, the transparency export, and the charts that show them."""
