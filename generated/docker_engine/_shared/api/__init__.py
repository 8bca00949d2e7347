"""Tag modules shared by the version packages (see `docker_engine.v1_XX.api`)."""
