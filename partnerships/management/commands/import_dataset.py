from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partnerships.importing.cli import ProgressBar, print_report
from partnerships.importing.datasets import DATASETS
from partnerships.importing.formats import ImportFileError
from partnerships.importing.service import import_partnerships


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
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Import the good rows and report the bad ones (the real files have a few).",
        )
        parser.add_argument("--user", default="", help="Username recorded in the edit history.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, dataset, path, limit, dry_run, skip_bad_rows, user, no_progress, **options):
        adapter = DATASETS[dataset]
        history_user = None
        if user:
            history_user = get_user_model().objects.filter(username=user).first()
            if history_user is None:
                raise CommandError(f"There is no user {user!r}.")
        try:
            rows = list(adapter.rows(path, limit=limit))
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        progress = ProgressBar(self.stderr._out, enabled=not no_progress and options["verbosity"] > 0)
        try:
            report = import_partnerships(
                rows=rows,
                source=adapter.source,
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
                user=history_user,
                label=f"the {dataset} data set",
                progress=progress,
                # The Wikipedia lists name a pair under each of its two countries.
                repeated_pairs="skip",
            )
        finally:
            progress.close()
        print_report(self, report)
