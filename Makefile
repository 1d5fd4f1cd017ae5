# Every target installs what it needs into .venv, so a fresh clone works with no manual steps.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint typecheck unit demo bench schema dist clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[emulator,test]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check reconciler tests
	$(BIN)/ruff format --check reconciler tests

typecheck: $(STAMP)
	$(BIN)/mypy reconciler

unit: $(STAMP)
	$(BIN)/pytest -n 2 tests --ignore=tests/benchmarks

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/pytest -p no:xdist -s tests/benchmarks -m bench --timeout=1800

schema: $(STAMP)
	$(BIN)/circleci-reconciler schema --output schemas/manifest.schema.json

# A wheel in dist/ to install elsewhere: pip install dist/circleci_reconciler-*.whl
dist: $(STAMP)
	rm -rf dist build
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

demo: $(STAMP)
	bash scripts/demo.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
