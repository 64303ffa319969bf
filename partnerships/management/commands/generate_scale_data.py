"""``manage.py generate_scale_data [--scale 10]``: a registry N times the bundled data set,
for benchmarks (partnerships/scale.py says how it is made). Refuses a registry that holds
partnerships already unless ``--add``."""

import time

from django.core.management.base import BaseCommand, CommandError

from partnerships.models import Partnership
from partnerships.scale import generate


class Command(BaseCommand):
    help = "Generate scale data: N× the bundled Wikipedia data set (10: ~250,000 partnerships)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=10.0, help="How many times the data set (default 10)."
        )
        parser.add_argument("--seed", type=int, default=15, help="Random seed (the same data every time).")
        parser.add_argument("--add", action="store_true", help="Add to a registry that has partnerships.")

    def handle(self, *args, scale, seed, add, verbosity=1, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        if Partnership.objects.exists() and not add:
            raise CommandError("The registry has partnerships already: use an empty database, or --add.")
        started = time.monotonic()

        def progress(stage, done, total):
            if verbosity >= 2 or done == total:
                self.stdout.write(f"{stage}: {done:,}/{total:,} ({time.monotonic() - started:.0f} s)")

        counts = generate(scale=scale, seed=seed, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {counts.localities:,} localities ({counts.aliases:,} aliases), "
                f"{counts.partnerships:,} partnerships, {counts.events:,} status events and "
                f"{counts.citations:,} citations in {time.monotonic() - started:.0f} s."
            )
        )
