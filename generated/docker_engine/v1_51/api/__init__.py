"""Docker Engine API v1.51: one module per tag."""
