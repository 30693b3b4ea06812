# The portal's everyday commands; README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test screenshots lint format services check-migrations clean
.PHONY: bench bench-large extraction-bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## Set up everything (virtualenv, database, the MOA, demo users) and run the portal.
setup: $(VENV)/.installed
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py import_agreement agreements/data/doc-dhs-ecommerce-moa-2017.yaml
	$(PY) manage.py setup_schedule

## Run the web server with a Celery worker and beat beside it; Ctrl-C stops all three.
run: setup
	$(PY) manage.py demo_users
	$(PY) manage.py demo_data
	@echo "The portal is at http://$(HOST):$(PORT)/  (Ctrl-C stops it, the worker and beat)"
	@trap 'kill $$worker $$beat 2>/dev/null; wait' INT TERM EXIT; \
	$(VENV)/bin/celery -A moa_portal worker --loglevel=INFO --concurrency=1 & worker=$$!; \
	$(VENV)/bin/celery -A moa_portal beat --loglevel=INFO & beat=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT)

## Run the test suite against PostgreSQL and Redis (started if they are not running).
test: $(VENV)/.installed services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/vulture
	DJANGO_SETTINGS_MODULE=moa_portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

## Retake docs/screenshots/ (the browser tests, saving their pictures there); `make test` never writes them.
screenshots: $(VENV)/.installed services
	SCREENSHOTS_DIR=docs/screenshots $(VENV)/bin/pytest e2e

services:
	bash .ci/services

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/vulture

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var/moa_portal.sqlite3 var/broker

## The benchmark at scale (gunicorn + wrk on loopback, database moa_bench); see docs/performance.md.
bench: $(VENV)/.installed services
	PY=$(PY) bash bench/run.sh

## Large agreements (issue 19): import 2,000 and 20,000 clauses, time their page (docs/performance.md).
bench-large: $(VENV)/.installed services
	PY=$(PY) bash bench/large.sh

## Read the DOC–DHS MOA's text and the test agreements and print precision/recall against their hand-made files.
extraction-bench: $(VENV)/.installed
	$(PY) manage.py extraction_bench
