"""manage.py import_partnerships FILE --source …: a CSV file in the import format."""

from django.core.management.base import BaseCommand, CommandError

from partnerships.importing.cli import add_import_options, history_user, run_import
from partnerships.importing.formats import ImportFileError, read_file
from partnerships.importing.service import SourceSpec


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
        parser.add_argument(
            "--both-sides",
            action="store_true",
            help="The file names each pair from both sides (as Wikidata does): a repeat is reported as "
            "the same partnership, not an error.",
        )
        add_import_options(
            parser,
            skip_bad_rows_help="Import the good rows and report the bad ones instead of importing nothing.",
        )

    def handle(
        self,
        *args,
        file,
        source,
        source_title,
        both_sides,
        dry_run,
        skip_bad_rows,
        user,
        no_progress,
        **options,
    ):
        acting = history_user(user)
        try:
            rows = read_file(file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        spec = SourceSpec.from_text(source, title=source_title)
        if not spec.title:
            raise CommandError("--source must not be empty.")
        run_import(
            self,
            no_progress=no_progress,
            verbosity=options["verbosity"],
            rows=rows,
            source=spec,
            dry_run=dry_run,
            skip_bad_rows=skip_bad_rows,
            user=acting,
            label=str(file).rsplit("/", 1)[-1],
            repeated_pairs="skip" if both_sides else "error",
        )
