# Wangge: `make demo` sets up and starts the demo; `make test` sets up and runs every test.
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
PROFILE ?= qilihe
RESIDENTS ?=
# Tests run on two processes (this machine has two cores); XDIST= runs them in one.
XDIST ?= -n 2
# Each pass ends with its slowest tests, so that a slower CI run says where its time went.
DURATIONS ?= --durations=15
# Python compiles every module it imports from source when it may not cache the result
# (PYTHONDONTWRITEBYTECODE, set on some machines): 3–5 s more for every process that starts
# Django (each test worker, the demo, the server), so the targets let it write its caches.
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
BIN := $(VENV)/bin
VAR := var
PG_URL ?= postgres://postgres@127.0.0.1:5432/wangge
APT_PACKAGES := fonts-wqy-microhei gettext libpango-1.0-0 libpangoft2-1.0-0
TEST_APT_PACKAGES := chromium

.PHONY: demo test setup venv vendor sysdeps sysdeps-test lint typecheck messages check-messages \
        test-sqlite test-postgres serve clean

demo: setup
	WANGGE_DEMO=true $(BIN)/wangge migrate --noinput -v 0
	WANGGE_DEMO=true $(BIN)/wangge demo --profile $(PROFILE) $(if $(RESIDENTS),--residents $(RESIDENTS))
	@$(MAKE) --no-print-directory serve

# The server and the background worker (periodic jobs, events, notifications) run together;
# Ctrl-C stops both (the worker is stopped whichever way the server ends).
serve:
	WANGGE_DEMO=true $(BIN)/wangge collectstatic --noinput -v 0
	@echo "Wangge is running on http://127.0.0.1:$(PORT)/ with its worker  (Ctrl-C stops both)"
	@WANGGE_DEMO=true $(BIN)/wangge worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	WANGGE_DEMO=true $(BIN)/gunicorn wangge.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 \
		--access-logfile - --preload --access-logformat '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(L)ss'

setup: venv vendor sysdeps messages

# The virtual environment, installed from the lock file (re-done when the lock changes).
venv: $(VENV)/.installed
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

# Front-end libraries from the npm registry, served from var/vendor: nothing from a CDN.
vendor: $(VAR)/vendor/.installed
$(VAR)/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(VAR)/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $(VAR)/vendor/
	cp node_modules/@picocss/pico/css/pico.min.css $(VAR)/vendor/
	cp node_modules/echarts/dist/echarts.min.js $(VAR)/vendor/
	cp node_modules/html5-qrcode/html5-qrcode.min.js $(VAR)/vendor/
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css $(VAR)/vendor/
	cp -r node_modules/leaflet/dist/images $(VAR)/vendor/
	touch $@

# System packages: a CJK font for the printed PDFs, gettext for the catalogues.
sysdeps:
	@bash scripts/ensure-system-packages.sh $(APT_PACKAGES)

sysdeps-test:
	@bash scripts/ensure-system-packages.sh $(APT_PACKAGES) $(TEST_APT_PACKAGES)

messages: venv
	DJANGO_SETTINGS_MODULE=wangge.settings_test $(BIN)/wangge compilemessages -v 0 --ignore '.venv/*' --ignore 'node_modules/*'

check-messages: venv
	DJANGO_SETTINGS_MODULE=wangge.settings_test $(BIN)/python scripts/check_messages.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: venv
	SECRET_KEY=x WANGGE_DATA_KEYS=x WANGGE_INDEX_KEYS=x $(BIN)/mypy wangge bench

test: venv vendor sysdeps-test messages lint typecheck check-messages test-sqlite test-postgres

test-sqlite:
	$(BIN)/pytest -q -p no:randomly $(XDIST) $(DURATIONS) $(PYTEST_ARGS)

# PostgreSQL must run in CI (CI=true); elsewhere it is skipped, saying so, when unreachable.
test-postgres:
	@if $(BIN)/python scripts/pg_reachable.py "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest -q $(XDIST) $(DURATIONS) --database-tests-only $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) is unreachable, and CI requires it."; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL tests — $(PG_URL) is unreachable (set PG_URL to run them)."; \
	fi

clean:
	rm -rf $(VENV) node_modules $(VAR)/vendor $(VAR)/static
