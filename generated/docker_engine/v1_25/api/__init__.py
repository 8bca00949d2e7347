"""Docker Engine API v1.25: one module per tag."""
