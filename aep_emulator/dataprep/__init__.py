"""dataprep service (being written)."""
