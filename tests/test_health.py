"""/healthz and /readyz; a database outage as 503 with Retry-After; Redis down fails open."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_healthz_does_no_io(client):
    # No database access is allowed in this test: a query would fail it.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_checks_database_cache_and_migrations(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "migrations"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_fails(client, monkeypatch):
    def down(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", down)
    response = client.get("/readyz")
    monkeypatch.undo()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is False and "connection refused" in checks["database"]["error"]
    assert checks["cache"]["ok"] is True


@pytest.mark.django_db
def test_health_endpoints_are_neither_throttled_nor_logged(client, monkeypatch, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="registry.request")
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    assert not [r for r in caplog.records if r.name == "registry.request"]
    # Answered whatever the Host header (a load balancer probes by address).
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200


# ------------------------------------------------------------------ database outage


@pytest.fixture
def database_down(monkeypatch):
    def down(self, *args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(CursorWrapper, "execute", down)
    yield
    monkeypatch.undo()


@pytest.mark.django_db
def test_an_api_request_during_an_outage_is_a_json_503(database_down, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None})
    response = Client(raise_request_exception=False).get(reverse("api:partnership-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 503 and "database" in response.json()["detail"]


@pytest.mark.django_db
def test_a_page_during_an_outage_is_the_503_page(database_down):
    response = Client(raise_request_exception=False).get("/partnerships/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Temporarily unavailable" in response.content.decode()
    assert "Traceback" not in response.content.decode()


OUTAGE_SCRIPT = """
import django, json
django.setup()
from django.core.management import call_command
from django.test import Client
# Production pages name their static files through the collected manifest.
call_command("collectstatic", interactive=False, verbosity=0)
client = Client(raise_request_exception=False)
out = {}
for path in ("/api/v1/partnerships/", "/partnerships/", "/", "/readyz"):
    r = client.get(path)
    out[path] = [r.status_code, r.get("Retry-After"), r["Content-Type"]]
print(json.dumps(out))
"""


def test_a_real_unreachable_database_gives_503_not_500(tmp_path):
    """Production settings pointed at a PostgreSQL port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="registry.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="kq3VpJ8w2Zr9tYbN5mXc7LdF4hG6sA1eQ0uIoPzRyTvWxBnMlKjH",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/reg_prod_down",
        SECURE_SSL_REDIRECT="false",
        OUTAGE_RETRY_AFTER_SECONDS="7",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
    )
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["/api/v1/partnerships/"] == [503, "7", "application/json"]
    assert out["/partnerships/"][:2] == [503, "7"] and out["/partnerships/"][2].startswith("text/html")
    assert out["/"][:2] == [503, "7"]
    assert out["/readyz"][0] == 503
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ Redis down: fail open

REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture
def throwaway_redis():
    """A private redis-server on a free port (never the shared one), stopped by the test."""
    if REDIS_SERVER is None:
        pytest.fail("redis-server is missing: install Debian's redis-server package")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, port
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.django_db
def test_with_redis_down_reads_go_on_and_throttling_fails_open(throwaway_redis, monkeypatch, caplog):
    process, port = throwaway_redis
    redis_cache = {
        "default": {
            "BACKEND": "registry.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/1",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    url = reverse("api:locality-list")
    with override_settings(CACHES=redis_cache):
        client = Client()
        assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
        assert client.get("/readyz").json()["checks"]["cache"]["ok"] is True
        process.terminate()
        process.wait(timeout=10)
        statuses = [client.get(url).status_code for _ in range(5)]
        ready = client.get("/readyz")
        page = client.get("/partnerships/")
        caches["default"].close()
    assert statuses == [200] * 5
    assert page.status_code == 200
    assert ready.status_code == 503 and ready.json()["checks"]["cache"]["ok"] is False
    assert any("Redis unreachable" in r.getMessage() for r in caplog.records if r.name == "registry.cache")
