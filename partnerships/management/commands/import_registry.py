"""manage.py import_registry DIR: restore a snapshot into an empty registry (see partnerships.exporting)."""

from django.core.management.base import BaseCommand, CommandError

from partnerships.exporting import SnapshotError, import_registry


class Command(BaseCommand):
    help = (
        "Restore a snapshot written by export_registry into an EMPTY registry (it refuses "
        "otherwise), in one transaction; database sequences are reset afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        try:
            counts = import_registry(directory)
        except SnapshotError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(counts.values())} records in {len(counts)} tables from {directory}."
            )
        )
