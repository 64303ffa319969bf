"""A database outage answered as one: 503 with Retry-After, never a 500 traceback page.

When PostgreSQL is down or restarting, every query raises ``OperationalError`` (or
``InterfaceError`` on a connection that died meanwhile). Views let it propagate (DRF
re-raises exceptions that are not API exceptions), and ``DatabaseOutageMiddleware``
turns it into a 503: JSON of the API's error shape under ``/api/``, ``templates/503.html``
elsewhere, with ``Retry-After``. Django closes the broken connection at the end of the
request, and the next request connects afresh: once the database is back the site is too.

The same answer covers an outage hit outside a view (in a middleware, e.g. loading the
session): Django's 500 handler (``handler500`` in registry.urls) looks at the exception
being handled and gives the 503 instead when it is a database outage.
"""

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import server_error

logger = logging.getLogger("registry.outage")

OUTAGE_ERRORS = (OperationalError, InterfaceError)

DETAIL = "The registry's database is not reachable at the moment. Please try again shortly."


def outage_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.warning(
        "Database unavailable for %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"status": 503, "detail": DETAIL}, status=503)
    else:
        # Rendered without the request: no context processor may touch the database.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(settings.OUTAGE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above, once, without a traceback: not again as a server error by django.request.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OUTAGE_ERRORS):
            return outage_response(request, exception)
        return None


def handler500(request: HttpRequest) -> HttpResponse:
    """Django's 500 view, except for a database outage met outside a view."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OUTAGE_ERRORS):
        return outage_response(request, exc)
    return server_error(request)
