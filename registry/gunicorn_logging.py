"""gunicorn's logger for the registry (``logger_class`` in registry/gunicorn.conf.py).

gunicorn's access log is off by default, since the application writes one line per
request itself (registry.logs). When an operator turns it on (``GUNICORN_ACCESS_LOG``),
the health probes are left out of it, as they are of the application's log.
"""

from typing import Any

from gunicorn.glogging import Logger

QUIET_PATHS = frozenset({"/healthz", "/healthz/", "/readyz", "/readyz/"})


class RegistryLogger(Logger):
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if environ.get("PATH_INFO") in QUIET_PATHS:
            return
        super().access(resp, req, environ, request_time)
