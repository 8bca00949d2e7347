"""One module per operation, shared by the version packages (the tag modules' classes inherit them)."""
