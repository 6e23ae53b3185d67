# ombuds: `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export OMBUDS_DATA_DIR ?= $(CURDIR)/var
PYTEST_ARGS ?=

.PHONY: help setup run test test-all test-slow e2e lint format typecheck contracts check bench lock dist clean

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Locked versions (docs/deploy.md, "Releases"): make setup and CI install the dev lock with pip
# itself (hashes required); deployments install the runtime lock. `make lock` regenerates both
# with uv after pyproject.toml's dependencies change. Linux x86_64, CPython 3.11.
LOCK_RUNTIME := requirements/runtime.txt
LOCK_DEV     := requirements/dev.txt
LOCK_TARGET  := --python-version 3.11 --python-platform x86_64-unknown-linux-gnu
UV_ARGS      ?=

$(STAMP): pyproject.toml $(LOCK_DEV)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# pysqlite3-binary (an older SQLite, replaced by pysqlite3) shares its files: remove both
	@# from venvs made before the switch, so the lock installs pysqlite3's files whole.
	if $(BIN)/pip show -q pysqlite3-binary >/dev/null 2>&1; then \
	  $(BIN)/pip uninstall -y -q pysqlite3-binary pysqlite3; fi
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK_DEV)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) ## create .venv: the locked versions (requirements/dev.txt), then ombuds itself
	$(BIN)/ombuds compilemessages --ignore=.venv -v 0 2>/dev/null || true

run: setup ## migrate the embedded SQLite database, load the demo, serve on http://127.0.0.1:8000
	$(BIN)/ombuds demo
	$(BIN)/ombuds collectstatic --noinput -v 0
	$(BIN)/ombuds db_worker & WORKER=$$!; $(BIN)/ombuds scheduler & SCHEDULER=$$!; \
	  trap "kill $$WORKER $$SCHEDULER 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/ombuds serve --bind 127.0.0.1:8000

test: setup ## run the test suite (fast set; DATABASE_URL=postgres://... to run it on PostgreSQL)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-slow: setup ## run the slow tests (soak, Spark, simulations)
	$(BIN)/pytest -m slow $(PYTEST_ARGS)

e2e: setup ## run the browser tests (needs Debian's chromium)
	$(BIN)/pytest -m e2e -p no:xdist $(PYTEST_ARGS)

lint: setup ## ruff lint and format check
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

format: setup ## format the code
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

typecheck: setup ## mypy (strict on crypto and estimation)
	$(BIN)/mypy

contracts: setup ## import-linter: the pure packages import no Django
	$(BIN)/lint-imports

check: lint typecheck contracts test ## everything CI runs except PostgreSQL and the browser

bench: setup ## run the benchmarks and print their numbers
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/linkage.py --sizes 10000
	$(BIN)/python bench/estimation.py --quick

lock: ## regenerate the lock files from pyproject.toml (UV_ARGS=--upgrade to move every pin)
	test -x $(BIN)/uv || { test -d $(VENV) || $(PYTHON) -m venv $(VENV); $(BIN)/pip install -q 'uv>=0.9'; }
	$(BIN)/uv pip compile pyproject.toml $(LOCK_TARGET) --generate-hashes --quiet $(UV_ARGS) \
	  -o $(LOCK_RUNTIME)
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra spark -c $(LOCK_RUNTIME) \
	  $(LOCK_TARGET) --generate-hashes --quiet $(UV_ARGS) -o $(LOCK_DEV)

dist: setup ## build the sdist and the wheel into dist/
	rm -rf dist build
	$(BIN)/ombuds compilemessages --ignore=.venv -v 0
	$(BIN)/python -m build --outdir dist .

clean: ## remove the virtual environment and local data
	rm -rf $(VENV) var
