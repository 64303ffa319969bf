"""GET /api/v1/sources/ and /{id}/: each source with what cites it."""

import pytest

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Source
from tests.apitools import get_json, unthrottled  # noqa: F401
from tests.factories import LocalityFactory, SourceFactory, cite, partnership_with_history

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]


def test_each_source_says_what_cites_it(client, db):
    source = SourceFactory(title="The Gazette report")
    partnership = partnership_with_history(("active", "1995"))
    services.add_citation(citation=cite(source, "signed in 1995"), partnership=partnership)
    event = services.record_status_event(
        partnership=partnership,
        status="suspended",
        effective=PartialDate.parse("2022"),
        citations=[cite(source, "suspended")],
    )
    detail = get_json(client, "source-detail", pk=source.pk)
    assert detail["title"] == "The Gazette report"
    assert detail["url"] == source.url
    assert detail["published"]["precision"] == "day"
    claims = {(c["claim"], c["claim_id"], c["partnership"], c["quote"]) for c in detail["cited_by"]}
    assert claims == {
        ("partnership", partnership.pk, partnership.pk, "signed in 1995"),
        ("status_event", event.pk, partnership.pk, "suspended"),
    }


def test_a_source_says_which_localities_it_is_cited_for(client, db):
    source = SourceFactory(title="A data set")
    locality = LocalityFactory()
    services.add_citation(citation=cite(source, "a town"), locality=locality)
    [claim] = get_json(client, "source-detail", pk=source.pk)["cited_by"]
    assert (claim["claim"], claim["claim_id"], claim["partnership"], claim["quote"]) == (
        "locality",
        locality.pk,
        None,
        "a town",
    )


def test_list_filters(client, seed):
    page = get_json(client, "source-list", page_size=200)
    assert page["count"] == Source.objects.count() == 5
    assert all(row["cited_by"] for row in page["results"])
    cited_on_18 = get_json(client, "source-list", partnership=18)
    assert [row["id"] for row in cited_on_18["results"]] == [5]
    assert (
        get_json(client, "source-list", published_after="2025")["count"]
        == Source.objects.filter(published_on__year__gte=2025).count()
    )
    assert get_json(client, "source-list", q="Kherson")["results"][0]["id"] == 5


@pytest.mark.parametrize("count", [1, 101])
def test_a_fixed_number_of_queries(client, db, django_assert_max_num_queries, count):
    partnership = partnership_with_history(("active", "1995"))
    for source in SourceFactory.create_batch(count):
        services.add_citation(citation=cite(source), partnership=partnership)
    with django_assert_max_num_queries(4):
        page = get_json(client, "source-list", page_size=min(count + 1, 100))
    assert all(row["cited_by"] for row in page["results"])
