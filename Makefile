# The two commands from the README: `make run` and `make test`. Everything else supports them.
PYTHON_VERSION := $(shell cat .python-version)
PY ?= $(shell command -v python$(PYTHON_VERSION) || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The local PostgreSQL that .ci/postgres sets up; override to test against another server.
POSTGRES_TEST_URL ?= postgres://marrow:marrow@127.0.0.1:5432/marrow
# The database tests (marked `database` in tests/conftest.py) run again on PostgreSQL; the browser
# tests and the production-mode tests (tests/deploy, which make their own SQLite files) run once.
POSTGRES_TESTS := -m "database and not e2e" --ignore=tests/deploy
# pytest-xdist: both cores. Browser and server tests mostly wait, so two workers nearly halve the time;
# the tests/deploy group stays on one worker (its servers and collected static files start once).
TEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadgroup

.PHONY: run test test-postgres lint check clean serve bench bench-keystroke bench-capacity bench-all soak wrk \
	slow-clients nginx chromium lock check-lock install-runtime

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Installs come from the locks (every package pinned, with hashes): requirements.txt and
# requirements-test.txt name what we depend on; `make lock` resolves them into the .lock files.
$(STAMP): requirements-test.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	touch $(STAMP)

## install-runtime: what production installs: the runtime lock only (no test tools, no Playwright)
install-runtime: | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock

## lock: re-resolve requirements*.txt into requirements*.lock with hashes (pip-tools, in its own venv)
TOOLS := $(VENV)/pip-tools
PIP_COMPILE := $(TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
lock:
	[ -x $(TOOLS)/bin/pip-compile ] || ($(PY) -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet pip-tools==7.6.2)
	$(PIP_COMPILE) -o requirements.lock requirements.txt
	$(PIP_COMPILE) -o requirements-test.lock requirements-test.txt

## check-lock: every pin in requirements*.txt is in its lock, with hashes (else: make lock)
check-lock:
	$(PY) -m scripts.check_lock

## run: create the venv, install, migrate and serve on http://127.0.0.1:8000 (SQLite, debug)
run: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py createcachetable
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## The Nu HTML checker (npm package vnu-jar, pinned with its integrity hash in package-lock.json; needs Java)
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

## test: every test — engine, properties, API, views and the browser (system Chromium) on SQLite,
## then the database-backed tests again on PostgreSQL when a local one is reachable (.ci/run starts one)
test: $(STAMP) check-lock $(VNU_JAR)
	$(BIN)/ruff check .
	VNU_JAR=$(VNU_JAR) POSTGRES_TEST_URL=$(POSTGRES_TEST_URL) DJANGO_ALLOW_DEV_SECRET=1 $(BIN)/python -m pytest $(PYTEST_PARALLEL)
	@if $(BIN)/python -c "import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()" \
	    "$(POSTGRES_TEST_URL)" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else \
	  echo "PostgreSQL not reachable at $(POSTGRES_TEST_URL): PostgreSQL run not done (run bash .ci/postgres)."; \
	fi

## test-postgres: every test that uses the database (saved workups, CDS drafts and feedback, SMART
##                launches, sign-in), against PostgreSQL
test-postgres: $(STAMP)
	DATABASE_URL=$(POSTGRES_TEST_URL) DJANGO_ALLOW_DEV_SECRET=1 $(BIN)/python -m pytest $(PYTEST_PARALLEL) $(POSTGRES_TESTS)

## serve: production mode — collectstatic, migrate, then gunicorn (2 workers) on $(BIND).
##        Settings come from the environment: DJANGO_SECRET_KEY (required), DJANGO_ALLOWED_HOSTS,
##        DATABASE_URL, DJANGO_HTTPS, DJANGO_SSL_REDIRECT. See docs/deploy.md.
BIND ?= 127.0.0.1:8000
serve: install-runtime
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	BIND=$(BIND) $(BIN)/gunicorn -c gunicorn.conf.py

## bench: the API and /healthz with wrk (the API ratio), the fragment, and the engine's median per evaluation
bench: $(STAMP) wrk
	$(BIN)/python -m scripts.bench

## bench-keystroke: system Chromium types golden cases through nginx + gunicorn; last key to panel, median/p95
bench-keystroke: $(STAMP) nginx chromium
	$(BIN)/python -m scripts.bench_keystroke

## bench-capacity: virtual clinicians typing against 2 workers; the most held at p99 <= 100 ms
bench-capacity: $(STAMP)
	$(BIN)/python -m scripts.bench_capacity

## bench-all: the three above, one after the other (the README's Speed figures come from one such run)
bench-all: bench bench-keystroke bench-capacity

## soak: 60 s at 32 connections mixing every endpoint; errors and per-worker memory
soak: $(STAMP) wrk
	$(BIN)/python -m scripts.bench --soak

## slow-clients: 50 clients trickling headers, /healthz timed straight to gunicorn and through nginx
slow-clients: $(STAMP) nginx
	$(BIN)/python -m scripts.slow_clients

nginx:
	@[ -x /usr/sbin/nginx ] || (apt-get update -qq && apt-get install -y -qq nginx)

chromium:
	@[ -x /usr/bin/chromium ] || (apt-get update -qq && apt-get install -y -qq chromium)

wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .hypothesis
