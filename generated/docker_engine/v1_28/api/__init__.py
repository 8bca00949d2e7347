"""Docker Engine API v1.28: one module per tag."""
