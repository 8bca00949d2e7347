"""Docker Engine API v1.38: one module per tag."""
