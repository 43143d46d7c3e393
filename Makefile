# The two commands: `make run` (the product, with demo data) and `make test` (the suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install setup lint bench messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A local .env from the documented example, with a fresh secret key; kept once made.
.env:
	sed "s/^SECRET_KEY=$$/SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')/" .env.example > .env

$(STAMP): pyproject.toml | $(BIN)/python .env
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Compile the translation catalogues with Babel (no GNU gettext needed on the machine).
messages: install
	$(BIN)/python -m crm.compile_messages

# honcho gives each process type its own PORT (web gets the base port, 5000 unless told).
PORT ?= 8000
# The development server listens on this machine only; BIND=0.0.0.0 opens it to the network
# (then add the machine's name or address to ALLOWED_HOSTS in .env, or Django answers 400).
BIND ?= 127.0.0.1
# The address to open in a browser: 127.0.0.1 is in ALLOWED_HOSTS; 0.0.0.0 is not an address.
OPEN_HOST := $(if $(filter 0.0.0.0,$(BIND)),127.0.0.1,$(BIND))

setup: messages
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py demo_setup --url http://$(OPEN_HOST):$(PORT)/

run: setup
	BIND=$(BIND) $(BIN)/honcho start -f Procfile -p $(PORT)

test: messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)
