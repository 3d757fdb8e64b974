# The tracker's two commands are `make run` and `make test`; `make serve` is for production;
# everything else is a step of theirs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app tracker
HOST ?= 127.0.0.1
PORT ?= 5000
CSS := tracker/static/build/tracker.css
# One test worker per core; a file's tests stay together, so its fixtures are built once.
PARALLEL ?= --numprocesses=auto --dist=loadfile

.PHONY: help run serve test install assets browser lint db demo bench bench-load clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: install assets db demo ## Set everything up and serve the tracker and its scheduler with demo data on http://127.0.0.1:5000
	@$(FLASK) demo-credentials
	@echo "Serving on http://$(HOST):$(PORT) with the scheduler beside it (Ctrl-C stops both)"
	@# Exactly one scheduler process beside the web server; the trap stops it with the server.
	@# Plain http on 127.0.0.1, so the session cookie cannot be HTTPS-only here.
	@# PUBLIC_URL's default is this address, so the demo's email links work without setting it
	@# (`make serve` refuses the default).
	@$(FLASK) scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	TRACKER_SESSION_COOKIE_SECURE=$${TRACKER_SESSION_COOKIE_SECURE:-false} \
		$(FLASK) run --host $(HOST) --port $(PORT)

serve: install assets db ## Serve the configured database with gunicorn (WEB_WORKERS processes, default 2) and one scheduler
	@# Links in emails must lead to this installation: refused while PUBLIC_URL is its default.
	@$(FLASK) check-public-url
	@echo "Serving on http://$(HOST):$(PORT) with gunicorn and the scheduler beside it (Ctrl-C stops both)"
	@# Exactly one scheduler beside any number of web workers; the trap stops it with gunicorn.
	@$(FLASK) scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	$(VENV)/bin/gunicorn --config python:tracker.gunicorn_config --bind $(HOST):$(PORT) tracker.wsgi:app

test: install assets lint browser ## Set everything up, lint and run the tests on SQLite, then again on PostgreSQL
	@# Both runs happen even when the first fails; either failing fails `make test`. Each run
	@# spreads the test files over one worker per core (pytest-xdist); each worker has its own
	@# SQLite files, or its own throwaway PostgreSQL server.
	@status=0; \
	$(VENV)/bin/pytest $(PARALLEL) || status=$$?; \
	echo "The same tests on PostgreSQL, on a throwaway server the tests start (tests/postgres_server.py)"; \
	$(VENV)/bin/pytest $(PARALLEL) --database=postgresql || status=$$?; \
	exit $$status

install: $(VENV)/.installed ## Create .venv and install the pinned Python packages

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v python3 >/dev/null || { apt-get update && apt-get install -y python3 python3-venv; }
	@# PDFs (Typst, inside the typst wheel) are set in Liberation Sans, a metric-compatible
	@# Arial; the tests read PDFs back with poppler's pdftotext and pdfinfo.
	@dpkg -s fonts-liberation poppler-utils >/dev/null 2>&1 || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-liberation poppler-utils; }
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@# The Word report's tests lay it out with LibreOffice (no GUI; Carlito and Caladea stand in for
	@# Calibri and Cambria, as on a reader's computer) and read the PDF with poppler.
	@dpkg -s libreoffice-writer-nogui fonts-crosextra-carlito fonts-crosextra-caladea poppler-utils >/dev/null 2>&1 || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-crosextra-carlito fonts-crosextra-caladea poppler-utils; }
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	@# The Nu HTML Checker (vnu-jar) runs on Java, from Debian, so its install step finds Java
	@# and downloads none of its own.
	@command -v java >/dev/null || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(CSS) ## Build the GOV.UK Frontend styles and scripts (without the GOV.UK typeface)

$(CSS): node_modules/.installed tracker/static/src/tracker.scss tracker/static/src/tracker.js
	mkdir -p tracker/static/build
	npx --no-install sass --pkg-importer=node --no-source-map --style=compressed --quiet-deps \
		tracker/static/src/tracker.scss $(CSS)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js tracker/static/build/
	cp tracker/static/src/tracker.js tracker/static/build/

browser: ## Debian's Chromium for the browser tests (Playwright drives it; installed with apt when missing)
	@test -x /usr/bin/chromium || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-liberation; }

lint: install ## Check the code with ruff, and bandit (no finding of medium severity or above)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit --quiet --recursive tracker --severity-level medium

db: install ## Bring the database schema up to date
	$(FLASK) db upgrade

demo: install ## Load the demo council into an empty database
	$(FLASK) demo-data

bench: install ## Time the main pages over the demo council (median and 95th percentile)
	$(PYTHON) benchmarks/pages.py

bench-load: install ## Serve scale-10 bench data with gunicorn on SQLite and PostgreSQL and drive the main pages with wrk
	@command -v wrk >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
	$(PYTHON) benchmarks/load/run.py $(BENCH_LOAD_OPTIONS)

clean: ## Remove the virtual environment, node modules and built assets (keeps instance/)
	rm -rf $(VENV) node_modules tracker/static/build
