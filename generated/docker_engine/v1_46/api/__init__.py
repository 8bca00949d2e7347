"""Docker Engine API v1.46: one module per tag."""
