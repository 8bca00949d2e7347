"""Docker Engine API v1.56: one module per tag."""
