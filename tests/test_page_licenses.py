"""Issue 13, point 5 on the listing pages: each row imported from a data set names that
data set's licence (CC BY-SA 4.0 for Wikipedia-derived rows) on the list, the locality
and the country pages; the locality's API detail carries its ``license``."""

import pytest
from django.urls import reverse

from partnerships import services
from partnerships.importing.datasets import HEKMAN
from partnerships.models import Source
from tests.apitools import get_json, unthrottled  # noqa: F401

from .factories import LocalityFactory, SourceFactory, cite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]

TAG = 'class="tag licence" href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license"'


@pytest.fixture
def rows(db):
    dataset = SourceFactory(url=HEKMAN.source.url, title=HEKMAN.source.title, kind=Source.Kind.DATASET)
    ghent = LocalityFactory(name="Ghent", country="BE")
    services.add_citation(citation=cite(dataset, quote="Ghent"), locality=ghent)
    imported = services.create_partnership(
        locality_a=ghent,
        locality_b=LocalityFactory(name="Kawasaki", country="JP"),
        citations=[cite(dataset, quote="Ghent – Kawasaki")],
    )
    curated = services.create_partnership(
        locality_a=ghent, locality_b=LocalityFactory(name="Liverpool", country="GB"), citations=[cite()]
    )
    return ghent, imported, curated


def _row(text: str, name: str) -> str:
    start = text.index(name)
    return text[start : text.index("</tr>", start)]


@pytest.mark.parametrize(
    "page",
    [
        lambda ghent: reverse("partnerships:partnership-list"),
        lambda ghent: ghent.get_absolute_url(),
        lambda ghent: reverse("partnerships:country-detail", kwargs={"code": "BE"}),
    ],
    ids=["list", "locality", "country"],
)
def test_imported_rows_name_their_licence(client, rows, page):
    ghent, _imported, _curated = rows
    text = client.get(page(ghent)).text
    assert TAG in _row(text, "Ghent – Kawasaki")
    assert "CC BY-SA" not in _row(text, "Ghent – Liverpool")


def test_locality_page_and_api_name_the_locality_licences(client, rows):
    ghent = rows[0]
    text = client.get(ghent.get_absolute_url()).text
    section = text[text.index('<section class="licenses"') :]
    assert 'rel="license">CC BY 4.0</a>' in section and 'rel="license">CC BY-SA 4.0</a>' in section
    detail = get_json(client, "locality-detail", ghent.pk)
    assert [licence["name"] for licence in detail["license"]] == ["CC BY 4.0", "CC BY-SA 4.0"]
    plain = get_json(client, "locality-detail", rows[2].locality_b_id)
    assert [licence["name"] for licence in plain["license"]] == ["CC BY 4.0"]
