"""manage.py export_registry DIR: write a snapshot of the whole registry (see partnerships.exporting)."""

from django.core.management.base import BaseCommand

from partnerships.exporting import export_registry, snapshot_summary


class Command(BaseCommand):
    help = (
        "Write a snapshot of the whole registry (every record, its edit history and citations) "
        "into DIR: snapshot.json, csv/<model>.csv and manifest.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--date",
            default=None,
            help="The export date written into the manifest (default: the date of the latest edit, "
            "so that exports of the same data are identical).",
        )

    def handle(self, *args, directory, date, **options):
        manifest = export_registry(directory, exported_at=date)
        self.stdout.write(self.style.SUCCESS(f"Exported {snapshot_summary(manifest)} to {directory}."))
