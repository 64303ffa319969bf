"""manage.py import_dataset NAME: one of the bundled public data sets."""

from django.core.management.base import BaseCommand, CommandError

from partnerships.importing.cli import add_import_options, history_user, run_import
from partnerships.importing.datasets import DATASETS
from partnerships.importing.formats import ImportFileError


class Command(BaseCommand):
    help = (
        "Import one of the bundled public data sets (fixtures/datasets/): hekman (about 26,000 "
        "pairs worldwide, from Wikipedia) or muenchdo (6,900 German partnerships with start year "
        "and type). Each imported partnership cites the data set as its source."
    )

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=sorted(DATASETS))
        parser.add_argument(
            "path", nargs="?", help="The data set file (default: the copy in fixtures/datasets/)."
        )
        parser.add_argument("--limit", type=int, default=None, help="Only the first N rows.")
        add_import_options(
            parser,
            skip_bad_rows_help="Import the good rows and report the bad ones (the real files have a few).",
        )

    def handle(self, *args, dataset, path, limit, dry_run, skip_bad_rows, user, no_progress, **options):
        adapter = DATASETS[dataset]
        acting = history_user(user)
        try:
            rows = list(adapter.rows(path, limit=limit))
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        run_import(
            self,
            no_progress=no_progress,
            verbosity=options["verbosity"],
            rows=rows,
            source=adapter.source,
            dry_run=dry_run,
            skip_bad_rows=skip_bad_rows,
            user=acting,
            label=f"the {dataset} data set",
            # The Wikipedia lists name a pair under each of its two countries.
            repeated_pairs="skip",
            known_bad_rows=adapter.known_bad_rows if path is None else {},
        )
