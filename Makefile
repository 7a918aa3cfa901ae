# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000

.PHONY: run test lint typecheck pytest translations requirements seed clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip==25.3

# The requirements files are generated (`make requirements`) and carry hashes, which pip checks.
PIP_INSTALL := $(PY) -m pip install -q --require-hashes

$(VENV)/.stamp-runtime: requirements.txt | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements.txt
	touch $@

# Runtime plus Faker for the demo municipality.
$(VENV)/.stamp-demo: requirements-demo.txt | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements-demo.txt
	touch $(VENV)/.stamp-runtime $@

# Runtime, demo and the development tools.
$(VENV)/.stamp-dev: requirements-dev.txt | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $(VENV)/.stamp-runtime $(VENV)/.stamp-demo $@

# Regenerate the three requirements files from pyproject.toml: the whole closure, pinned, with
# hashes, for every platform (markers), keeping the pins they already have unless pyproject.toml
# asks otherwise. The dev set is resolved first; the others are its subsets, so a package has one
# version in all three.
UV_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make requirements"

requirements: $(VENV)/.stamp-dev
	$(UV_COMPILE) --extra dev -o requirements-dev.txt
	$(UV_COMPILE) --extra demo -c requirements-dev.txt -o requirements-demo.txt
	$(UV_COMPILE) -c requirements-dev.txt -o requirements.txt

translations: $(VENV)/.stamp-runtime
	$(VENV)/bin/pybabel -q compile -d app/translations

run: $(VENV)/.stamp-demo translations
	TRAJECTWIJZER_ENV=development $(FLASK) db upgrade
	TRAJECTWIJZER_ENV=development $(FLASK) seed demo --if-empty
	TRAJECTWIJZER_ENV=development $(FLASK) users demo-logins --url http://127.0.0.1:$(PORT)
	TRAJECTWIJZER_ENV=development BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)} $(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.stamp-dev
	$(VENV)/bin/mypy

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
pytest: $(VENV)/.stamp-dev translations
	env -u TEST_DATABASE_URL $(PY) -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(PY) -m pytest; \
	else echo "TEST_DATABASE_URL not set: PostgreSQL pass skipped"; fi

test: lint typecheck pytest

clean:
	rm -rf $(VENV) instance/*.sqlite3
