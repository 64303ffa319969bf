"""manage.py load_seed: load the curated seed fixture into an empty registry."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from simple_history.utils import get_history_manager_for_model

from partnerships.management.commands.build_seed_fixture import MODELS
from partnerships.models import Locality, Partnership


class Command(BaseCommand):
    help = "Load the seed fixtures into an empty registry; leave a registry that has data untouched."

    def handle(self, *args, **options):
        if Partnership.objects.exists() or Locality.objects.exists():
            self.stdout.write("The registry already has data; seed fixtures not loaded.")
            return
        with transaction.atomic():
            call_command("loaddata", "seed", verbosity=0)
            # loaddata saves raw, which the edit history skips, but then sets the
            # many-to-many fields, which it records as changes. Start every seed record's
            # history afresh with one "created" version instead.
            for model in MODELS:
                history = get_history_manager_for_model(model)
                history.all().delete()
                history.bulk_history_create(
                    list(model._default_manager.order_by("pk")), default_change_reason="Seed data"
                )
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the seed data: {Partnership.objects.count()} partnerships.")
        )
