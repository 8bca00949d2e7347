"""Docker Engine API v1.42: one module per tag."""
