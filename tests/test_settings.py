"""Start-up checks in registry/settings.py, run in a fresh interpreter each time."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Settings read from the environment; none may leak in from the test run itself.
_SETTINGS_VARIABLES = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "DJANGO_LOG_LEVEL",
)

SECRET = "a-real-secret-for-the-settings-test-0123456789"
POSTGRES_URL = "postgres://registry:pw@db.example.org:5432/registry"

SETUP = (
    "import django, os; django.setup(); from django.conf import settings; "
    "print('DEBUG', settings.DEBUG); print('HOSTS', ','.join(settings.ALLOWED_HOSTS)); "
    "print('ENGINE', settings.DATABASES['default']['ENGINE']); "
    "print('SECURE', getattr(settings, 'SESSION_COOKIE_SECURE', False))"
)


def start(**variables):
    env = {
        k: v for k, v in os.environ.items() if k not in _SETTINGS_VARIABLES and not k.startswith("DJANGO_")
    }
    env["DJANGO_SETTINGS_MODULE"] = "registry.settings"
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_improperly_configured(result, *words):
    assert result.returncode != 0, result.stdout
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr, result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    for word in words:
        assert word in last_line, last_line


def settings_printed(result):
    assert result.returncode == 0, result.stderr
    return dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())


def test_production_without_a_secret_key_fails():
    result = start(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="registry.example.org", DATABASE_URL=POSTGRES_URL)
    assert_improperly_configured(result, "DJANGO_SECRET_KEY")


def test_production_with_the_development_secret_key_fails():
    result = start(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="django-insecure-development-only-key",
        DJANGO_ALLOWED_HOSTS="registry.example.org",
        DATABASE_URL=POSTGRES_URL,
    )
    assert_improperly_configured(result, "DJANGO_SECRET_KEY", "real secret")


def test_production_without_allowed_hosts_fails():
    result = start(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET, DATABASE_URL=POSTGRES_URL)
    assert_improperly_configured(result, "DJANGO_ALLOWED_HOSTS")


def test_production_with_blank_allowed_hosts_fails():
    result = start(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS=" , ", DATABASE_URL=POSTGRES_URL
    )
    assert_improperly_configured(result, "DJANGO_ALLOWED_HOSTS")


def test_production_without_a_database_url_fails():
    result = start(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="registry.example.org")
    assert_improperly_configured(result, "DATABASE_URL")


def test_production_with_everything_set_starts():
    result = start(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="registry.example.org, www.registry.example.org",
        DATABASE_URL=POSTGRES_URL,
    )
    printed = settings_printed(result)
    assert printed == {
        "DEBUG": "False",
        "HOSTS": "registry.example.org,www.registry.example.org",
        "ENGINE": "django.db.backends.postgresql",
        "SECURE": "True",
    }


def test_development_defaults_start_without_any_variable():
    printed = settings_printed(start())
    assert printed["DEBUG"] == "True"
    assert printed["ENGINE"] == "django.db.backends.sqlite3"
    assert "localhost" in printed["HOSTS"].split(",")


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_an_unrecognised_debug_value_fails(value):
    result = start(DJANGO_DEBUG=value)
    assert_improperly_configured(result, "DJANGO_DEBUG", repr(value))


@pytest.mark.parametrize(
    ("value", "debug"), [("1", "True"), ("TRUE", "True"), ("off", "False"), ("No", "False")]
)
def test_debug_accepts_the_usual_spellings(value, debug):
    result = start(
        DJANGO_DEBUG=value,
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="registry.example.org",
        DATABASE_URL=POSTGRES_URL,
    )
    assert settings_printed(result)["DEBUG"] == debug


@pytest.mark.parametrize("debug", ["1", "0"])
def test_a_mysql_database_url_fails(debug):
    result = start(
        DJANGO_DEBUG=debug,
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="registry.example.org",
        DATABASE_URL="mysql://registry:pw@db.example.org:3306/registry",
    )
    assert_improperly_configured(result, "DATABASE_URL", "PostgreSQL")


def test_an_unknown_database_url_scheme_fails():
    result = start(DATABASE_URL="foo://somewhere/registry")
    assert_improperly_configured(result, "DATABASE_URL")


def test_a_non_numeric_connection_max_age_fails():
    result = start(DATABASE_CONN_MAX_AGE="forever", DATABASE_URL=POSTGRES_URL)
    assert_improperly_configured(result, "DATABASE_CONN_MAX_AGE")
