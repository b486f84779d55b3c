# Bibarys: `make run` to try the shop, `make test` to check it. Needs Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
# Development commands run with DEBUG on unless the environment says otherwise.
DEV := DEBUG=$${DEBUG:-1}
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv messages makemessages migrate demo serve layers e2e bench clean check-deploy chromium

$(BIN)/.installed: requirements.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(BIN)/.installed

# Compiled translations are committed; recompile when GNU gettext is on the machine.
messages: venv
	@if command -v msgfmt >/dev/null 2>&1; then $(DEV) $(MANAGE) compilemessages --ignore=.venv -v 0; \
	else echo "msgfmt not found: using the committed .mo files"; fi

makemessages: venv
	$(DEV) $(MANAGE) makemessages -l kk -l ru -l en --ignore=.venv --ignore=staticfiles --no-location

migrate: venv
	$(DEV) $(MANAGE) migrate --no-input -v 0

demo: migrate
	$(DEV) $(MANAGE) seed_demo

## The shop on SQLite at http://127.0.0.1:8000 with demo accounts.
run: messages demo
	@echo "Serving the shop at http://$(HOST):$(PORT)/ with a background tasks worker (Ctrl+C stops both)"
	@$(DEV) $(MANAGE) db_worker --queue-name '*' --no-reload -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(MANAGE) runserver $(HOST):$(PORT)

## The whole suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL), browser tests included.
test: messages chromium layers
	$(BIN)/pytest $(PYTEST_ARGS)

## The layers contract (.importlinter): apps import downward only, imports inside functions included.
layers: venv
	$(BIN)/lint-imports --no-cache

## Only the browser tests (Debian Chromium, one server, phone and desktop sizes).
e2e: messages chromium
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

## Load benchmark on PostgreSQL (database bibarys_bench, Redis db 8) with wrk; writes BENCHMARKS.md.
## Not part of `make test`. BENCH_ARGS="--duration 5 --only catalog" narrows it.
BENCH_ARGS ?=
bench: venv messages
	@command -v wrk >/dev/null 2>&1 || (apt-get update && apt-get install -y wrk)
	$(PY) bench/run.py $(BENCH_ARGS)

# The browser the e2e tests drive is Debian's, never a downloaded build.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)

## Production-style serving: gunicorn + whitenoise (needs SECRET_KEY, REDIS_URL, ALLOWED_HOSTS).
serve: venv messages
	$(MANAGE) collectstatic --no-input -v 0
	$(MANAGE) migrate --no-input -v 0
	$(BIN)/gunicorn bibarys.wsgi:application --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-4} --access-logfile -

check-deploy: venv
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-check-deploy-key-0123456789-abcdefghijklmnopqrstuvwxyz} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-shop.example.kz} \
	$(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
