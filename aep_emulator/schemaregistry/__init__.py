"""schemaregistry service (being written)."""
