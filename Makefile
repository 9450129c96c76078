# Two commands do everything from a fresh clone: `make run` and `make test`.
# Python 3.11+ is the only thing expected on the machine; everything else installs into .venv.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: help install browser-packages run serve migrate demo-data test coverage lint format openapi bench clean

help:
	@echo "make run      install, migrate, load demo data, serve on http://127.0.0.1:8000"
	@echo "make test     install and run the whole suite (TEST_DATABASE_URL=postgresql://... for PostgreSQL)"
	@echo "make coverage the whole suite with line coverage of app/, per file"
	@echo "make lint     ruff check, ruff format check and mypy on app/"
	@echo "make openapi  regenerate openapi/openapi.json and openapi/oruk.json from the app"
	@echo "make bench    benchmark the public read path on PostgreSQL (see bench/README.md)"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# axe-core for the browser tests' accessibility checks, from tests/browser/package-lock.json (needs npm).
BROWSER_PACKAGES = tests/browser/node_modules/.package-lock.json

$(BROWSER_PACKAGES): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $(BROWSER_PACKAGES); \
	else echo "npm not found: the browser tests' accessibility checks will install axe-core or skip"; fi

install: $(STAMP)

browser-packages: $(BROWSER_PACKAGES)

run: install migrate demo-data serve

migrate: install
	$(BIN)/covenant-registry migrate

demo-data: install
	$(BIN)/covenant-registry demo-data

serve: install
	$(BIN)/covenant-registry serve

test: install browser-packages
	$(BIN)/pytest

coverage: install browser-packages
	$(BIN)/pytest --cov=app --cov-report=term-missing:skip-covered

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: install
	$(BIN)/covenant-registry openapi

bench: install
	bash bench/run.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis test-artifacts \
		clients/typescript/node_modules clients/typescript/generated clients/typescript/dist \
		tests/browser/node_modules
