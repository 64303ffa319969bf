from django.core.management import call_command
from django.core.management.base import BaseCommand

from partnerships.models import Locality, Partnership


class Command(BaseCommand):
    help = "Load the seed fixtures into an empty registry; leave a registry that has data untouched."

    def handle(self, *args, **options):
        if Partnership.objects.exists() or Locality.objects.exists():
            self.stdout.write("The registry already has data; seed fixtures not loaded.")
            return
        call_command("loaddata", "seed", verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the seed data: {Partnership.objects.count()} partnerships.")
        )
