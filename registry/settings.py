"""Settings for the partnership registry.

Everything that differs between machines comes from the environment, read through the
small strict helpers below. The defaults suit development only: with DJANGO_DEBUG off,
every production setting must be given explicitly or start-up fails.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str:
    """A string setting; without a default the variable is required."""
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None


DEBUG = env_bool("DJANGO_DEBUG", True)

if DEBUG:
    # Development only: a fixed key is harmless on a developer's machine.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "django-insecure-development-only-key")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
    DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'registry.sqlite3'}")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
    if SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a real secret when DJANGO_DEBUG is off.")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off.")
    DATABASE_URL = env_str("DATABASE_URL")

if DATABASE_URL.startswith("sqlite:///"):
    (Path(DATABASE_URL.removeprefix("sqlite:///")).parent).mkdir(parents=True, exist_ok=True)

# Persistent connections: a new PostgreSQL connection costs about as much as a whole short
# request, so production keeps each one for a minute, checked before reuse (a connection the
# database dropped meanwhile, e.g. across a restart, is replaced instead of failing a request).
# Development keeps Django's default of one connection per request.
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60),
            conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
        )
    }
except ValueError as exc:  # dj_database_url's UnknownSchemeError is a ValueError
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL this registry can use: {exc}") from None
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
):
    raise ImproperlyConfigured(
        "DATABASE_URL must point at PostgreSQL (postgres://…) or SQLite (sqlite:///…)."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database answers within seconds (a 503, see registry.outage), not after
    # the operating system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)

# Read replicas (registry.routers): streaming replicas of the primary, comma-separated URLs.
# Public reads (anonymous GETs outside the admin and the change feed) go to one of them at
# random; every write, every read in a transaction or after a write, the admin, signed-in
# users and the change feed stay on the primary.
DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    try:
        _replica = dj_database_url.parse(
            _url,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=DATABASES["default"]["CONN_HEALTH_CHECKS"],
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: {_url!r} is not a database URL: {exc}") from None
    if (
        _replica["ENGINE"] != "django.db.backends.postgresql"
        or DATABASES["default"]["ENGINE"] != _replica["ENGINE"]
    ):
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS: replicas are PostgreSQL, of a PostgreSQL primary.")
    _replica.setdefault("OPTIONS", {})["connect_timeout"] = DATABASES["default"]["OPTIONS"]["connect_timeout"]
    # In tests a replica is the primary's test database (no second test database is made).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["registry.routers.PrimaryReplicaRouter"]
# Read on the primary whatever the request: these paths, apps and models (labels, so that a
# model may be named before it exists).
DATABASE_PRIMARY_PATHS = env_list("DATABASE_PRIMARY_PATHS", ["/admin/", "/api/v1/changes/"])
DATABASE_PRIMARY_APPS = ["admin", "auth", "authtoken", "sessions", "axes", "django_tasks_db"]
DATABASE_PRIMARY_MODELS = ["partnerships.FeedEntry", "partnerships.Job"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "partnerships",
    # Last, so that its system checks (the deployment ones) see every other app.
    "registry",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the collected static files in production, compressed and cache-busted.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # /healthz and /readyz, answered before anything below (no host check, throttle or log).
    "registry.health.HealthCheckMiddleware",
    # One log line per request, with its duration and request id (X-Request-ID).
    "registry.logs.RequestLogMiddleware",
    # A database outage is a 503 with Retry-After, not a 500 page.
    "registry.outage.DatabaseOutageMiddleware",
    # Public reads may go to a read replica (registry.routers); everything else to the primary.
    "registry.routers.ReadRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Lets the edit history record which user made each change (admin and API alike).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Admin login limits (django-axes): last, as axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "registry.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "registry.wsgi.application"
ASGI_APPLICATION = "registry.asgi.application"

# django-axes counts failed admin logins (in the database, so every process and server
# shares the count) and refuses further attempts once a client address reaches the limit.
AUTHENTICATION_BACKENDS = [
    "registry.auth.LoginLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "registry.clients.login_client_ip"
AXES_LOCKOUT_TEMPLATE = "registry/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# A successful login is not worth a row each; failures are (the admin lists them).
AXES_DISABLE_ACCESS_LOG = True
# The only login is the admin's: a refused or missing ?next= lands on the admin index.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# How many reverse proxies in front of the app append to X-Forwarded-For (nginx, a load
# balancer): the client address is that many entries from the right. 0 (the default): the
# header is ignored and the peer address counts, since any client can write the header.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured(f"NUM_PROXIES must be 0 or more; got {NUM_PROXIES}.")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_THROTTLE_RATE", "120/minute")},
    # The throttle counts per client address: X-Forwarded-For is believed only as far as
    # NUM_PROXIES says (0: ignored, REMOTE_ADDR counts). See registry.clients.
    "NUM_PROXIES": NUM_PROXIES,
    # Every API error is JSON of one shape: {"status", "detail", "errors"?}.
    "EXCEPTION_HANDLER": "partnerships.api.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# The change feed holds back entries younger than this many seconds (0: none). Entries are
# numbered in commit order, so no window is needed for correctness; a positive one only
# delays what clients see (e.g. to batch their polls).
API_CHANGES_SETTLE_SECONDS = float(env_str("API_CHANGES_SETTLE_SECONDS", "0"))

SPECTACULAR_SETTINGS = {
    "TITLE": "Partnership registry API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs load Swagger UI from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every parameter's schema as exact as the API's validation (partnerships.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partnerships.api.schema.exact_parameters",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LocalityKindEnum": "partnerships.models.Locality.Kind",
        "OrganizationKindEnum": "partnerships.models.Organization.Kind",
        "SourceKindEnum": "partnerships.models.Source.Kind",
        "ActivityKindEnum": "partnerships.models.Activity.Kind",
        "PartnershipKindEnum": "partnerships.models.Partnership.Level",
        "StatusEventKindEnum": "partnerships.models.StatusEvent.Kind",
    },
}

# Partner sites read the API from their own pages: GET from any origin, nothing else.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "X-Feed-Cursor"]

# "Suggest a correction": how many suggestions one client address may send per window.
# The count lives in the default cache (per process unless a shared cache is configured).
CORRECTIONS_PER_IP = env_int("CORRECTIONS_PER_IP", 5)
CORRECTIONS_WINDOW_SECONDS = env_int("CORRECTIONS_WINDOW_SECONDS", 3600)

# The shared cache: the API throttle, the corrections limit and anything else cached count
# in it. Without REDIS_URL each process has its own memory cache (fine for development; in
# production every worker would count separately, so check --deploy warns).
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, failing open: with Redis down, reads go on unthrottled.
            "BACKEND": "registry.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "registry"),
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_TIMEOUT_MS", 500) / 1000,
                "socket_timeout": env_int("REDIS_TIMEOUT_MS", 500) / 1000,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The job queue (django-tasks with its database backend, django-tasks-db): long work (admin
# imports, full exports) is enqueued as a row in the registry's own database and run by the
# worker, `manage.py db_worker` (`make worker`; docs/deploying.md). JOBS_DIR keeps each
# job's input and result files; PUBLISHED_EXPORTS_DIR the published full exports.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JOBS_DIR = Path(env_str("JOBS_DIR", str(BASE_DIR / "var" / "jobs")))
PUBLISHED_EXPORTS_DIR = Path(env_str("PUBLISHED_EXPORTS_DIR", str(BASE_DIR / "var" / "exports")))
# The site's public address, named by the URLs inside published exports (rendered by the
# worker, outside any request); default: https:// and the first of DJANGO_ALLOWED_HOSTS.
PUBLIC_URL = env_str("PUBLIC_URL", "")

# An outage answer's Retry-After (registry.outage).
OUTAGE_RETRY_AFTER_SECONDS = env_int("OUTAGE_RETRY_AFTER_SECONDS", 5)

# Security headers and cookies. Each comes from the environment; the defaults are those a
# production site behind an HTTPS proxy wants, and development keeps Django's own.
if not DEBUG:
    # The proxy terminates TLS and says so in X-Forwarded-Proto (it must overwrite the header).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Not redirected: load balancers' probes (plain HTTP), and the static files (public and
# immutable; the pages that use them are redirected, and HSTS keeps browsers on HTTPS).
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^static/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env_str("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = env_str("SECURE_CROSS_ORIGIN_OPENER_POLICY", "same-origin")
X_FRAME_OPTIONS = env_str("X_FRAME_OPTIONS", "DENY")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Content-Security-Policy (django-csp 4), in development too, so that the browser tests run
# under it. Every page loads its scripts and styles from our own static files, with no
# inline script, style or event handler; the API's Swagger UI page adds what it needs
# (partnerships.api: a per-view override). CSP_REPORT_ONLY=true sends it as
# Content-Security-Policy-Report-Only instead (to try a change on a live site first).
_CSP_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Who may frame the locality embed (/localities/<id>/embed/), the only page that may be
# framed: CSP frame-ancestors sources, comma-separated (default: any site).
EMBED_FRAME_ANCESTORS = env_list("EMBED_FRAME_ANCESTORS", ["*"])
if env_str("CSP_REPORT_URI", ""):
    _CSP_POLICY["DIRECTIVES"]["report-uri"] = [env_str("CSP_REPORT_URI")]
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP_POLICY
else:
    CONTENT_SECURITY_POLICY = _CSP_POLICY

# System checks an operator has decided to accept (e.g. "security.W021" without preload).
SILENCED_SYSTEM_CHECKS = env_list("DJANGO_SILENCED_SYSTEM_CHECKS", [])

# Logging: everything to stderr, each line with the request id it belongs to (or "-").
# LOG_FORMAT=json writes one JSON object per line instead. The request log (one line per
# request: method, path, status, duration, request id; logger registry.request) is on by
# default in production; development has runserver's own.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json; got {LOG_FORMAT!r}.")
REQUEST_LOG = env_bool("REQUEST_LOG", not DEBUG)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "registry.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "registry.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "registry.request": {
            "handlers": ["console"],
            "level": "INFO" if REQUEST_LOG else "WARNING",
            "propagate": False,
        },
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
