"""Docker Engine API v1.39: one module per tag."""
