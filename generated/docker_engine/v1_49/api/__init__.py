"""Docker Engine API v1.49: one module per tag."""
