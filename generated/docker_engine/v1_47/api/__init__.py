"""Docker Engine API v1.47: one module per tag."""
