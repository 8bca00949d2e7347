"""Docker Engine API v1.29: one module per tag."""
