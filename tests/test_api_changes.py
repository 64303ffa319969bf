"""GET /api/v1/changes/: the change feed, and a mirror kept from it."""

import pytest
from django.test import override_settings

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import FocusArea, Locality, Organization, Partnership, ReportedFigure, Source
from tests.apitools import get_json, unthrottled, url  # noqa: F401
from tests.factories import LocalityFactory, OrganizationFactory, SourceFactory, cite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled", "no_settle_window")]


@pytest.fixture
def no_settle_window(settings):
    settings.API_CHANGES_SETTLE_SECONDS = 0


DETAIL = {
    "partnership": "partnership-detail",
    "locality": "locality-detail",
    "organization": "organization-detail",
    "source": "source-detail",
    "reported_figure": "reported-figure-detail",
}
MODELS = {
    "partnership": Partnership,
    "locality": Locality,
    "organization": Organization,
    "source": Source,
    "reported_figure": ReportedFigure,
}


def all_changes(client, since=None, page_size=3):
    entries = []
    params = {"page_size": page_size}
    if since:
        params["since"] = since
    page = get_json(client, "changes", **params)
    while True:
        entries += page["results"]
        cursor = page["cursor"]
        if not page["next"]:
            return entries, cursor
        page = client.get(page["next"]).json()


def test_create_update_delete_in_order_with_a_tombstone(client, db):
    _, start = all_changes(client)
    a, b = LocalityFactory(country="US"), LocalityFactory(country="RU")
    partnership = services.create_partnership(locality_a=a, locality_b=b)
    services.record_status_event(
        partnership=partnership, status="active", effective=PartialDate.parse("2001"), citations=[cite()]
    )
    pk = partnership.pk
    partnership.delete()

    entries, _ = all_changes(client, since=start)
    mine = [(e["type"], e["id"], e["action"]) for e in entries if e["type"] == "partnership"]
    assert mine[0] == ("partnership", pk, "created")
    assert ("partnership", pk, "updated") in mine[1:-1]
    assert mine[-1] == ("partnership", pk, "deleted")
    tombstone = [e for e in entries if e["action"] == "deleted"][-1]
    assert tombstone["deleted_at"] == tombstone["changed_at"] and tombstone["url"] is None
    created = next(e for e in entries if e["action"] == "created" and e["type"] == "partnership")
    assert created["url"].endswith(url("partnership-detail", pk))
    # The localities were created before the partnership that joins them.
    order = [(e["type"], e["id"]) for e in entries]
    assert order.index(("locality", a.pk)) < order.index(("partnership", pk))
    times = [e["changed_at"] for e in entries]
    assert times == sorted(times)


def test_the_feed_starts_with_records_that_have_no_history(client, seed):
    """Seed records loaded raw have no edit history; a mirror still gets every one."""
    entries, _ = all_changes(client, page_size=200)
    for type_name, model in MODELS.items():
        assert {e["id"] for e in entries if e["type"] == type_name} == set(
            model.objects.values_list("pk", flat=True)
        )


def _apply(client, mirror, entries):
    for entry in entries:
        key = (entry["type"], entry["id"])
        if entry["action"] == "deleted":
            mirror.pop(key, None)
            continue
        response = client.get(entry["url"])
        if response.status_code == 404:  # deleted later: its tombstone follows
            continue
        assert response.status_code == 200
        mirror[key] = response.json()


def _current(client):
    return {
        (type_name, pk): get_json(client, DETAIL[type_name], pk)
        for type_name, model in MODELS.items()
        for pk in model.objects.values_list("pk", flat=True)
    }


