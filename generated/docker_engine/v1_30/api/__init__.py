"""Docker Engine API v1.30: one module per tag."""
