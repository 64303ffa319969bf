"""GET /api/v1/changes/: the change feed, and a mirror kept from it."""

import datetime
import io

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
    partnership = services.create_partnership(locality_a=a, locality_b=b, citations=[cite()])
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
        citations=[cite()],
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


# ------------------------------------------------------------------ issue 14, point 6


def _keys(entries):
    return [(e["type"], e["id"], e["action"]) for e in entries]


def assert_causal(entries):
    """Per record: created first, deleted (or merged) last, nothing twice in a row."""
    by_record: dict = {}
    for type_name, pk, action in _keys(entries):
        by_record.setdefault((type_name, pk), []).append(action)
    for record, actions in by_record.items():
        assert "updated" not in actions or "created" not in actions or actions.index("created") == 0, record
        for end in ("deleted", "merged"):
            assert end not in actions[:-1], (record, actions)
    for before, after in zip(_keys(entries), _keys(entries)[1:], strict=False):
        assert before != after, before
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_the_seed_gives_one_created_entry_per_record(client, db):
    """The issue's example: on the seed, 620 entries for 21 partnerships, 56 records updated
    before they were created, 33 back-to-back duplicates. Now: one entry per record."""
    from django.core.management import call_command

    call_command("load_seed", stdout=io.StringIO())  # as `make run` loads it
    entries, _ = all_changes(client, page_size=200)
    assert_causal(entries)
    records = {(t, pk) for t, model in MODELS.items() for pk in model.objects.values_list("pk", flat=True)}
    assert {(t, pk) for t, pk, _ in _keys(entries)} == records and len(entries) == len(records)
    assert {e["action"] for e in entries} == {"created"}
    # The seed's localities come before the partnerships that join them.
    order = [(t, pk) for t, pk, _ in _keys(entries)]
    for partnership in Partnership.objects.all():
        assert order.index(("locality", partnership.locality_a_id)) < order.index(
            ("partnership", partnership.pk)
        )


def test_one_service_call_is_one_entry_per_record(client, db):
    a, b = LocalityFactory(country="US"), LocalityFactory(country="RU")
    source = SourceFactory()
    _, cursor = all_changes(client)
    partnership = services.create_partnership(locality_a=a, locality_b=b, citations=[cite(source)])
    entries, cursor = all_changes(client, since=cursor)
    # The partnership (saved, then its organizations, focus areas and citation: several
    # history rows) is created once; its localities and the source list it now.
    assert sorted(_keys(entries)) == sorted(
        [
            ("partnership", partnership.pk, "created"),
            ("locality", a.pk, "updated"),
            ("locality", b.pk, "updated"),
            ("source", source.pk, "updated"),
        ]
    )
    # A status event: the event, its citation and the refreshed current status are one update.
    services.record_status_event(
        partnership=partnership,
        status="active",
        effective=PartialDate.parse("1990"),
        citations=[cite(source)],
    )
    entries, cursor = all_changes(client, since=cursor)
    assert _keys(entries).count(("partnership", partnership.pk, "updated")) == 1
    assert len(entries) == len(set(_keys(entries)))


def test_a_deletion_is_the_last_and_only_entry_of_its_transaction(client, db):
    partnership = services.create_partnership(
        locality_a=LocalityFactory(country="US"), locality_b=LocalityFactory(country="UA"), citations=[cite()]
    )
    services.record_status_event(
        partnership=partnership, status="active", effective=PartialDate.parse("2001"), citations=[cite()]
    )
    _, cursor = all_changes(client)
    pk = partnership.pk
    partnership.delete()  # cascades to its events and citations, each with a history row
    entries, _ = all_changes(client, since=cursor)
    mine = [k for k in _keys(entries) if k[:2] == ("partnership", pk)]
    assert mine == [("partnership", pk, "deleted")]
    assert_causal(entries)


