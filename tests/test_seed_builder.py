"""fixtures/seed.json must be exactly what partnerships/seed.py builds."""

import json
from pathlib import Path

import pytest
from django.core import serializers
from django.core.management import call_command

from partnerships.management.commands.build_seed_fixture import MODELS
from partnerships.models import Partnership
from partnerships.seed import build_seed

ROOT = Path(__file__).resolve().parent.parent


def _content(objects):
    """Serialised records without the timestamps that record when the fixture was built."""
    records = json.loads(serializers.serialize("json", objects))
    for record in records:
        for field in ("created_at", "updated_at", "recorded_at"):
            record["fields"].pop(field, None)
    return records


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_fixture_is_what_the_seed_builder_makes():
    """fixtures/seed.json is generated from partnerships/seed.py (make seed-fixture);
    the two must not drift apart."""
    fixture = json.loads((ROOT / "fixtures" / "seed.json").read_text(encoding="utf-8"))
    build_seed()
    built = _content([obj for model in MODELS for obj in model.objects.order_by("pk")])
    for record in fixture:
        for field in ("created_at", "updated_at", "recorded_at"):
            record["fields"].pop(field, None)
    assert built == fixture


@pytest.mark.django_db
def test_load_seed_loads_once_and_never_overwrites(capsys):
    call_command("load_seed")
    assert Partnership.objects.count() == 18
    Partnership.objects.filter(level="partnership").update(description="edited by staff")
    call_command("load_seed")
    assert "already has data" in capsys.readouterr().out
    assert Partnership.objects.filter(description="edited by staff").count() == 1


@pytest.mark.django_db
def test_load_seed_starts_each_records_history():
    call_command("load_seed")
    partnership = Partnership.objects.get(pk=1)
    assert partnership.history.count() == 1
    assert partnership.history.get().history_type == "+"
