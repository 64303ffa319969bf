# The two commands a newcomer needs: `make run` and `make test`. Both set up everything
# (a virtual environment with the pinned dependencies from pyproject.toml) on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

CHROMIUM := /usr/bin/chromium
# apt-get needs root; elsewhere it goes through sudo.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: install browser run test lint format seed-fixture superuser clean demo bench-import

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e . --group dev
	touch $(STAMP)

install: $(STAMP)

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
browser:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed
	$(PY) manage.py ensure_dev_superuser --host $(HOST)
	$(PY) manage.py runserver $(HOST)

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
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

superuser: install
	$(PY) manage.py createsuperuser

clean:
	rm -rf $(VENV) var *.egg-info .pytest_cache .ruff_cache
