# The tracker's two commands are `make run` and `make test`; everything else is a step of theirs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app tracker
HOST ?= 127.0.0.1
PORT ?= 5000
CSS := tracker/static/build/tracker.css

.PHONY: help run test install assets lint db demo bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: install assets db demo ## Set everything up and serve the tracker and its scheduler with demo data on http://127.0.0.1:5000
	@$(FLASK) demo-credentials
	@echo "Serving on http://$(HOST):$(PORT) with the scheduler beside it (Ctrl-C stops both)"
	@# Exactly one scheduler process beside the web server; the trap stops it with the server.
	@$(FLASK) scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install assets lint ## Set everything up, lint and run the tests
	$(VENV)/bin/pytest

install: $(VENV)/.installed ## Create .venv and install the pinned Python packages

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v python3 >/dev/null || { apt-get update && apt-get install -y python3 python3-venv; }
	@# PDF reports (WeasyPrint) need Pango and a metric-compatible Arial.
	@dpkg -s libpango-1.0-0 fonts-liberation >/dev/null 2>&1 || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation; }
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(CSS) ## Build the GOV.UK Frontend styles and scripts (without the GOV.UK typeface)

$(CSS): node_modules/.installed tracker/static/src/tracker.scss tracker/static/src/tracker.js
	mkdir -p tracker/static/build
	npx --no-install sass --pkg-importer=node --no-source-map --style=compressed --quiet-deps \
		tracker/static/src/tracker.scss $(CSS)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js tracker/static/build/
	cp tracker/static/src/tracker.js tracker/static/build/

lint: install ## Check the code with ruff
	$(VENV)/bin/ruff check .

db: install ## Bring the database schema up to date
	$(FLASK) db upgrade

demo: install ## Load the demo council into an empty database
	$(FLASK) demo-data

bench: install ## Time the main pages over the demo council (median and 95th percentile)
	$(PYTHON) benchmarks/pages.py

clean: ## Remove the virtual environment, node modules and built assets (keeps instance/)
	rm -rf $(VENV) node_modules tracker/static/build