def test_following_the_cursors_keeps_an_exact_mirror(client, seed):
    mirror = {}
    entries, cursor = all_changes(client, page_size=7)
    _apply(client, mirror, entries)
    assert mirror == _current(client)  # a first full copy is exact, names included

    # Changes of every kind, then catch up from the last cursor only.
    kharkiv = Locality.objects.get(pk=31)
    services.add_locality_alias(locality=kharkiv, alias=services.AliasInput(name="Charkiw", language="de"))
    partnership = Partnership.objects.get(pk=3)
    services.record_status_event(
        partnership=partnership,
        status="suspended",
        effective=PartialDate.parse("2022-03"),
        citations=[cite()],
    )
    doomed = OrganizationFactory()
    kept = OrganizationFactory(name="Kept")
    doomed_pk = doomed.pk
    doomed.delete()
    new = services.create_partnership(
        locality_a=LocalityFactory(country="US"),
        locality_b=LocalityFactory(country="UA"),
        organizations=[kept],
    )
    Partnership.objects.get(pk=18).delete()
    Source.objects.filter(pk=1).update(notes="changed without history")  # not through the ORM's save
    source = Source.objects.get(pk=2)
    source.title = "A new title"
    source.save()
    # Renames reach every record that repeats the name.
    petrozavodsk = Locality.objects.get(pk=7)
    petrozavodsk.name = "Petroskoi"
    petrozavodsk.save()
    organization = Organization.objects.get(pk=8)
    organization.abbreviation = "NEW"
    organization.save()
    area = FocusArea.objects.get(pk=2)
    area.name = "Renamed area"
    area.save()

    entries, cursor = all_changes(client, since=cursor, page_size=4)
    assert entries
    assert ("partnership", 18, "deleted") in {(e["type"], e["id"], e["action"]) for e in entries}
    assert ("organization", doomed_pk, "deleted") in {(e["type"], e["id"], e["action"]) for e in entries}
    assert ("locality", 31, "updated") in {(e["type"], e["id"], e["action"]) for e in entries}
    assert ("partnership", new.pk, "created") in {(e["type"], e["id"], e["action"]) for e in entries}
    _apply(client, mirror, entries)
    current = _current(client)
    # Source 1 was changed by QuerySet.update(), which bypasses the edit history (the project
    # forbids it outside tests): the one change a feed built on the history cannot see.
    current_source_1 = current.pop(("source", 1))
    assert mirror.pop(("source", 1))["notes"] != current_source_1["notes"]
    assert mirror == current
    # The status change of Duluth–Petrozavodsk reached both localities' lists of partnerships.
    assert mirror[("locality", 7)]["partnerships"][0]["status"] == "suspended"

    # Caught up: the cursor gives nothing new, and `next` is null.
    page = get_json(client, "changes", since=cursor)
    assert page["results"] == [] and page["next"] is None and page["cursor"] == cursor


def test_a_citation_of_a_locality_is_an_update_of_the_locality(client, db):
    locality, source = LocalityFactory(), SourceFactory()
    _, cursor = all_changes(client)

    def changed_since(since):
        entries, last = all_changes(client, since=since)
        return {(e["type"], e["id"], e["action"]) for e in entries}, last

    citation = services.add_citation(citation=cite(source), locality=locality)
    changed, cursor = changed_since(cursor)
    assert {("locality", locality.pk, "updated"), ("source", source.pk, "updated")} <= changed
    # The locality's detail names the source: renaming the source announces it again.
    source.title = "A renamed data set"
    source.save()
    changed, cursor = changed_since(cursor)
    assert ("locality", locality.pk, "updated") in changed
    assert get_json(client, "locality-detail", locality.pk)["citations"][0]["source"]["title"] == (
        "A renamed data set"
    )
    services.remove_citation(citation=citation)
    changed, cursor = changed_since(cursor)
    assert ("locality", locality.pk, "updated") in changed


def test_the_settle_window_holds_back_fresh_changes(client, db):
    _, cursor = all_changes(client)
    LocalityFactory()
    with override_settings(API_CHANGES_SETTLE_SECONDS=3600):
        assert get_json(client, "changes", since=cursor)["results"] == []
    assert len(get_json(client, "changes", since=cursor)["results"]) == 1


@pytest.mark.parametrize("since", ["nonsense", "a\x00b", "W10", "x" * 600, "WyIyMDIwIiwiIiwtMV0"])
def test_a_bad_cursor_is_a_400(client, db, since):
    error = get_json(client, "changes", since=since, expect=400)
    assert list(error["errors"]) == ["since"]


@pytest.mark.parametrize("page_size", ["0", "201", "x"])
def test_a_bad_page_size_is_a_400(client, db, page_size):
    assert list(get_json(client, "changes", page_size=page_size, expect=400)["errors"]) == ["page_size"]


def test_one_query_per_page(client, seed, django_assert_num_queries):
    records = sum(model.objects.count() for model in MODELS.values())
    for page_size in (1, 200):
        with django_assert_num_queries(1):  # the page; Last-Modified is its last entry's time
            page = get_json(client, "changes", page_size=page_size)
        # The seed gives one entry per record: each created, once.
        assert len(page["results"]) == min(page_size, records)
    assert {e["action"] for e in page["results"]} == {"created"}
