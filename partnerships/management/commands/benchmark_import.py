"""Import a bundled data set into a throw-away database and print how fast it went.

The import runs in a child process pointed at a fresh database (a new PostgreSQL
database beside the configured one, or a temporary SQLite file), so the configured
registry is never touched and the measured peak memory is the import's alone."""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from partnerships.importing.datasets import DATASETS
from partnerships.importing.service import import_partnerships
from partnerships.models import Locality, Partnership


class Command(BaseCommand):
    help = (
        "Benchmark: import a bundled data set (default: hekman, ~26,000 pairs) into a fresh "
        "throw-away database and print rows, seconds, rows per second and peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "datasets",
            nargs="*",
            default=["hekman"],
            help=f"Data sets, in order: {', '.join(sorted(DATASETS))}.",
        )
        parser.add_argument("--keep", action="store_true", help="Keep the throw-away database afterwards.")
        parser.add_argument("--limit", type=int, default=None, help="Only the first N rows of each data set.")
        # Internal: the child process that runs in the fresh database.
        parser.add_argument("--in-fresh-database", action="store_true", help="(internal)")

    def handle(self, *args, datasets, keep, limit, in_fresh_database, **options):
        unknown = [d for d in datasets if d not in DATASETS]
        if unknown:
            raise CommandError(
                f"Unknown data set(s): {', '.join(unknown)}; choose from {', '.join(sorted(DATASETS))}."
            )
        if in_fresh_database:
            return self._run_here(datasets, limit)
        url, drop = self._fresh_database()
        try:
            env = {**os.environ, "DATABASE_URL": url}
            child = subprocess.run(
                [
                    sys.executable,
                    str(Path(settings.BASE_DIR) / "manage.py"),
                    "benchmark_import",
                    *datasets,
                    "--in-fresh-database",
                    *(["--limit", str(limit)] if limit else []),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode != 0:
                raise CommandError(f"The benchmark failed:\n{child.stderr[-3000:]}")
            results = json.loads(child.stdout.strip().splitlines()[-1])
        finally:
            if keep:
                self.stdout.write(f"Kept the benchmark database: {url}")
            else:
                drop()
        self._print(results, connection.vendor)

    # ------------------------------------------------------------------ the parent

    def _fresh_database(self):
        if connection.vendor == "postgresql":
            name = f"{connection.settings_dict['NAME']}_bench_{uuid.uuid4().hex[:8]}"
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')

            def drop_database() -> None:
                with connection._nodb_cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')

            parts = urlsplit(settings.DATABASE_URL)
            return urlunsplit(parts._replace(path=f"/{name}")), drop_database
        handle, path = tempfile.mkstemp(prefix="registry-bench-", suffix=".sqlite3")
        os.close(handle)

        def drop_file() -> None:
            Path(path).unlink(missing_ok=True)

        return f"sqlite:///{path}", drop_file

    def _print(self, results, vendor):
        header = f"{'data set':<10} {'rows':>7} {'created':>8} {'seconds':>8} {'rows/s':>8} {'peak MB':>8}"
        self.stdout.write(f"Import benchmark on {vendor} (fresh database, batched writes with history)")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in results["datasets"]:
            self.stdout.write(
                f"{r['dataset']:<10} {r['rows']:>7} {r['created']:>8} {r['seconds']:>8.1f} "
                f"{r['rows'] / r['seconds']:>8.0f} {results['peak_mb']:>8.0f}"
            )
        self.stdout.write(
            f"Peak memory is the importing process's maximum resident set size ({results['peak_mb']:.0f} MB), "
            f"Django included; {results['localities']} localities and {results['partnerships']} partnerships written."
        )

    # ------------------------------------------------------------------- the child

    def _run_here(self, datasets, limit):
        if self._migrated() and Partnership.objects.exists():
            raise CommandError("--in-fresh-database needs an empty database.")
        call_command("migrate", verbosity=0)
        results = []
        for name in datasets:
            dataset = DATASETS[name]
            started = time.perf_counter()
            rows = list(dataset.rows(limit=limit))
            report = import_partnerships(
                rows=rows,
                source=dataset.source,
                skip_bad_rows=True,
                repeated_pairs="skip",
                label=f"the {name} data set (benchmark)",
            )
            seconds = time.perf_counter() - started
            results.append(
                {"dataset": name, "rows": report.rows, "created": report.created, "seconds": seconds}
            )
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.stdout.write(
            json.dumps(
                {
                    "datasets": results,
                    "peak_mb": peak_kb / 1024,
                    "localities": Locality.objects.count(),
                    "partnerships": Partnership.objects.count(),
                }
            )
        )

    @staticmethod
    def _migrated() -> bool:
        return Partnership._meta.db_table in connection.introspection.table_names()
