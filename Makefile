# The two set-up commands of the README. Each creates or refreshes the virtual
# environment it needs, so they work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test test-production e2e browser reset-demo benchmark benchmark-copy benchmark-copy-production loadtest loadtest-production lighthouse screenshots

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Serve the dashboard on the built-in sandbox at http://127.0.0.1:8000, with the
## background worker (sync schedule, "Sync now") beside it. Ctrl-C stops both: the
## worker is a separate process (runserver's autoreloader restarts only the web
## server), stopped by the trap whichever way the web server ends.
run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py collectstatic --noinput -v0
	DEBUG=$${DEBUG:-true} $(PY) manage.py demo_setup
	DEBUG=$${DEBUG:-true} $(PY) manage.py run_huey & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST):$(PORT)

## Production on one machine (README, "Deploying"): settings from .env with DEBUG off,
## migrations, static files, then gunicorn (dashboard/gunicorn.py: WEB_WORKERS, WEB_THREADS)
## and the background worker; Ctrl-C stops both.
serve: $(STAMP)
	DEBUG=false $(PY) manage.py migrate --noinput
	DEBUG=false $(PY) manage.py collectstatic --noinput -v0
	DEBUG=false $(PY) manage.py run_huey & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=false $(PY) -m gunicorn -c python:dashboard.gunicorn dashboard.wsgi:application

## Run the whole test suite (installs Debian's chromium for the browser tests when missing)
test: $(STAMP) browser
	$(PY) -m pytest -m "not e2e" -n $${TEST_PROCESSES:-2}
	$(PY) -m pytest -m e2e -n $${TEST_PROCESSES:-2}

## The non-browser suite on a real PostgreSQL and Redis (installed with apt when missing,
## started on loopback ports for the run and stopped after it)
test-production: $(STAMP)
	bash .ci/test-production

## Only the end-to-end browser tests
e2e: $(STAMP) browser
	$(PY) -m pytest -m e2e -n $${TEST_PROCESSES:-2}

browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

## Replace the sandbox's data with fresh demo data
reset-demo: $(STAMP)
	DEBUG=$${DEBUG:-true} $(PY) manage.py sandbox_reset

## Page speed against the sandbox (100 ms injected latency) with production settings: DEBUG off,
## collected static files, the sandbox switched on. The secret key is a throwaway: the benchmark signs only its own session.
BENCH_ENV := DEBUG=false SANDBOX_ENABLED=true SECRET_KEY=$${SECRET_KEY:-benchmark-only-throwaway-key-not-used-for-anything-else}
benchmark: $(STAMP)
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) -m benchmark $(ARGS)

## The list, filter and sort pages read from the local copy (issue 14): the copy filled first,
## then server time (median, p95) and calls to Seven Time per page, full and htmx partial.
## ARGS="--scale 30" for a large account (it replaces the sandbox's data: use a scratch
## DATABASE_URL), ARGS="--sync" to fill the copy by a real sync. docs/performance.md.
benchmark-copy: $(STAMP)
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) -m benchmark --copy $(ARGS)

## The same on a real PostgreSQL and Redis (.ci/services; PG_PORT and REDIS_PORT choose the ports).
benchmark-copy-production: $(STAMP)
	bash .ci/services $(MAKE) --no-print-directory benchmark-copy

## 1, 10 and 50 simulated users with no think time against the production server (gunicorn
## and the worker, DEBUG off, as make serve) on the sandbox with 100 ms latency and its rate
## limit on (4 a second): pages a second, p50/p95/p99, errors, calls a second that reached the
## sandbox, memory. ARGS="--seconds 30" for longer levels (python -m benchmark.load --help).
loadtest: $(STAMP)
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) -m benchmark.load $(ARGS)

## The same on a real PostgreSQL and Redis, started on loopback ports for the run and
## stopped after it (.ci/services, as make test-production).
loadtest-production: $(STAMP)
	bash .ci/services $(MAKE) --no-print-directory loadtest

## Lighthouse (npm lighthouse@12.2.3, installed once into ~/.cache) on the start page, a list,
## a detail page, a create form and the overview: accessibility, best practices and
## performance, each at least 95 (ARGS="--min 90"). .ci/run runs it.
lighthouse: $(STAMP) browser
	$(PY) -m benchmark.lighthouse $(ARGS)

## The README's screenshots (docs/screenshots/): every page kind at 1366 and 390 px in
## English and Swedish, from gunicorn on the demo data (benchmark/screenshots.py).
screenshots: $(STAMP) browser
	$(PY) -m benchmark.screenshots $(ARGS)
