"""Docker Engine API v1.53: one module per tag."""
