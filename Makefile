# docker-engine: generate typed packages from the Docker Engine API specs, and test them.
PYTHON ?= .venv/bin/python
VERSIONS ?=
TYPECHECK_VERSIONS ?= v1_25 v1_41 v1_45 v1_51 v1_56
export SPEC_MIRROR

.PHONY: all venv specs generate changelog lint typecheck check-generated unit live packaging test demo bench clean

all: generate

venv: .venv/.installed
.venv/.installed: pyproject.toml
	python3 -m venv .venv
	.venv/bin/pip install --quiet --upgrade pip
	.venv/bin/pip install --quiet -e '.[dev]'
	touch $@

specs: venv
	$(PYTHON) -m generator specs $(VERSIONS)

generate: venv
	$(PYTHON) -m generator generate $(VERSIONS)
	$(if $(VERSIONS),,$(PYTHON) -m generator changelog)

# docs/api-changes/: the semantic diff of every consecutive pair of versions.
changelog: venv
	$(PYTHON) -m generator changelog

lint: venv
	.venv/bin/ruff check generator overlays tests bench examples
	.venv/bin/ruff format --check generator overlays tests bench examples

# The package is split over overlays/ and generated/; mypy checks it through
# one tree of symlinks.
typecheck: venv
	rm -rf build/typecheck && mkdir -p build/typecheck/docker_engine
	ln -s $(CURDIR)/overlays/docker_engine/* build/typecheck/docker_engine/
	ln -s $(CURDIR)/generated/docker_engine/v1_* $(CURDIR)/generated/docker_engine/_latest.py build/typecheck/docker_engine/
	cd build/typecheck && ../../.venv/bin/mypy --config-file ../../pyproject.toml \
		-p docker_engine._api -p docker_engine._client -p docker_engine._errors -p docker_engine._request \
		-p docker_engine._streams -p docker_engine._transports -p docker_engine._types -p docker_engine._http11 \
		-p docker_engine._config -p docker_engine._version -p docker_engine._facade -p docker_engine._hijack \
		-p docker_engine._mixins -p docker_engine._auth -p docker_engine._archive -p docker_engine._dockerignore -p docker_engine._websocket -p docker_engine.versions \
		-m docker_engine \
		$(foreach v,$(TYPECHECK_VERSIONS),-p docker_engine.$(v))
	.venv/bin/mypy --config-file pyproject.toml generator

# CI regenerates every version and fails on any difference from the committed tree.
check-generated: venv
	$(PYTHON) -m generator generate
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

# The README's test command: everything CI runs.
test: lint typecheck check-generated unit live packaging

demo: venv
	$(PYTHON) -m generator generate
	$(PYTHON) examples/demo.py

# docker-py and aiodocker are measured beside us: the `bench` extra installs them.
bench: venv
	.venv/bin/pip install --quiet -e '.[bench]'
	$(PYTHON) bench/run.py

clean:
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache
