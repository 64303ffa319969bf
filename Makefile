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

.PHONY: install browser run test lint format seed-fixture superuser clean

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

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Rebuild fixtures/seed.json from partnerships/seed.py, on a throw-away SQLite database.
seed-fixture: install
	rm -f var/seed-build.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/var/seed-build.sqlite3 $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///$(CURDIR)/var/seed-build.sqlite3 $(PY) manage.py build_seed_fixture
	rm -f var/seed-build.sqlite3

superuser: install
	$(PY) manage.py createsuperuser

clean:
	rm -rf $(VENV) var *.egg-info .pytest_cache .ruff_cache
