# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000

.PHONY: run test lint typecheck pytest translations seed clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip==25.3

$(VENV)/.stamp-runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements-dev.txt requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(VENV)/.stamp-runtime $@

translations: $(VENV)/.stamp-runtime
	$(VENV)/bin/pybabel -q compile -d app/translations

run: $(VENV)/.stamp-runtime translations
	TRAJECTWIJZER_ENV=development $(FLASK) db upgrade
	TRAJECTWIJZER_ENV=development $(FLASK) seed demo --if-empty
	TRAJECTWIJZER_ENV=development $(FLASK) users demo-logins --url http://127.0.0.1:$(PORT)
	TRAJECTWIJZER_ENV=development $(FLASK) run --host 127.0.0.1 --port $(PORT)

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
