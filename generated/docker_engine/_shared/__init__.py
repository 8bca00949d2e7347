"""Modules shared by the version packages (one definition for the versions that have it unchanged)."""
