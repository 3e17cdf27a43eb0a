"""flowservice service (being written)."""
