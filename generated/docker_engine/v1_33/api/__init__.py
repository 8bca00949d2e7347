"""Docker Engine API v1.33: one module per tag."""
