"""Docker Engine API v1.50: one module per tag."""
