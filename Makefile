# Sectorwise: `make demo` and `make test` do all the set-up on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SRC := $(wildcard src tests benchmarks)

.PHONY: install demo test lint test-py test-db bench docs clean

install: $(STAMP) node_modules/.installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

demo: install
	$(BIN)/sectorwise demo

lint: install
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)
	$(BIN)/mypy
	$(BIN)/lint-imports

test-py: install
	$(BIN)/python -m pytest

# The database tests again, on the database DATABASE_URL names (PostgreSQL in CI).
test-db: install
	$(BIN)/python -m pytest tests/web -m "not browser"

test: lint test-py

bench: install
	$(BIN)/python -m benchmarks

docs: install
	$(BIN)/python -m sectorwise.clidoc > docs/cli.md

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
