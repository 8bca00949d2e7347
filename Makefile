# docker-engine: generate typed packages from the Docker Engine API specs, and test them.
PYTHON ?= .venv/bin/python
# The venv's interpreter: Debian's own python3 (the oldest Python the project claims, 3.11),
# else the first python3 on PATH.
PYTHON3 ?= $(or $(wildcard /usr/bin/python3),$(shell command -v python3 2>/dev/null),python3)
VERSIONS ?=
TYPECHECK_VERSIONS ?= v1_25 v1_41 v1_45 v1_51 v1_56
export SPEC_MIRROR

.PHONY: all venv specs generate changelog links lint typecheck check-generated unit live packaging typing test demo bench clean docs docs-check

all: generate

venv: .venv/.installed
.venv/.installed: pyproject.toml
	@$(PYTHON3) -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "make venv: needs Python >= 3.11 with its venv module as $(PYTHON3): run \`apt-get install python3-venv\` (or make venv PYTHON3=/path/to/python3)"; exit 1; }
	$(PYTHON3) -m venv --clear .venv
	.venv/bin/pip install --quiet --upgrade pip
	.venv/bin/pip install --quiet -e '.[dev,protoc]'
	touch $@

# The unit tests on a second, newer Python (CI passes the newest it finds), in build/venv-newer.
NEWER_PYTHON ?=
.PHONY: unit-newer
unit-newer:
	@test -n "$(NEWER_PYTHON)" || { echo "make unit-newer: needs NEWER_PYTHON=/path/to/python3.x"; exit 1; }
	$(NEWER_PYTHON) -m venv --clear build/venv-newer
	build/venv-newer/bin/pip install --quiet --upgrade pip
	build/venv-newer/bin/pip install --quiet -e '.[dev]'
	build/venv-newer/bin/python -VV
	build/venv-newer/bin/python -m pytest tests/unit -q -p no:cacheprovider

specs: venv
	$(PYTHON) -m generator specs $(VERSIONS)

generate: venv
	$(PYTHON) -m generator generate $(VERSIONS)
	$(PYTHON) -m generator unasync
	$(PYTHON) -m generator protos
	$(if $(VERSIONS),,$(PYTHON) -m generator changelog)

# docs/api-changes/: the semantic diff of every consecutive pair of versions.
changelog: venv
	$(PYTHON) -m generator changelog

lint: venv
	.venv/bin/ruff check generator overlays tests bench examples docs
	.venv/bin/ruff format --check generator overlays tests bench examples docs
	$(PYTHON) -m generator unasync --check

# overlays/docker_engine is the whole package (the version packages are symlinks
# into generated/): mypy checks the runtime and some versions in one pass.
RUNTIME_MODULES = $(subst /,.,$(patsubst overlays/%.py,%,$(filter-out %/__init__.py,$(wildcard overlays/docker_engine/_*.py)))) docker_engine.versions docker_engine.audit
typecheck: venv
	cd overlays && ../.venv/bin/mypy --config-file ../pyproject.toml \
		$(foreach m,$(RUNTIME_MODULES),-m $(m)) -m docker_engine \
		$(foreach v,$(TYPECHECK_VERSIONS),-p docker_engine.$(v)) -p docker_engine._shared
	.venv/bin/mypy --config-file pyproject.toml generator

# Each generated version package is reachable from overlays/docker_engine by a symlink.
links:
	cd overlays/docker_engine && for d in ../../generated/docker_engine/v1_*; do ln -sfn "$$d" .; done \
		&& ln -sfn ../../generated/docker_engine/_latest.py . && ln -sfn ../../generated/docker_engine/_api_history.json . \
		&& ln -sfn ../../generated/docker_engine/_shared . && ln -sfn ../../generated/docker_engine/_buildkit . \
		&& for f in ../../generated/docker_engine/_sync_*.py; do ln -sfn "$$f" .; done
	find overlays/docker_engine -maxdepth 1 -xtype l -delete

# CI regenerates every version and fails on any difference from the committed tree.
check-generated: venv
	$(PYTHON) -m generator generate
	$(PYTHON) -m generator unasync
	$(PYTHON) -m generator protos
	git diff --exit-code --stat -- generated/
	@test -z "$$(git status --porcelain -- generated/)" || { git status --porcelain -- generated/; echo "generated/ differs from the templates: run make generate and commit"; exit 1; }
	$(PYTHON) -m generator changelog --check

unit: venv
	$(PYTHON) -m pytest tests/unit -q

live: venv
	$(PYTHON) -m pytest tests/live -q -m live

# The built wheel in a fresh venv imports every module (not only the editable install).
packaging: venv
	$(PYTHON) -m pytest tests/packaging -q

# Issue #11: the README's blocks, examples/ and tests/typing/corpus under mypy --strict and pyright strict,
# in an editable install and in the built wheel; the planted mistakes' catch rates (tests/typing/).
typing: venv
	$(PYTHON) -m pytest tests/typing -q --tb=short

# The README's test command: everything CI runs.
test: lint typecheck check-generated unit live packaging typing docs-check

# examples/demo.py against a private dockerd 20.10 (the committed generated/ as is: nothing is
# regenerated). Says in one line what is missing.
DEMO_DOCKERD ?= /usr/sbin/dockerd
demo:
	@test "$$(id -u)" = 0 || { echo "make demo: needs root to start a private dockerd: run \`sudo make demo\`"; exit 1; }
	@test -x $(DEMO_DOCKERD) || { echo "make demo: needs dockerd: run \`sudo bash .ci/install-daemons.sh\` first"; exit 1; }
	@$(MAKE) --no-print-directory venv
	$(PYTHON) examples/demo.py

# docker-py and aiodocker are measured beside us: the `bench` extra installs them.
# Issue #18: the documentation site (build/site; mkdocs --strict, zero warnings), then the pages
# opened in headless Chromium (screenshots in build/docs-screenshots/).
docs: venv
	.venv/bin/pip install --quiet -e '.[docs]'
	$(PYTHON) docs/build_site.py

docs-check: docs
	$(PYTHON) -m pytest tests/docs -q

bench: venv
	.venv/bin/pip install --quiet -e '.[bench]'
	$(PYTHON) bench/run.py

clean:
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache
