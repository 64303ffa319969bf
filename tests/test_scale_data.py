"""generate_scale_data: its data satisfies every model rule (full_clean on a sample, the
database's constraints on every row, the services' timeline rules and derived status on
every partnership), at a small scale factor."""

import random

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from partnerships.models import Citation, Locality, LocalityAlias, Partnership, StatusEvent
from partnerships.scale import generate
from partnerships.services import validate_timeline
from partnerships.services.timeline import reported_status_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def scale_data():
    return generate(scale=0.004, seed=3, batch=40)


def test_scale_data_passes_every_model_constraint(scale_data):
    assert scale_data.partnerships == Partnership.objects.count() >= 90
    assert scale_data.events == StatusEvent.objects.count() >= 3 * scale_data.partnerships
    assert Locality.objects.count() == scale_data.localities and LocalityAlias.objects.exists()
    rng = random.Random(1)
    for model in (Locality, LocalityAlias, Partnership, StatusEvent, Citation):
        pks = list(model.objects.values_list("pk", flat=True))
        for record in model.objects.filter(pk__in=rng.sample(pks, min(25, len(pks)))):
            record.full_clean()  # fields, clean() and the model's constraints, with queries
    # Every timeline follows the services' rules, and the stored status is theirs.
    for partnership in Partnership.objects.prefetch_related("events"):
        events = list(partnership.events.all())
        validate_timeline(events)
        for name, value in reported_status_fields(events).items():
            assert getattr(partnership, name) == value, (partnership.pk, name)
    # Every fact cited: each partnership and each event.
    assert not Partnership.objects.annotate(n=Count("citations")).filter(n=0).exists()
    assert not StatusEvent.objects.annotate(n=Count("citations")).filter(n=0).exists()
    # Written with their edit history, as the import writes.
    assert Partnership.history.count() == scale_data.partnerships


def test_the_command_refuses_a_registry_with_partnerships(scale_data):
    with pytest.raises(CommandError, match="has partnerships already"):
        call_command("generate_scale_data", scale=0.001)
