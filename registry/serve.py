"""``make serve``: check that the deployment can run, then hand over to gunicorn.

In order, each failure stopping start-up with one clear message (exit status 2):

1. the settings load: every production setting is given (registry/settings.py fails on a
   missing one) and DJANGO_DEBUG is off (``make run`` is the development server);
2. ``manage.py check --deploy --fail-level WARNING``: no warning at all;
3. every migration is applied (the database is reachable; run ``manage.py migrate`` first:
   with several app servers, migrating is a deployment step, not each server's);
4. ``collectstatic --noinput`` (WhiteNoise serves the collected, hashed files);

then the process becomes gunicorn with registry/gunicorn.conf.py (``exec``: the same pid,
so that systemd's signals reach gunicorn). Extra arguments are passed on to gunicorn.
"""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CONFIG = BASE_DIR / "registry" / "gunicorn.conf.py"
DOCS = "docs/deploying.md"


def refuse(message: str) -> int:
    print(f"make serve: not starting: {message}", file=sys.stderr)
    return 2


def say(message: str) -> None:
    print(f"make serve: {message}", file=sys.stderr, flush=True)


def preflight() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        return refuse(f"{exc}\n  Every setting is listed in {DOCS} and README.md (Settings).")

    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
    from django.db.migrations.executor import MigrationExecutor

    if settings.DEBUG:
        return refuse(
            "DJANGO_DEBUG is on. `make serve` is the production server: set DJANGO_DEBUG=false "
            f"and the production settings ({DOCS}). `make run` is the development server."
        )
    try:
        call_command("check", deploy=True, fail_level="WARNING")
    except SystemCheckError as exc:
        return refuse(
            f"manage.py check --deploy found problems:\n{exc}\n"
            "  Fix the settings named, or accept a warning deliberately with "
            "DJANGO_SILENCED_SYSTEM_CHECKS (see docs/deploying.md)."
        )
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return refuse(f"the database is not reachable: {type(exc).__name__}: {str(exc).strip()}")
    if plan:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:5])
        return refuse(
            f"{len(plan)} migration(s) not applied ({names}{' …' if len(plan) > 5 else ''}).\n"
            "  Run `.venv/bin/python manage.py migrate` first (once per deployment, before "
            "the servers start)."
        )
    say("deployment checks passed, every migration applied")
    call_command("collectstatic", interactive=False, verbosity=0)
    say(f"static files collected in {settings.STATIC_ROOT}")
    connections.close_all()
    return 0


def main(argv: list[str]) -> int:
    os.chdir(BASE_DIR)
    status = preflight()
    if status:
        return status
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), *argv])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
