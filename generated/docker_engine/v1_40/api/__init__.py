"""Docker Engine API v1.40: one module per tag."""
