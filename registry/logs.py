"""Request ids and the request log.

Every request has an id: the ``X-Request-ID`` the proxy sent (nginx's ``$request_id``,
a load balancer's) when it is a plausible one, else a new one. It is returned in the
``X-Request-ID`` response header and stamped on every log record made while the request
is handled (``RequestIdFilter``), so an error on stderr can be matched to the request and
to the proxy's own log.

``RequestLogMiddleware`` writes one line per request to the ``registry.request`` logger:
method, path, status, duration (until the last byte, for streamed exports too) and the id.
``JsonFormatter`` writes records as one JSON object per line (``LOG_FORMAT=json``).
"""

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

from .clients import client_ip

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_PLAUSIBLE_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

request_logger = logging.getLogger("registry.request")

# The fields a request log record carries besides its message (for JSON lines).
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "client")


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id``: the id of the request being handled, or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _PLAUSIBLE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id

        def log_request() -> None:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            request_logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "client": client_ip(request),
                    "request_id": request_id,
                },
            )
            try:
                request_id_var.reset(token)
            except ValueError:  # closed in another context than it was opened in
                request_id_var.set("-")

        # The server closes the response once the last byte is sent (a streamed export
        # included): the line is written then, with the whole duration.
        response._resource_closers.append(log_request)  # type: ignore[attr-defined]
        return response
