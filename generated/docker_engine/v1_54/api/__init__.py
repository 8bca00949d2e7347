"""Docker Engine API v1.54: one module per tag."""
