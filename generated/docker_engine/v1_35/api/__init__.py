"""Docker Engine API v1.35: one module per tag."""
