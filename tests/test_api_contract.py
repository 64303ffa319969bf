"""The API keeps the contract its OpenAPI schema states (issue 14, point 5): schemathesis,
with every check (including "schema-valid request rejected" and the negative-data checks)
in positive and negative modes, against the app running for real — gunicorn on a local
port (registry/gunicorn.conf.py), its own disposable database with the seed data and a
staff token for the writes — reports no failure.

What schemathesis may not know is in tests/schemathesis.toml, each with its reason. The
run is bounded (a few examples per operation, a fixed seed) to stay well under a minute;
tests/test_api_schema.py runs more examples of the reads in-process."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"
POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
# One port per database, so that the SQLite and PostgreSQL suites can run at once (.ci/run).
PORT = 8202 if POSTGRESQL else 8201
MAX_EXAMPLES = 4
SEED = 14


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _postgres(sql: str) -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(sql)


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    """The app under gunicorn on PORT with a fresh database (seeded) and a staff token."""
    workdir = tmp_path_factory.mktemp("contract")
    if POSTGRESQL:
        db = settings.DATABASES["default"]
        name = f"{db['NAME']}_schemathesis"
        _postgres(f'DROP DATABASE IF EXISTS "{name}"')
        _postgres(f'CREATE DATABASE "{name}"')
        auth = f"{db['USER']}@" if db["USER"] else ""
        database_url = f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    else:
        database_url = f"sqlite:///{workdir / 'live.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.pop("REDIS_URL", None)  # a per-process cache: the shared Redis is left alone
    env.update(
        DJANGO_SETTINGS_MODULE="registry.settings",
        DJANGO_DEBUG="true",  # the development settings: plain HTTP on 127.0.0.1
        DATABASE_URL=database_url,
        API_ANON_THROTTLE_RATE="100000/minute",
        API_CHANGES_SETTLE_SECONDS="0",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="4",
    )
    manage = [sys.executable, "manage.py"]
    _run([*manage, "migrate", "--verbosity", "0"], env)
    _run([*manage, "loaddata", "seed", "--verbosity", "0"], env)
    token = _run([sys.executable, "-c", CREATE_TOKEN], env).strip().splitlines()[-1]
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    assert gunicorn, "gunicorn is in the project's dependencies"
    log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [gunicorn, "-c", "registry/gunicorn.conf.py"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, (workdir / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        yield base, token, workdir
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        if POSTGRESQL:
            _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CREATE_TOKEN = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
user = get_user_model().objects.create_user("schemathesis", is_staff=True)
user.groups.add(Group.objects.get(name="Editors"))
print(Token.objects.create(user=user).key)
"""


def test_schemathesis_with_every_check_finds_nothing_against_the_live_server(live_api):
    base, token, workdir = live_api
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st, "schemathesis is in the dev group"
    result = subprocess.run(
        [
            st,
            "--config-file",
            str(CONFIG),
            "run",
            f"{base}/api/v1/schema/",
            "--checks",
            "all",
            "--mode",
            "all",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "2",
            "--header",
            f"Authorization: Token {token}",
            "--no-color",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No issues found" in output or " 0 failures" in output or "passed" in output, output
    # Every operation of the schema was exercised, the writes included.
    assert "Tested: 17" in output or "17 selected" in output, output
