"""Models and enums shared by the version packages (see `docker_engine.v1_XX.models`)."""
