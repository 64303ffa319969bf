"""gunicorn's configuration for the registry, every value from the environment.

``make serve`` (``python -m registry.serve``) runs ``gunicorn -c registry/gunicorn.conf.py
registry.wsgi``. Variables (all optional; docs/deploying.md explains each):

GUNICORN_BIND             127.0.0.1:8000   address:port, or unix:/run/registry/gunicorn.sock
GUNICORN_WORKERS          2 × CPUs + 1     worker processes (WEB_CONCURRENCY is read too)
GUNICORN_THREADS          4                threads per worker (gthread worker; 1: sync worker)
GUNICORN_TIMEOUT          60               seconds a worker may be silent before it is restarted
GUNICORN_GRACEFUL_TIMEOUT 120              seconds running requests get to finish on reload/stop
GUNICORN_KEEPALIVE        5                seconds an idle keep-alive connection is kept
GUNICORN_MAX_REQUESTS     1000             requests before a worker is replaced (0: never) …
GUNICORN_MAX_REQUESTS_JITTER 100           … plus up to this many, so workers are not replaced at once
GUNICORN_ACCESS_LOG       (off)            "-" for stdout, or a file; the app logs each request anyway
GUNICORN_CONTROL_SOCKET   (off)            a path: gunicorn's control socket for gunicornc

Why threads: a streamed export (a full CSV or GeoJSON) takes as long as the client takes to
read it. With the threaded worker the worker's main loop keeps answering the master while
a thread streams, so the timeout above never cuts an export off, and the other threads
(and workers) go on answering; with sync workers each export would hold a whole worker and
be killed at the timeout. Each thread holds its own database connection (kept for
DATABASE_CONN_MAX_AGE): workers × threads connections per server.
"""

import multiprocessing
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number; got {value!r}.") from None


wsgi_app = "registry.wsgi:application"
chdir = str(Path(__file__).resolve().parent.parent)
bind = [os.environ.get("GUNICORN_BIND", "").strip() or "127.0.0.1:8000"]
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 120)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The heartbeat file on a memory file system: on a busy disk, fchmod can block a worker.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"

# Logs: gunicorn's own messages to stderr; its access log only when asked for, with the
# duration in microseconds and the application's request id.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "").strip() or None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'
logger_class = "registry.gunicorn_logging.RegistryLogger"
if os.environ.get("LOG_FORMAT", "text") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "registry.logs.JsonFormatter"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }

# gunicorn's control socket (new in gunicorn 25) defaults to one path per user, which two
# servers on one machine would share: off unless a path is given.
control_socket_path = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if control_socket_path:
    control_socket = control_socket_path
else:
    control_socket_disable = True

# The proxy in front sets X-Forwarded-Proto; Django reads it (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "registry"
