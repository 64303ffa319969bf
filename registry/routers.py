"""Read replicas: which database each query goes to.

With ``DATABASE_REPLICA_URLS`` set (comma-separated PostgreSQL URLs), settings add one
database per replica (``replica_1``, ``replica_2``, …) beside ``default`` (the primary), and
``PrimaryReplicaRouter`` sends reads there only when it is safe:

- Everything starts on the primary. A read goes to a replica only inside a request that
  ``ReadRoutingMiddleware`` has marked public: a GET or HEAD, from a client that carries no
  credentials (no ``Authorization`` header, no session cookie), outside the admin and the
  change feed (``DATABASE_PRIMARY_PATHS``). Management commands, the job worker and the
  shell never leave the primary.
- Every write goes to the primary, and once a request has written, its later reads do too
  (it reads what it wrote); so does every read inside a transaction.
- Some models are always read on the primary (``DATABASE_PRIMARY_MODELS``, labels, so that
  a model may be named before it exists): the change feed's entries, the jobs, the login
  limits, sessions and tokens.

The change feed reads the primary (path and models), so replica lag never hides a feed
entry: its settle window guards against late commits on the primary alone.

Replicas are picked at random per query. Migrations run on the primary only; replicas get
them by streaming replication.
"""

import contextvars
import random
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

# Whether the current request may read on a replica. The default (outside any request that
# the middleware marked) is the primary.
_public_read: contextvars.ContextVar[bool] = contextvars.ContextVar("registry_public_read", default=False)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def use_primary() -> None:
    """From now on in this request (or context), read on the primary."""
    _public_read.set(False)


def reads_on_replica() -> bool:
    return _public_read.get()


def _model_label(model: type[Model] | None) -> str:
    return model._meta.label if model is not None else ""


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        replicas = replica_aliases()
        if not replicas or not _public_read.get():
            return DEFAULT_DB_ALIAS
        if _model_label(model) in settings.DATABASE_PRIMARY_MODELS:
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in settings.DATABASE_PRIMARY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return str(instance._state.db)
        return random.choice(replicas)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        # The rest of the request reads what it wrote.
        _public_read.set(False)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Every database holds the same data (replicas are copies of the primary).
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def is_public_read(request: HttpRequest) -> bool:
    if request.method not in SAFE_METHODS:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    path = request.path_info
    return not any(path.startswith(prefix) for prefix in settings.DATABASE_PRIMARY_PATHS)


class ReadRoutingMiddleware:
    """Marks a request as a public read (replicas allowed) or not, for the router."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        token = _public_read.set(is_public_read(request))
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)
