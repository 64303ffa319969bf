"""Benchmark the change feed: a 200-entry page at demo scale and at 10x, against a raw-SQL floor.

Inside one transaction that is rolled back at the end (nothing is kept; the entries are
invisible to every other connection meanwhile), the command fills the change log with
synthetic entries — records of every type, mostly updates, as the demo data's history
gives — then times ``GET /api/v1/changes/?since=<cursor>&page_size=200`` through the
whole Django stack (middleware, view, JSON rendering) at the start, the middle and the
end of the log, and beside it the floor: the same rows by one raw SQL query, encoded with
``json.dumps``. It prints the median milliseconds of each, and the ratio."""

import datetime
import json
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle

from partnerships.models import FeedEntry

TYPES = ["partnership", "locality", "organization", "source", "reported_figure"]
TARGET_MS = 50.0


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark: change-feed pages of 200 entries at demo scale and at 10x (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--entries",
            type=int,
            nargs="+",
            default=[60_000, 600_000],
            help="Log sizes to measure (default: the demo data's ~60,000 records, and 10x).",
        )
        parser.add_argument("--repeat", type=int, default=25, help="Requests per measurement.")

    def handle(self, *args, entries, repeat, **options):
        AnonRateThrottle.THROTTLE_RATES = {"anon": None}
        host = next(
            (h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")), "testserver"
        )
        client = Client(SERVER_NAME=host.strip("[]"))
        rows = []
        try:
            with transaction.atomic():
                existing = FeedEntry.objects.count()
                for size in sorted(entries):
                    self._fill(size - (FeedEntry.objects.count() - existing))
                    first = FeedEntry.objects.order_by("id").values_list("id", flat=True).first() or 0
                    last = FeedEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
                    for label, cursor in (
                        ("start", first),
                        ("middle", (first + last) // 2),
                        ("end", last - 201),
                    ):
                        api = self._time(repeat, lambda c=cursor: self._page(client, c))
                        floor = self._time(repeat, lambda c=cursor: self._floor(c))
                        rows.append((size, label, api, floor))
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(f"{'entries':>9} {'page at':>8} {'API ms':>8} {'floor ms':>9} {'ratio':>6}  target")
        for size, label, api, floor in rows:
            verdict = "ok" if api <= TARGET_MS else "MISSED"
            self.stdout.write(
                f"{size:>9,} {label:>8} {api:>8.1f} {floor:>9.2f} {api / floor:>6.1f}  ≤{TARGET_MS:.0f} ms {verdict}"
            )
        self.stdout.write(f"({connection.vendor}; median of {repeat} requests; 200 entries a page)")

    def _fill(self, count):
        if count <= 0:
            return
        start = timezone.now() - datetime.timedelta(days=365)
        batch = []
        for n in range(count):
            batch.append(
                FeedEntry(
                    committed_at=start + datetime.timedelta(seconds=n),
                    record_type=TYPES[n % len(TYPES)],
                    record_id=1 + n // 3,
                    action="created" if n % 3 == 0 else "updated",
                )
            )
            if len(batch) == 5000:
                FeedEntry.objects.bulk_create(batch)
                batch = []
        FeedEntry.objects.bulk_create(batch)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE partnerships_feedentry")

    @staticmethod
    def _time(repeat, function):
        function()  # warm up
        samples = []
        for _ in range(repeat):
            began = time.perf_counter()
            function()
            samples.append((time.perf_counter() - began) * 1000)
        return statistics.median(samples)

    @staticmethod
    def _page(client, cursor):
        response = client.get("/api/v1/changes/", {"since": str(cursor), "page_size": 200})
        assert response.status_code == 200, response.status_code
        assert len(response.json()["results"]) == 200

    @staticmethod
    def _floor(cursor):
        with connection.cursor() as cursor_:
            cursor_.execute(
                "SELECT id, committed_at, record_type, record_id, action FROM partnerships_feedentry "
                "WHERE id > %s ORDER BY id LIMIT 200",
                [cursor],
            )
            rows = cursor_.fetchall()
        body = json.dumps(
            [
                {"seq": r[0], "changed_at": r[1].isoformat(), "type": r[2], "id": r[3], "action": r[4]}
                for r in rows
            ]
        )
        assert len(rows) == 200 and body
