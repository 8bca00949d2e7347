"""Docker Engine API v1.26: one module per tag."""
