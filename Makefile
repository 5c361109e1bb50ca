# The two commands from the README: `make run` and `make test`. Everything else supports them.
PYTHON_VERSION := $(shell cat .python-version)
PY ?= $(shell command -v python$(PYTHON_VERSION) || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

## run: create the venv, install, migrate and serve on http://127.0.0.1:8000 (SQLite, debug)
run: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## test: every test — engine, properties, API, views and the browser (system Chromium)
test: $(STAMP)
	$(BIN)/ruff check .
	DJANGO_ALLOW_DEV_SECRET=1 $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .hypothesis
