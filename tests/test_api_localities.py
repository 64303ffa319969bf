"""GET /api/v1/localities/ and /{id}/."""

import pytest

from partnerships import services
from partnerships.models import Locality
from tests.apitools import get_json, ids, unthrottled  # noqa: F401
from tests.factories import LocalityFactory, SourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]


def test_list_shape_and_order(client, seed):
    page = get_json(client, "locality-list", page_size=200)
    assert page["count"] == Locality.objects.count()
    names = [row["name"] for row in page["results"]]
    assert names == sorted(names)
    kharkiv = next(row for row in page["results"] if row["name"] == "Kharkiv")
    assert kharkiv["country"] == "UA" and kharkiv["kind"] == "city"
    assert kharkiv["latitude"] == pytest.approx(49.9935)
    assert kharkiv["url"].endswith(f"/api/v1/localities/{kharkiv['id']}/")
    assert kharkiv["html_url"].endswith(f"/localities/{kharkiv['id']}/")


@pytest.mark.parametrize("text", ["Kharkov", "kharkiv", "Харьков"])
def test_q_matches_names_and_aliases(client, seed, text):
    assert [row["name"] for row in get_json(client, "locality-list", q=text)["results"]] == ["Kharkiv"]


def test_country_and_kind_filters(client, seed):
    page = get_json(client, "locality-list", country="KZ", page_size=200)
    assert {row["country"] for row in page["results"]} == {"KZ"} and page["count"] == 2
    regions = get_json(client, "locality-list", kind="region", page_size=200)
    assert {row["kind"] for row in regions["results"]} == {"region"}
    assert regions["count"] == Locality.objects.filter(kind="region").count() > 0
    both = get_json(client, "locality-list", kind="region", country="US", page_size=200)
    assert {row["name"] for row in both["results"]} >= {"Iowa", "Maryland"}


def test_detail_has_aliases_and_partnerships(client, seed):
    detail = get_json(client, "locality-detail", pk=31)
    assert detail["name"] == "Kharkiv"
    assert {alias["name"] for alias in detail["aliases"]} == {"Kharkov", "Харьков"}
    assert set(detail["aliases"][0]) == {"name", "kind", "language", "valid_from", "valid_to"}
    [partnership] = detail["partnerships"]
    assert partnership["id"] == 15
    assert partnership["partner"]["name"] == "Cincinnati"
    assert partnership["status"] == "active"


def test_detail_has_its_citations(client, db):
    locality = LocalityFactory()
    assert get_json(client, "locality-detail", pk=locality.pk)["citations"] == []
    source = SourceFactory(title="A data set", url="https://example.org/set.csv")
    services.add_citation(
        citation=services.CitationInput(source=source, quote="", locator="row 7"), locality=locality
    )
    [citation] = get_json(client, "locality-detail", pk=locality.pk)["citations"]
    assert citation["locator"] == "row 7"
    assert (citation["source"]["id"], citation["source"]["title"], citation["source"]["url"]) == (
        source.pk,
        "A data set",
        "https://example.org/set.csv",
    )


def test_unknown_locality_is_a_json_404(client, db):
    assert get_json(client, "locality-detail", pk=10**20, expect=404)["status"] == 404


@pytest.mark.parametrize("count", [1, 101])
def test_a_fixed_number_of_queries(client, db, django_assert_max_num_queries, count):
    LocalityFactory.create_batch(count)
    with django_assert_max_num_queries(3):
        page = get_json(client, "locality-list", page_size=min(count, 100))
    assert len(ids(page)) == min(count, 100)
