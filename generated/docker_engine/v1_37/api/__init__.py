"""Docker Engine API v1.37: one module per tag."""
