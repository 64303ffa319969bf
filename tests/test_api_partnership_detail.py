"""GET /api/v1/partnerships/{id}/: events with citations, own citations, activities."""

import pytest

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Partnership
from tests.apitools import get_json, unthrottled  # noqa: F401
from tests.factories import SourceFactory, cite, partnership_with_history

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]


def test_detail_adds_events_citations_and_activities(client, seed):
    detail = get_json(client, "partnership-detail", pk=10)  # Pittsburgh–Astana
    listed = next(r for r in get_json(client, "partnership-list", page_size=200)["results"] if r["id"] == 10)
    for key, value in listed.items():
        assert detail[key] == value, key
    assert {"events", "citations", "activities"} <= set(detail)
    [event] = detail["events"]
    assert event["status"] == "active"
    assert event["date"] == {"date": "2002-07-01", "precision": "month"}
    assert "note" in event
    citation = event["citations"][0]
    assert set(citation["source"]) >= {"id", "title", "publisher", "url", "published"}
    assert citation["quote"]
    partnership = Partnership.objects.get(pk=10)
    assert len(detail["citations"]) == partnership.citations.count()
    assert [a["id"] for a in detail["activities"]] == list(
        partnership.activities.order_by("occurred_on", "id").values_list("id", flat=True)
    )
    assert all(activity["citations"] for activity in detail["activities"])


def test_each_citation_sits_with_its_own_claim(client, db):
    partnership = partnership_with_history(("active", "1995"))
    own_source, event_source = SourceFactory(title="Own"), SourceFactory(title="Event")
    services.add_citation(citation=cite(own_source, "they signed"), partnership=partnership)
    services.record_status_event(
        partnership=partnership,
        status="suspended",
        effective=PartialDate.parse("2022-03-04"),
        note="frozen",
        citations=[cite(event_source, "put on hold")],
    )
    services.add_activity(
        partnership=partnership,
        kind="visit",
        description="A delegation",
        occurred=PartialDate.parse("2005"),
        citations=[cite(own_source, "visited")],
    )
    detail = get_json(client, "partnership-detail", pk=partnership.pk)
    assert [c["quote"] for c in detail["citations"]] == ["they signed"]
    assert detail["events"][-1]["citations"][0]["source"]["title"] == "Event"
    assert detail["events"][-1]["note"] == "frozen"
    assert detail["events"][-1]["date"] == {"date": "2022-03-04", "precision": "day"}
    assert detail["activities"][0]["citations"][0]["quote"] == "visited"
    assert detail["activities"][0]["date"] == {"date": "2005-01-01", "precision": "year"}
    assert detail["status"] == "suspended"


def test_detail_as_of(client, db):
    partnership = partnership_with_history(("active", "1995"), ("suspended", "2022-03"))
    assert get_json(client, "partnership-detail", pk=partnership.pk, as_of="2021-12-31")["status"] == "active"
    assert (
        get_json(client, "partnership-detail", pk=partnership.pk, as_of="2022-06-01")["status"] == "suspended"
    )
    # It did not exist yet in 1990.
    get_json(client, "partnership-detail", pk=partnership.pk, as_of="1990-01-01", expect=404)
    error = get_json(client, "partnership-detail", pk=partnership.pk, as_of="2022-13-01", expect=400)
    assert set(error["errors"]) == {"as_of"}


@pytest.mark.parametrize("pk", [999999, 2**63, 10**30])
def test_unknown_or_huge_id_is_a_json_404(client, db, pk):
    error = get_json(client, "partnership-detail", pk=pk, expect=404)
    assert error["status"] == 404 and error["detail"]


def test_a_fixed_number_of_queries_whatever_the_history(client, db, django_assert_max_num_queries):
    small = partnership_with_history(("active", "1995"))
    big = partnership_with_history(*[(s, str(1990 + i)) for i, s in enumerate(["active", "suspended"] * 10)])
    for index in range(10):
        services.add_activity(partnership=big, kind="visit", description=f"visit {index}", citations=[cite()])
    for partnership in (small, big):
        with django_assert_max_num_queries(6):
            detail = get_json(client, "partnership-detail", pk=partnership.pk)
        assert len(detail["events"]) == partnership.events.count()
    with django_assert_max_num_queries(6):
        get_json(client, "partnership-detail", pk=big.pk, as_of="2005-01-01")


def test_the_precompiled_detail_is_the_orms(client, db, monkeypatch):
    """The current detail runs SQL compiled once per process (selectors.precompiled): the
    same bytes as the ORM's querysets answer, for every partnership of generated data
    (organizations, focus areas, every status, events with citations, aliases, nulls),
    in the same number of queries; an id no row can have finds nothing on both paths."""
    from partnerships.selectors import detail as detail_selector
    from tests.test_lean_rows import generated_registry

    generated_registry(n=40)
    ids = list(Partnership.objects.order_by("id").values_list("id", flat=True))
    precompiled = [client.get(f"/api/v1/partnerships/{pk}/").content for pk in ids]
    assert detail_selector.partnership_detail(ids[-1] + 1000) is None
    monkeypatch.setattr(detail_selector, "MAX_ID", 0)  # every id now takes the ORM's path
    orm = [client.get(f"/api/v1/partnerships/{pk}/").content for pk in ids]
    assert detail_selector.partnership_detail(ids[-1] + 1000) is None
    assert precompiled == orm
    assert any(b'"organizations":[{' in body for body in orm)
    assert any(b'"focus_areas":[{' in body for body in orm)
    assert any(b'"events":[{' in body for body in orm)


def test_a_build_whose_values_are_not_plain_parameters_is_refused(db):
    from partnerships.selectors.precompiled import NotPrecompilable, Precompiled

    shifted = Precompiled(lambda pk: Partnership.objects.filter(pk=pk + 1))
    with pytest.raises(NotPrecompilable):
        shifted.objects(5)
    unused = Precompiled(lambda pk: Partnership.objects.filter(pk=1))
    with pytest.raises(NotPrecompilable):
        unused.objects(5)
