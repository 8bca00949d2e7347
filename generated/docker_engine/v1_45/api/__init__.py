"""Docker Engine API v1.45: one module per tag."""
