"""Docker Engine API v1.55: one module per tag."""
