"""Health endpoints for load balancers and process supervisors.

- ``/healthz``: the process is alive and answering. No I/O at all.
- ``/readyz``: it can serve: the database (the primary and each read replica) answers,
  the cache reads back what it writes, and every migration is applied. 200 when all hold, 503 when one fails, JSON with each
  check either way.

Both are answered by ``HealthCheckMiddleware``, the first middleware: before the host
check (a load balancer probes by address), the HTTPS redirect, the throttle and the
request log, so that probes neither fail for lack of a Host header nor fill the logs.
"""

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

HEALTH_PATHS = ("/healthz", "/readyz")


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return _no_store(JsonResponse({"status": "ok"}))


def check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_replicas() -> None:
    """Each read replica (DATABASE_REPLICA_URLS) answers; all are tried, every failure named."""
    failures = []
    for alias in settings.DATABASE_REPLICAS:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:
            connections[alias].close()
            failures.append(
                f"{alias}: {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
            )
    if failures:
        raise RuntimeError("; ".join(failures))


def check_cache() -> None:
    ping = getattr(cache, "ping", None)
    if ping is not None:  # Redis: asked directly, since the backend fails open
        ping()
        return
    key, token = "registry:readyz", uuid.uuid4().hex
    cache.set(key, token, timeout=10)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not return what was just written to it")


# Once every migration is seen applied, it stays so for this process: new migrations come
# only with new code, which means a restart. Until then each probe looks again.
_migrations_applied = False


def check_migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        raise RuntimeError(f"{len(plan)} unapplied migration(s): {names}{more}; run manage.py migrate")
    _migrations_applied = True


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "replicas": check_replicas,
    "cache": check_cache,
    "migrations": check_migrations,
}


def readyz(request: HttpRequest) -> HttpResponse:
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        if name == "replicas" and not settings.DATABASE_REPLICAS:
            continue
        if name == "migrations" and not results["database"]["ok"]:
            results[name] = {"ok": False, "error": "not checked: the database is unreachable"}
            continue
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip()}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    ok = all(result["ok"] for result in results.values())
    body = {"status": "ok" if ok else "unavailable", "checks": results}
    return _no_store(JsonResponse(body, status=200 if ok else 503))


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path == "/healthz":
            return healthz(request)
        if path == "/readyz":
            return readyz(request)
        return self.get_response(request)
