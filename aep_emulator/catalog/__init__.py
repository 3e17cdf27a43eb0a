"""catalog service (being written)."""
