"""Docker Engine API v1.27: one module per tag."""
