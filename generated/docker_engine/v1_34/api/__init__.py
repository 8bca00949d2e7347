"""Docker Engine API v1.34: one module per tag."""
