"""Docker Engine API v1.32: one module per tag."""
