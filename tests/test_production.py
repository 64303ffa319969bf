"""Production start-up: check --deploy clean, make serve's refusals, security headers and CSP,
client identity (X-Forwarded-For), the admin login limit, request ids and the request log."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from partnerships.models import CorrectionRequest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET = "kq3VpJ8w2Zr9tYbN5mXc7LdF4hG6sA1eQ0uIoPzRyTvWxBnMlKjH"  # 52 characters, many distinct


def production_env(**variables):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="registry.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="registry.example.org",
        DATABASE_URL="postgres://registry:pw@db.example.org:5432/registry",
        REDIS_URL="redis://127.0.0.1:6379/5",
    )
    env.update(variables)
    return {k: v for k, v in env.items() if v is not None}


def run(args, **variables):
    return subprocess.run(
        args, cwd=PROJECT_ROOT, env=production_env(**variables), capture_output=True, text=True, timeout=120
    )


def test_check_deploy_with_production_settings_prints_no_warning():
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr and "?:" not in result.stderr


def test_check_deploy_warns_without_a_shared_cache():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], REDIS_URL=None
    )
    assert result.returncode != 0
    assert "registry.W001" in result.stderr and "REDIS_URL" in result.stderr


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY is required"),
        ({"DATABASE_URL": None}, "DATABASE_URL is required"),
        ({"DJANGO_DEBUG": None}, "DJANGO_DEBUG is on"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"REDIS_URL": None}, "registry.W001"),
    ],
)
def test_serve_refuses_to_start_with_a_clear_message(variables, words):
    result = run([sys.executable, "-m", "registry.serve"], **variables)
    assert result.returncode == 2, result.stderr
    assert "make serve: not starting:" in result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_when_the_database_is_unreachable():
    # Nothing listens on port 9 (discard) on this machine.
    result = run(
        [sys.executable, "-m", "registry.serve"], DATABASE_URL="postgres://postgres@127.0.0.1:9/reg_prod_none"
    )
    assert result.returncode == 2
    assert "the database is not reachable" in result.stderr and "Traceback" not in result.stderr


PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'age': s.DATABASES['default']['CONN_MAX_AGE'], "
    "'health': s.DATABASES['default']['CONN_HEALTH_CHECKS'], 'cache': s.CACHES['default']['BACKEND'], "
    "'hsts': s.SECURE_HSTS_SECONDS, 'redirect': s.SECURE_SSL_REDIRECT, 'proxies': s.REST_FRAMEWORK['NUM_PROXIES'], "
    "'session_secure': s.SESSION_COOKIE_SECURE, 'frame': s.X_FRAME_OPTIONS}))"
)


def test_production_defaults_and_their_variables():
    result = run([sys.executable, "-c", PRINT_SETTINGS])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "age": 60,
        "health": True,
        "cache": "registry.cache.FailOpenRedisCache",
        "hsts": 31536000,
        "redirect": True,
        "proxies": 0,
        "session_secure": True,
        "frame": "DENY",
    }
    result = run(
        [sys.executable, "-c", PRINT_SETTINGS],
        DATABASE_CONN_MAX_AGE="300",
        SECURE_HSTS_SECONDS="600",
        SECURE_SSL_REDIRECT="false",
        NUM_PROXIES="1",
        X_FRAME_OPTIONS="SAMEORIGIN",
        REDIS_URL=None,
    )
    printed = json.loads(result.stdout)
    assert (printed["age"], printed["hsts"], printed["redirect"], printed["proxies"], printed["frame"]) == (
        300,
        600,
        False,
        1,
        "SAMEORIGIN",
    )
    assert printed["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_development_keeps_one_connection_per_request_and_the_memory_cache():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env.pop("REDIS_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "registry.settings"
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    printed = json.loads(result.stdout)
    assert printed["age"] == 0 and printed["cache"].endswith("LocMemCache") and printed["hsts"] == 0


# ------------------------------------------------------------------ headers and CSP


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/partnerships/", "/map/", "/admin/login/", "/api/v1/partnerships/"])
def test_pages_carry_a_strict_content_security_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_api_docs_page_loads_its_script_as_a_file():
    from django.test import Client

    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
    assert "style-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"] + ";"
    script = Client().get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# ------------------------------------------------------------------ client identity


@pytest.fixture
def low_throttle(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_a_spoofed_x_forwarded_for_does_not_reset_the_throttle(client, low_throttle):
    url = reverse("api:locality-list")
    statuses = [client.get(url, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(1, 7)]
    assert statuses == [200, 200, 200, 429, 429, 429]


@pytest.mark.django_db
def test_with_one_trusted_proxy_the_throttle_counts_the_address_it_appended(client, low_throttle, settings):
    from rest_framework.settings import api_settings

    settings.NUM_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    api_settings.reload()
    url = reverse("api:locality-list")
    try:
        # The client forges a first entry; the proxy appends the real address.
        first = [
            client.get(url, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.1").status_code for n in range(4)
        ]
        other = client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code
    finally:
        api_settings.reload()
    assert first == [200, 200, 200, 429]
    assert other == 200


@pytest.mark.django_db
def test_the_corrections_limit_ignores_x_forwarded_for(client, settings):
    from tests.factories import partnership_with_history

    cache.clear()
    settings.CORRECTIONS_PER_IP = 2
    partnership = partnership_with_history(("active", "2001"))
    url = reverse("partnerships:correction-create", kwargs={"kind": "partnership", "pk": partnership.pk})
    data = {"message": "The date is wrong.", "source_url": "", "contact": "", "website": ""}
    statuses = [client.post(url, data, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(4)]
    cache.clear()
    assert statuses == [302, 302, 429, 429]
    assert CorrectionRequest.objects.count() == 2


# ------------------------------------------------------------------ admin login limit


@pytest.mark.django_db
def test_the_eleventh_wrong_password_is_locked_out(client, django_user_model):
    django_user_model.objects.create_superuser("boss", password="the-right-password-123")
    login = reverse("admin:login")
    statuses = []
    for _ in range(10):
        response = client.post(login, {"username": "boss", "password": "wrong"})
        statuses.append(response.status_code)
    # Nine wrong passwords are answered as such; the tenth reaches the limit and says so.
    assert statuses == [200] * 9 + [429]
    locked = client.post(login, {"username": "boss", "password": "wrong"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text and "after 10 wrong passwords" in locked.text
    # Even the right password is refused from this address now.
    right = client.post(login, {"username": "boss", "password": "the-right-password-123"})
    assert right.status_code == 429
    # Another address is not locked.
    other = client.post(
        login, {"username": "boss", "password": "the-right-password-123"}, REMOTE_ADDR="192.0.2.44"
    )
    assert other.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example.org/", "//evil.example.org/x", ""])
def test_a_rejected_next_lands_on_the_admin_index(client, django_user_model, next_url):
    django_user_model.objects.create_superuser("boss", password="the-right-password-123")
    response = client.post(
        reverse("admin:login") + (f"?next={next_url}" if next_url else ""),
        {"username": "boss", "password": "the-right-password-123", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


# ------------------------------------------------------------------ request ids and the log


@pytest.mark.django_db
def test_each_request_is_logged_once_with_its_id_status_and_duration(client, caplog):
    caplog.set_level(logging.INFO, logger="registry.request")
    response = client.get("/partnerships/", HTTP_X_REQUEST_ID="proxy-id-123")
    assert response["X-Request-ID"] == "proxy-id-123"
    records = [r for r in caplog.records if r.name == "registry.request"]
    assert len(records) == 1
    record = records[0]
    assert (record.method, record.path, record.status, record.request_id) == (
        "GET",
        "/partnerships/",
        200,
        "proxy-id-123",
    )
    assert record.duration_ms >= 0
    assert record.getMessage().startswith("GET /partnerships/ 200 ")


@pytest.mark.django_db
def test_a_made_up_request_id_is_replaced(client, caplog):
    response = client.get("/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert len(response["X-Request-ID"]) == 32 and "\n" not in response["X-Request-ID"]
    assert client.get("/")["X-Request-ID"] != response["X-Request-ID"]


def test_json_log_lines_carry_the_request_fields():
    from registry.logs import JsonFormatter

    record = logging.LogRecord("registry.request", logging.INFO, __file__, 1, "GET / 200 1.0ms", (), None)
    record.request_id, record.method, record.status, record.duration_ms = "abc", "GET", 200, 1.0
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc" and line["status"] == 200 and line["level"] == "INFO"
    assert line["message"] == "GET / 200 1.0ms"


@pytest.mark.django_db
def test_errors_are_logged_with_the_request_id(caplog, monkeypatch):
    from django.db.backends.utils import CursorWrapper
    from django.test import Client

    from registry.logs import RequestIdFilter

    def broken(self, *args, **kwargs):
        raise RuntimeError("boom")

    stamp = RequestIdFilter()
    caplog.handler.addFilter(stamp)
    monkeypatch.setattr(CursorWrapper, "execute", broken)
    try:
        response = Client(raise_request_exception=False).get("/partnerships/", HTTP_X_REQUEST_ID="req-err-1")
    finally:
        monkeypatch.undo()
        caplog.handler.removeFilter(stamp)
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert errors and errors[0].request_id == "req-err-1" and errors[0].exc_info


# ------------------------------------------------------------------ read replicas: the router
# The real streaming replica is in tests/test_scale_out.py; here the decisions alone.


@pytest.fixture
def one_replica(settings):
    settings.DATABASE_REPLICAS = ["replica_1"]
    return settings


def routed_reads(request_factory_call, *, cookies=None, write_first=False):
    """The database the router picks for a read of Partnership (and of FeedEntry-like
    labels) inside a request that ReadRoutingMiddleware has marked."""
    from django.test import RequestFactory

    from partnerships.models import Partnership
    from registry.routers import PrimaryReplicaRouter, ReadRoutingMiddleware

    router = PrimaryReplicaRouter()
    seen = {}

    def view(request):
        if write_first:
            router.db_for_write(Partnership)
        seen["partnership"] = router.db_for_read(Partnership)
        from django.http import HttpResponse

        return HttpResponse()

    factory = RequestFactory()
    request = request_factory_call(factory)
    for name, value in (cookies or {}).items():
        request.COOKIES[name] = value
    ReadRoutingMiddleware(view)(request)
    return seen["partnership"]


def test_router_sends_anonymous_public_reads_to_a_replica(one_replica):
    assert routed_reads(lambda f: f.get("/api/v1/partnerships/")) == "replica_1"
    assert routed_reads(lambda f: f.get("/partnerships/")) == "replica_1"


@pytest.mark.parametrize(
    ("call", "cookies"),
    [
        (lambda f: f.post("/api/v1/partnerships/"), None),
        (lambda f: f.get("/admin/partnerships/partnership/"), None),
        (lambda f: f.get("/api/v1/changes/"), None),
        (lambda f: f.get("/api/v1/partnerships/", HTTP_AUTHORIZATION="Token abc"), None),
        (lambda f: f.get("/partnerships/"), {"sessionid": "x"}),
    ],
    ids=["write", "admin", "change-feed", "token", "session"],
)
def test_router_keeps_writes_admin_feed_and_signed_in_clients_on_the_primary(one_replica, call, cookies):
    assert routed_reads(call, cookies=cookies) == "default"


def test_router_reads_after_a_write_on_the_primary(one_replica):
    assert routed_reads(lambda f: f.get("/partnerships/"), write_first=True) == "default"


def test_router_outside_a_request_and_for_primary_models_reads_the_primary(one_replica):
    from django.apps import apps

    from partnerships.models import Partnership
    from registry.routers import PrimaryReplicaRouter, _public_read

    router = PrimaryReplicaRouter()
    assert router.db_for_read(Partnership) == "default"  # a command, the worker, the shell
    token = _public_read.set(True)
    try:
        assert router.db_for_read(apps.get_model("auth", "User")) == "default"
        assert router.db_for_read(apps.get_model("sessions", "Session")) == "default"
        one_replica.DATABASE_PRIMARY_MODELS = ["partnerships.Partnership"]
        assert router.db_for_read(Partnership) == "default"
    finally:
        _public_read.reset(token)
    assert router.allow_migrate("replica_1", "partnerships") is False
    assert router.allow_migrate("default", "partnerships") is True


def test_replica_urls_become_databases_of_the_primary_kind():
    script = (
        "from django.conf import settings; import json; "
        "print(json.dumps([settings.DATABASE_REPLICAS, settings.DATABASES['replica_2']['PORT'], "
        "settings.DATABASES['replica_2']['TEST']['MIRROR']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "registry.settings",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x",
            "DATABASE_REPLICA_URLS": "postgres://postgres@127.0.0.1:5433/x, postgres://postgres@127.0.0.1:5435/x",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [["replica_1", "replica_2"], 5435, "default"]
    bad = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "registry.settings",
            "DATABASE_URL": "sqlite:///var/x.sqlite3",
            "DATABASE_REPLICA_URLS": "postgres://postgres@127.0.0.1:5433/x",
        },
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "replicas are PostgreSQL" in bad.stderr
