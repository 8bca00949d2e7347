"""Docker Engine API v1.36: one module per tag."""
