# The two commands a newcomer needs: `make run` and `make test`. Both set up everything
# (a virtual environment with exactly the locked dependencies, requirements/lock.txt) on
# first use, and again whenever pyproject.toml or the lock changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

# uv.lock is the resolution of pyproject.toml (every dependency, transitive ones too, with
# hashes, for every platform); requirements/lock.txt is its export, which plain pip
# installs with --require-hashes. `make lock` writes both; `make lint` fails when either
# is out of date. LOCK_ARGS passes options to `uv lock`, e.g. LOCK_ARGS=--upgrade.
UV := $(VENV)/bin/uv
LOCK := requirements/lock.txt
LOCK_ARGS ?=
EXPORT_LOCK := $(UV) export --quiet --format requirements.txt --group dev --group build --no-emit-project --frozen

CHROMIUM := /usr/bin/chromium
# apt-get needs root; elsewhere it goes through sudo.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: install lock check-lock browser run serve worker test lint format seed-fixture superuser clean demo bench-import wrk bench-api bench-feed

# A fresh environment each time, so nothing outside the lock lingers; then the project
# itself, without dependencies and built by the locked setuptools; then the lock checked
# against pyproject.toml.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	@# A lock that no longer fits pyproject.toml stops here, with the fix (make lock) named.
	@$(MAKE) --no-print-directory check-lock
	touch $(STAMP)

install: $(STAMP)

# Resolve pyproject.toml again (keeping the locked versions that still fit) and export it.
# Needs only uv from an existing environment, not an up-to-date one.
lock:
	@test -x $(UV) || $(MAKE) install || test -x $(UV)
	$(UV) lock $(LOCK_ARGS)
	@mkdir -p $(dir $(LOCK))
	$(EXPORT_LOCK) > $(LOCK).new
	@# Rewritten only when it changes, so that an unchanged lock does not reinstall.
	@if cmp -s $(LOCK).new $(LOCK); then rm $(LOCK).new; else mv $(LOCK).new $(LOCK); fi

check-lock:
	@test -x $(UV) || $(MAKE) install || test -x $(UV)
	@$(UV) lock --quiet --check || { echo "uv.lock is out of date with pyproject.toml: run make lock" >&2; exit 1; }
	@$(EXPORT_LOCK) | diff -u $(LOCK) - || { echo "$(LOCK) is not the export of uv.lock: run make lock" >&2; exit 1; }

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
browser:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed
	$(PY) manage.py ensure_dev_superuser --host $(HOST)
	@# The job worker (admin imports, full exports) runs beside the development server.
	$(PY) manage.py db_worker --no-reload -v0 & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST)

# The production server: settings from the environment (DJANGO_DEBUG=false, a secret,
# hosts, DATABASE_URL, REDIS_URL, …; docs/deploying.md). It refuses to start, saying why,
# when a setting is missing, `check --deploy` warns or a migration is not applied; then it
# collects the static files and runs gunicorn with registry/gunicorn.conf.py.
serve: install
	$(PY) -m registry.serve

# The job worker (django-tasks' database backend): runs the admin's imports and the full
# exports queued in the database. Run one or more beside the servers (docs/deploying.md);
# it stops gracefully on SIGTERM, finishing the job it runs.
worker: install
	$(PY) manage.py db_worker --no-reload --interval 1

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The same checks as the pre-commit hooks (.pre-commit-config.yaml), on every file.
lint: install check-lock
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m mypy

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Rebuild fixtures/seed.json from partnerships/seed.py, on a throw-away SQLite database.
seed-fixture: install
	rm -f var/seed-build.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/var/seed-build.sqlite3 $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///$(CURDIR)/var/seed-build.sqlite3 $(PY) manage.py build_seed_fixture
	rm -f var/seed-build.sqlite3

# A realistic registry to browse: the seed data plus both bundled public data sets, in a
# separate SQLite database (var/demo.sqlite3) that leaves the development database alone.
DEMO_DB := sqlite:///$(CURDIR)/var/demo.sqlite3
demo: install
	DATABASE_URL=$(DEMO_DB) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(DEMO_DB) $(PY) manage.py load_seed
	DATABASE_URL=$(DEMO_DB) $(PY) manage.py import_dataset muenchdo --skip-bad-rows
	DATABASE_URL=$(DEMO_DB) $(PY) manage.py import_dataset hekman --skip-bad-rows
	DATABASE_URL=$(DEMO_DB) $(PY) manage.py ensure_dev_superuser --host $(HOST)
	DATABASE_URL=$(DEMO_DB) $(PY) manage.py runserver $(HOST)

# Imports the ~26,000-pair data set into a throw-away database (PostgreSQL when
# DATABASE_URL points at it) and prints rows per second and peak memory.
bench-import: install
	$(PY) manage.py benchmark_import hekman muenchdo

# The load generator of make bench-api: Debian's wrk, installed like Chromium.
wrk:
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk for make bench-api"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }

# The public reads against a raw-SQL floor on PostgreSQL, at 1x and 10x data (README,
# "Performance"): loads its own databases (bench_api_1x, bench_api_10x), starts gunicorn
# and the floor app, prints the table. Long (the 10x load alone takes minutes); never run
# by make test. BENCH_ARGS="--reuse" keeps databases loaded by an earlier run.
BENCH_ARGS ?=
bench-api: install wrk
	$(PY) -m benchmarks.api $(BENCH_ARGS)

# Times change-feed pages (200 entries) at demo scale and at 10x, beside a raw-SQL floor;
# the synthetic entries are rolled back afterwards.
bench-feed: install
	$(PY) manage.py benchmark_feed

superuser: install
	$(PY) manage.py createsuperuser

clean:
	rm -rf $(VENV) var *.egg-info .pytest_cache .ruff_cache .mypy_cache
