"""Docker Engine API v1.48: one module per tag."""