def test_created_and_deleted_in_one_transaction_leaves_no_entry(client, db):
    from django.db import transaction

    _, cursor = all_changes(client)
    with transaction.atomic():
        locality = LocalityFactory()
        pk = locality.pk
        locality.delete()
    entries, _ = all_changes(client, since=cursor)
    assert [k for k in _keys(entries) if k[:2] == ("locality", pk)] == []


def test_a_rolled_back_savepoint_does_not_swallow_a_later_change(client, db):
    from django.db import transaction

    locality = LocalityFactory()
    _, cursor = all_changes(client)
    with transaction.atomic():
        try:
            with transaction.atomic():
                services.update_locality(locality=locality, name="First try")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        locality.refresh_from_db()
        services.update_locality(locality=locality, name="Second try")
    entries, _ = all_changes(client, since=cursor)
    assert ("locality", locality.pk, "updated") in _keys(entries)


def test_an_old_cursor_continues_from_its_time(client, db):
    """Cursors handed out by the history-based feed (base64 of [time, stream, history id])
    map to the first entry at or after their time."""
    import base64
    import json as json_module

    from django.utils import timezone

    LocalityFactory()
    moment = timezone.now()
    later = LocalityFactory()
    legacy = (
        base64.urlsafe_b64encode(
            json_module.dumps([moment.isoformat(), "locality", 7], separators=(",", ":")).encode()
        )
        .decode()
        .rstrip("=")
    )
    entries, cursor = all_changes(client, since=legacy)
    assert _keys(entries) == [("locality", later.pk, "created")]
    assert cursor == str(entries[-1]["seq"])
    # An old cursor after everything: caught up.
    future = base64.urlsafe_b64encode(b'["2999-01-01T00:00:00+00:00","",0]').decode().rstrip("=")
    page = get_json(client, "changes", since=future)
    assert page["results"] == [] and page["cursor"] == cursor


def test_a_merge_is_a_tombstone_naming_its_target(client, db):
    """The merge service: the merged locality's one entry is "merged" (naming its target),
    the target and the partnership that moved are "updated"; nothing else."""
    merged = LocalityFactory(name="Koeln", country="DE")
    target = LocalityFactory(name="Köln", country="DE")
    partner = LocalityFactory(country="FR")
    moved = services.create_partnership(locality_a=merged, locality_b=partner, citations=[cite()])
    _, cursor = all_changes(client)
    services.merge_localities(source=merged, target=target)
    entries, _ = all_changes(client, since=cursor)
    assert sorted(_keys(entries)) == sorted(
        [
            ("locality", merged.pk, "merged"),
            ("locality", target.pk, "updated"),
            ("partnership", moved.pk, "updated"),
            ("locality", partner.pk, "updated"),  # its partners' list names the new place
        ]
    )
    assert_causal(entries)
    entries = [e for e in entries if e["action"] == "merged"]
    assert entries[0]["url"] is None and entries[0]["deleted_at"] == entries[0]["changed_at"]
    assert entries[0]["merged_into"]["id"] == target.pk
    assert entries[0]["merged_into"]["url"].endswith(url("locality-detail", target.pk))


