# Fédé — `make demo` to try it, `make test` to check it. Needs only Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Real open data of the City of Paris for the demo's territories (optional).
PARIS_DATA ?= $(wildcard ../shared/data/paris)

.PHONY: help install demo serve test test-fast lint format bench bench-smoke messages clean locks

help:
	@echo "make demo   — installe, crée la base SQLite, charge la démonstration et sert le site"
	@echo "make test   — installe puis lance toute la suite (SQLite, ou DATABASE_URL=postgres://…)"
	@echo "make lint   — ruff, format, import-linter, migrations"
	@echo "make bench  — jeu de données national et mesure de charge (PostgreSQL)"

# Development, tests and the demo install requirements-dev.lock (runtime + test, lint,
# benchmark and demo tools); production installs requirements.lock alone.
$(STAMP): requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	mkdir -p var/static var/media
	FEDE_DEMO=1 FEDE_RELAX_MFA=1 $(PY) manage.py migrate --noinput
	FEDE_DEMO=1 FEDE_RELAX_MFA=1 $(PY) manage.py demo $(if $(PARIS_DATA),--open-data $(PARIS_DATA))
	@echo ""
	@echo "Fédé est servi sur http://$(HOST):$(PORT)/  (Ctrl+C pour arrêter)"
	$(MAKE) --no-print-directory serve

# The site and, beside it, the worker of background tasks (mail, imports, reminders).
serve: $(STAMP)
	FEDE_DEMO=1 FEDE_RELAX_MFA=1 FEDE_SITE_URL=http://$(HOST):$(PORT) sh -c '\
	  $(PY) manage.py db_worker --interval 0.5 --no-startup-delay & worker=$$!; \
	  trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver --noreload $(HOST):$(PORT)'

test: $(STAMP)
	FEDE_TESTING=1 $(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: $(STAMP)
	FEDE_TESTING=1 $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	FEDE_TESTING=1 $(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

messages: $(STAMP)
	$(PY) manage.py makemessages -l fr -l en --ignore=.venv --ignore=var --ignore=bench --ignore=docs --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

bench-smoke: $(STAMP)
	FEDE_TESTING=1 $(PY) -m pytest bench -q

# Re-pin both locks after editing pyproject.toml (needs uv: pip install uv).
locks:
	uv pip compile pyproject.toml -o requirements.lock
	uv pip compile pyproject.toml --extra dev --extra demo -o requirements-dev.lock

clean:
	rm -rf var/static var/media var/fede.sqlite3*
