from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partnerships.importing.cli import ProgressBar, print_report
from partnerships.importing.formats import ImportFileError, read_file
from partnerships.importing.service import SourceSpec, import_partnerships


class Command(BaseCommand):
    help = (
        "Import partnerships from a CSV file in the import format (docs/import-format.md). "
        "Atomic: a row with an error stops the whole import unless --skip-bad-rows is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A CSV file (UTF-8, optionally .csv.gz) in the import format.")
        parser.add_argument(
            "--source",
            required=True,
            help="The source every row cites unless it names its own: a title or a URL.",
        )
        parser.add_argument("--source-title", default="", help="The source's title when --source is a URL.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Import the good rows and report the bad ones instead of importing nothing.",
        )
        parser.add_argument("--user", default="", help="Username recorded in the edit history.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def handle(self, *args, file, source, source_title, dry_run, skip_bad_rows, user, no_progress, **options):
        history_user = None
        if user:
            history_user = get_user_model().objects.filter(username=user).first()
            if history_user is None:
                raise CommandError(f"There is no user {user!r}.")
        try:
            rows = read_file(file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        spec = SourceSpec.from_text(source, title=source_title)
        if not spec.title:
            raise CommandError("--source must not be empty.")
        progress = ProgressBar(self.stderr._out, enabled=not no_progress and options["verbosity"] > 0)
        try:
            report = import_partnerships(
                rows=rows,
                source=spec,
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
                user=history_user,
                label=str(file).rsplit("/", 1)[-1],
                progress=progress,
            )
        finally:
            progress.close()
        print_report(self, report)