def test_the_backfill_gives_existing_history_its_entries(db):
    """The data migration (0006) rebuilds the log from the edit history: created first, an
    update at the latest change, deleted last."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from partnerships.models import FeedEntry

    backfill = importlib.import_module("partnerships.migrations.0006_feed_feedentry").backfill
    a, b = LocalityFactory(country="US"), LocalityFactory(country="RU")
    kept = services.create_partnership(locality_a=a, locality_b=b, citations=[cite()])
    services.record_status_event(
        partnership=kept, status="active", effective=PartialDate.parse("2001"), citations=[cite()]
    )
    doomed = services.create_partnership(
        locality_a=a, locality_b=LocalityFactory(country="FR"), citations=[cite()]
    )
    doomed_pk = doomed.pk
    doomed.delete()
    FeedEntry.objects.all().delete()
    backfill(apps, SimpleNamespace(connection=connection))
    rows = list(FeedEntry.objects.order_by("id").values_list("record_type", "record_id", "action"))
    assert [r for r in rows if r[:2] == ("partnership", kept.pk)] == [
        ("partnership", kept.pk, "created"),
        ("partnership", kept.pk, "updated"),
    ]
    assert [r for r in rows if r[:2] == ("partnership", doomed_pk)] == [
        ("partnership", doomed_pk, "created"),
        ("partnership", doomed_pk, "deleted"),
    ]
    assert ("locality", a.pk, "created") in rows
    times = list(FeedEntry.objects.order_by("id").values_list("committed_at", flat=True))
    assert times == sorted(times)


def test_full_exports_carry_the_feed_cursor(client, db):
    LocalityFactory()
    _, cursor = all_changes(client)
    for fmt in ("csv", "geojson"):
        response = client.get(url("partnership-list", format=fmt))
        assert response.status_code == 200
        assert response["X-Feed-Cursor"] == cursor


def test_a_page_is_a_range_scan_of_the_primary_key(db):
    """On PostgreSQL a page reads the primary key index from the cursor on (no sort, no
    scan of older entries), and an old time-based cursor finds its place by the
    committed_at index."""
    from django.db import connection
    from django.utils import timezone

    from partnerships.api import feed
    from partnerships.models import FeedEntry

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    start = timezone.now()
    FeedEntry.objects.bulk_create(
        FeedEntry(
            committed_at=start + datetime.timedelta(seconds=n // 3),
            record_type="locality",
            record_id=n,
            action="updated",
        )
        for n in range(5000)
    )
    now = start + datetime.timedelta(seconds=800)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partnerships_feedentry")
    middle = FeedEntry.objects.order_by("id").values_list("id", flat=True)[2500]
    page = FeedEntry.objects.filter(id__gt=middle).order_by("id").values_list(*feed.COLUMNS)[:201]
    plan = page.explain()
    assert "Index Scan using partnerships_feedentry_pkey" in plan, plan
    assert "Sort" not in plan and "Seq Scan" not in plan, plan
    legacy = (
        FeedEntry.objects.filter(committed_at__gte=now).order_by("committed_at", "id").values_list("id")[:1]
    )
    plan = legacy.explain()
    assert "Scan using feedentry_committed_at_id" in plan and "Sort" not in plan, plan


def test_an_import_is_one_entry_per_record_in_causal_order(client, db):
    """The import's bulk paths bypass the history's signals and say what they wrote: new
    localities and partnerships created once each (before anything refers to them), a
    matched locality and a re-cited partnership updated once."""
    from django.db.models import Q

    from tests.test_import_service import row, run

    known = services.create_locality(name="Seattle", country="US")
    _, cursor = all_changes(client)
    report = run(row(status="active", status_date="1973"), row("Seattle", "US", "Kyoto", "JP"))
    assert report.created == 2
    entries, cursor = all_changes(client, since=cursor, page_size=50)
    assert_causal(entries)
    keys = _keys(entries)
    assert len(keys) == len({k[:2] for k in keys})  # one entry per record
    created = [k for k in keys if k[2] == "created"]
    # Tashkent and Kyoto, the two pairs, and the source the import cites.
    assert sorted(t for t, _, _ in created) == [
        "locality",
        "locality",
        "partnership",
        "partnership",
        "source",
    ]
    assert ("locality", known.pk, "updated") in keys  # lists two new partnerships
    order = [k[:2] for k in keys]
    for partnership in Partnership.objects.all():
        assert order.index(("locality", partnership.locality_b_id)) < order.index(
            ("partnership", partnership.pk)
        )
    # A new status of a recorded partnership, through the service inside the import: one update.
    run(row(status="suspended", status_date="2022"))
    again, _ = all_changes(client, since=cursor, page_size=50)
    seattle_tashkent = Partnership.objects.get(
        Q(locality_a__name="Tashkent") | Q(locality_b__name="Tashkent")
    ).pk
    assert _keys(again).count(("partnership", seattle_tashkent, "updated")) == 1
    assert len(_keys(again)) == len(set(_keys(again)))
