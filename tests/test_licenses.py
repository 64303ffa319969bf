"""Issue 13, point 5: the registry's own licence, and each imported data set's licence and
attribution (CC BY-SA for Wikipedia-derived rows), on the pages and in the API."""

import pytest

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.importing.datasets import HEKMAN
from partnerships.models import Partnership, Source
from tests.apitools import get_json, unthrottled  # noqa: F401

from .factories import LocalityFactory, SourceFactory, cite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]


@pytest.fixture
def imported(db):
    """A partnership as the Hekman (Wikipedia-derived) import records it: cited to the data
    set's Source."""
    dataset = SourceFactory(url=HEKMAN.source.url, title=HEKMAN.source.title, kind=Source.Kind.DATASET)
    return services.create_partnership(
        locality_a=LocalityFactory(name="Ghent", country="BE"),
        locality_b=LocalityFactory(name="Kawasaki", country="JP"),
        citations=[cite(dataset, quote="Ghent – Kawasaki")],
    )


def test_an_imported_row_shows_the_wikipedia_licence(client, imported):
    text = client.get(imported.get_absolute_url()).text
    assert 'rel="license">CC BY-SA 4.0</a>' in text
    assert "credit Wikipedia contributors" in text and "share alike" in text
    assert 'rel="license">CC BY 4.0</a>' in text  # the registry's own record too
    detail = get_json(client, "partnership-detail", imported.pk)
    names = [licence["name"] for licence in detail["license"]]
    assert names == ["CC BY 4.0", "CC BY-SA 4.0"]
    assert detail["license"][1]["share_alike"] is True
    assert detail["license"][1]["url"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    source = imported.citations.get().source
    assert 'rel="license">CC BY-SA 4.0</a>' in client.get(source.get_absolute_url()).text


def test_a_curated_row_has_the_registry_licence_only(client, seed):
    seattle = Partnership.objects.matching("Tashkent").get()
    text = client.get(seattle.get_absolute_url()).text
    assert "CC BY-SA" not in text.split("<footer", 1)[0]
    assert 'rel="license">CC BY 4.0</a>' in text
    detail = get_json(client, "partnership-detail", seattle.pk)
    assert [licence["name"] for licence in detail["license"]] == ["CC BY 4.0"]


def test_every_page_names_the_data_licence(client, seed):
    from django.urls import reverse

    footer = client.get(reverse("partnerships:home")).text.split("<footer", 1)[1]
    assert "CC BY 4.0" in footer and "CC BY-SA 4.0" in footer


def test_the_schema_documents_the_license_field(client, db):
    from django.urls import reverse

    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    assert "license" in schema["components"]["schemas"]["PartnershipDetail"]["properties"]
    # The list's rows have it too (issue 13's leftover), as the same array of licences.
    row = schema["components"]["schemas"]["Partnership"]["properties"]["license"]
    assert row["type"] == "array" and row["items"]["$ref"].endswith("/License"), row


def test_the_list_rows_carry_each_rows_licences(client, seed, imported):
    # (seed first: its fixtures, loaded with their ids, would overwrite the data set's Source.)
    page = get_json(client, "partnership-list", page_size=200)
    by_id = {row["id"]: row for row in page["results"]}
    assert [licence["name"] for licence in by_id[imported.pk]["license"]] == ["CC BY 4.0", "CC BY-SA 4.0"]
    assert by_id[imported.pk]["license"] == get_json(client, "partnership-detail", imported.pk)["license"]
    curated = Partnership.objects.matching("Tashkent").get()
    assert [licence["name"] for licence in by_id[curated.pk]["license"]] == ["CC BY 4.0"]
    # Cited through a status event only: the data set's licence still applies.
    dataset = Source.objects.get(url=HEKMAN.source.url)
    services.record_status_event(
        partnership=curated,
        status="active",
        effective=PartialDate.parse("2003"),
        kind="attestation",
        citations=[cite(dataset, quote="Seattle – Tashkent")],
    )
    row = next(
        r for r in get_json(client, "partnership-list", q="Tashkent")["results"] if r["id"] == curated.pk
    )
    assert [licence["name"] for licence in row["license"]] == ["CC BY 4.0", "CC BY-SA 4.0"]
