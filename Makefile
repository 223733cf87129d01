# Sectorwise: `make demo` and `make test` do all the set-up on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SRC := $(wildcard src tests benchmarks)

.PHONY: install chromium demo test lint test-py test-db bench docs clean

install: $(STAMP) node_modules/.installed chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

# The browser tests drive Debian's Chromium (never a downloaded browser): installed here when missing and the
# system can (root with apt-get); otherwise a note naming the package, and the browser tests skip (under
# CI=true they fail instead: tests/web/browser/conftest.py).
CHROMIUM := /usr/bin/chromium
chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium package (the browser tests use $(CHROMIUM))"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	    || echo "Could not install Debian's chromium package: the browser tests will be skipped."; \
	else \
	  echo "$(CHROMIUM) not found: install Debian's chromium package (sudo apt-get install chromium)."; \
	  echo "Until then the browser tests are skipped (and fail under CI=true)."; \
	fi

# `make demo PORT=8001` (or SECTORWISE_PORT=8001 make demo) serves elsewhere when 8000 is taken.
PORT ?= $(or $(SECTORWISE_PORT),8000)
demo: install
	$(BIN)/sectorwise demo --port $(PORT)

lint: install
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)
	$(BIN)/mypy
	$(BIN)/lint-imports

# One pytest worker per core (pytest-xdist); `make test TEST_WORKERS=0` runs in one process. Tests that share
# a costly start-up stay on one worker (xdist_group, tests/conftest.py).
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

test-py: install
	$(PYTEST)

# The database tests again, on the database DATABASE_URL names (PostgreSQL in CI).
test-db: install
	$(PYTEST) tests/web -m "not browser"

test: lint test-py

bench: install
	$(BIN)/python -m benchmarks

docs: install
	$(BIN)/python -m sectorwise.clidoc > docs/cli.md

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
