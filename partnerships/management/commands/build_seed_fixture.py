"""manage.py build_seed_fixture: rebuild fixtures/seed.json from partnerships/seed.py (make seed-fixture)."""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from partnerships.models import (
    Activity,
    Citation,
    FocusArea,
    Locality,
    LocalityAlias,
    Organization,
    OrganizationRelationship,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)
from partnerships.seed import build_seed

# In dependency order, so loaddata can insert them one by one.
MODELS: list[type[models.Model]] = [
    Source,
    Locality,
    LocalityAlias,
    Organization,
    OrganizationRelationship,
    FocusArea,
    Partnership,
    StatusEvent,
    Activity,
    ReportedFigure,
    Citation,
]


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Rebuild fixtures/seed.json from partnerships/seed.py through the services. "
        "Run it on an empty database (e.g. DATABASE_URL=sqlite:///var/seed-build.sqlite3)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "fixtures" / "seed.json"))

    def handle(self, *args, output, **options):
        if any(model._default_manager.exists() for model in MODELS):
            raise CommandError("The database is not empty; build the seed fixture on an empty database.")
        try:
            with transaction.atomic():
                build_seed()
                data = serializers.serialize(
                    "json",
                    [obj for model in MODELS for obj in model._default_manager.order_by("pk")],
                    indent=1,
                    ensure_ascii=False,
                )
                raise _Rollback
        except _Rollback:
            pass
        Path(output).write_text(data + "\n", encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
