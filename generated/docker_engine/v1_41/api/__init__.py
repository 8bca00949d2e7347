"""Docker Engine API v1.41: one module per tag."""
