"""Docker Engine API v1.43: one module per tag."""
