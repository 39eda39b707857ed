# The two commands a newcomer needs: `make run` and `make test`. Both install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench lint fmt clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,crosscheck]'
	touch $(STAMP)

# The web application on http://127.0.0.1:$(PORT) (gunicorn, 2 workers, DEBUG off, static files
# by WhiteNoise). An empty database (var/impactnum.sqlite3, or $$DATABASE_URL) gets the demo data;
# the demo logins are printed before the server starts.
PORT ?= 8000

run: install
	@echo "impactnum: migrating, loading the demo data if the database is empty, then serving"
	@echo "impactnum: open http://127.0.0.1:$(PORT)/ and log in with a demo login listed below"
	PORT=$(PORT) $(BIN)/impactnum serve --demo-if-empty

# PYTEST_ARGS: extra pytest options (CI adds a JUnit report). The database is SQLite unless
# IMPACTNUM_TEST_DATABASE_URL is a postgres:// URL; see tests/conftest.py.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
