"""Docker Engine API v1.44: one module per tag."""
