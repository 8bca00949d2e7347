"""Docker Engine API v1.31: one module per tag."""
