"""Docker Engine API v1.52: one module per tag."""
