"""A mirror kept by the change feed equals the registry (issue 14, point 6).

A reference mirror client stores every public record's API detail, starts from a full
copy taken at a feed cursor (a snapshot's ``feed_cursor``, an export's ``X-Feed-Cursor``)
and then follows GET /api/v1/changes/: on created/updated it fetches the entry's ``url``,
on deleted it drops the record, on merged it drops it and fetches the target. Hypothesis
drives random sequences of writes through the services — the doors the admin, the API and
imports use — and at the end the mirror must equal the registry, record for record.

Adding an operation: write ``def op_<name>(world, pick)`` (``pick(n)`` gives an index
below ``n``) that makes one change through a service, and add it to ``OPERATIONS``. A
merged locality is a tombstone that redirects (301) to the one it was merged into: the
mirror holds only live records, as the API's lists do.

On PostgreSQL, the last test runs two real concurrent transactions to show that entry
ids follow commit order (the advisory lock in services/feed.py).
"""

import contextlib
import itertools
import json
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from partnerships import services
from partnerships.api.feed import latest_position
from partnerships.dates import PartialDate
from partnerships.exporting import export_registry
from partnerships.models import (
    FeedEntry,
    Locality,
    Organization,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)
from partnerships.services import ALLOWED_TRANSITIONS
from tests.apitools import get_json, unthrottled, url  # noqa: F401

pytestmark = [pytest.mark.usefixtures("unthrottled")]

MODELS = {
    "partnership": Partnership,
    "locality": Locality,
    "organization": Organization,
    "source": Source,
    "reported_figure": ReportedFigure,
}
DETAIL = {
    "partnership": "partnership-detail",
    "locality": "locality-detail",
    "organization": "organization-detail",
    "source": "source-detail",
    "reported_figure": "reported-figure-detail",
}
COUNTRIES = ["US", "RU", "UA", "DE", "FR", "JP"]


class Mirror:
    """The reference client: a copy of every record's detail, and its feed cursor."""

    def __init__(self, client):
        self.client = client
        self.cursor = "0"
        self.records: dict = {}

    def bootstrap(self):
        """A full copy taken at a cursor: the cursor first, then the records (a change in
        between is in the feed after the cursor, and applying it again is harmless)."""
        self.cursor = str(latest_position())
        self.records = registry_now(self.client)

    def follow(self, page_size=5):
        while True:
            page = get_json(self.client, "changes", since=self.cursor, page_size=page_size)
            for entry in page["results"]:
                self.apply(entry)
            self.cursor = page["cursor"]
            if page["next"] is None:
                return

    def apply(self, entry):
        key = (entry["type"], entry["id"])
        if entry["action"] in ("deleted", "merged"):
            self.records.pop(key, None)
            if entry["action"] == "merged":
                self.fetch((entry["type"], entry["merged_into"]["id"]), entry["merged_into"]["url"])
            return
        self.fetch(key, entry["url"])

    def fetch(self, key, address):
        response = self.client.get(address)
        if response.status_code == 404:  # deleted since: its tombstone follows
            return
        if response.status_code == 301:  # merged since: its "merged" entry follows
            self.records.pop(key, None)
            return
        assert response.status_code == 200, (address, response.status_code)
        self.records[key] = response.json()


def live(model):
    """The model's records the API lists (merged localities are tombstones)."""
    if model is Locality:
        return Locality.objects.filter(merged_into__isnull=True)
    return model.objects.all()


def registry_now(client):
    return {
        (type_name, pk): get_json(client, DETAIL[type_name], pk)
        for type_name, model in MODELS.items()
        for pk in live(model).order_by("pk").values_list("pk", flat=True)
    }


# ----------------------------------------------------------------------- operations


class World:
    """Names and dates that never repeat across examples (the database persists)."""

    serial = 0

    def next(self) -> int:
        World.serial += 1
        return World.serial

    def month(self) -> PartialDate:
        n = self.next()
        return PartialDate.parse(f"{1800 + n // 12}-{n % 12 + 1:02d}")

    def source(self, pick):
        sources = list(Source.objects.order_by("pk"))
        if sources and pick(3):
            return sources[pick(len(sources))]
        return services.create_source(title=f"Source {self.next()}")

    def cite(self, pick):
        return services.CitationInput(source=self.source(pick), quote=f"quote {self.next()}")


def _any(model, pick):
    rows = list(live(model).order_by("pk"))
    return rows[pick(len(rows))] if rows else None


def op_create_locality(world, pick):
    services.create_locality(name=f"Town {world.next()}", country=COUNTRIES[pick(len(COUNTRIES))])


def op_rename_locality(world, pick):
    locality = _any(Locality, pick)
    if locality is not None:  # its name is repeated in its partnerships and partners' lists
        services.update_locality(locality=locality, name=f"Renamed {world.next()}")


def op_create_partnership(world, pick):
    localities = list(live(Locality).order_by("pk"))
    if len(localities) < 2:
        return op_create_locality(world, pick)
    a, b = localities[pick(len(localities))], localities[pick(len(localities))]
    services.create_partnership(locality_a=a, locality_b=b, citations=[world.cite(pick)])


def op_update_partnership(world, pick):
    partnership = _any(Partnership, pick)
    if partnership is not None:
        partnership.description = f"Edited {world.next()}"
        services.save_partnership(partnership=partnership)


def op_status_event(world, pick):
    partnership = _any(Partnership, pick)
    if partnership is None:
        return
    latest = partnership.events.filter(kind=StatusEvent.Kind.CHANGE).order_by("-effective_on").first()
    choices = sorted(ALLOWED_TRANSITIONS[latest.status if latest else None])
    services.record_status_event(
        partnership=partnership,
        status=choices[pick(len(choices))],
        effective=world.month(),
        citations=[world.cite(pick)],
    )


def op_delete_status_event(world, pick):
    event = _any(StatusEvent, pick)
    if event is not None:
        services.delete_status_event(event=event)


def op_cite_partnership(world, pick):
    partnership = _any(Partnership, pick)
    if partnership is not None:
        services.add_citation(citation=world.cite(pick), partnership=partnership)


def op_remove_citation(world, pick):
    partnership = _any(Partnership, pick)
    citation = partnership.citations.order_by("pk").first() if partnership else None
    if citation is not None:
        services.remove_citation(citation=citation)


def op_retitle_source(world, pick):
    source = _any(Source, pick)
    if source is not None:  # its title is repeated in every citation of it
        services.update_source(source=source, title=f"Retitled {world.next()}")


def op_merge_localities(world, pick):
    """Merge one locality into another of its country (their partnerships move, and
    those that become the same pair fold into one)."""
    source = _any(Locality, pick)
    if source is None:
        return
    others = list(live(Locality).filter(country=source.country).exclude(pk=source.pk).order_by("pk"))
    if not others:
        others = [services.create_locality(name=f"Town {world.next()}", country=source.country)]
    target = others[pick(len(others))]
    services.merge_localities(source=source, target=target, confirm_conflicts=True)


def op_delete_partnership(world, pick):
    partnership = _any(Partnership, pick)
    if partnership is not None:
        partnership.delete()  # as the admin's delete does, with its cascade


OPERATIONS = [
    op_create_locality,
    op_rename_locality,
    op_create_partnership,
    op_update_partnership,
    op_status_event,
    op_delete_status_event,
    op_cite_partnership,
    op_remove_citation,
    op_retitle_source,
    op_merge_localities,
    op_delete_partnership,
]

steps = st.lists(
    st.tuples(
        st.sampled_from(OPERATIONS),
        st.lists(st.integers(min_value=0, max_value=1000), min_size=4, max_size=4),
        st.booleans(),  # the mirror polls after this step
    ),
    min_size=1,
    max_size=10,
)


def start_small(world):
    """Each example starts from a small registry (the database outlives examples): the
    last example's records go (through deletions, which the feed records too), then two
    partnerships among three localities."""
    # Tombstones before the localities they were merged into (which they protect).
    Locality.objects.filter(merged_into__isnull=False).update(merged_into=None)
    for model in (Partnership, ReportedFigure, Locality, Organization, Source):
        for record in model.objects.all():
            record.delete()
    towns = [services.create_locality(name=f"Town {world.next()}", country=c) for c in ("US", "RU", "UA")]
    source = services.create_source(title=f"Source {world.next()}")
    for a, b in ((0, 1), (0, 2)):
        services.create_partnership(
            locality_a=towns[a], locality_b=towns[b], citations=[services.CitationInput(source=source)]
        )


@pytest.mark.django_db
# Few, short examples (about 1 s each); no shrinking, which against a database takes
# minutes: a failure prints its (unshrunk) steps, at most ten.
@settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=steps)
def test_a_mirror_following_the_feed_equals_the_registry(client, steps):
    world = World()
    start_small(world)
    mirror = Mirror(client)
    mirror.bootstrap()
    for operation, numbers, poll in steps:
        choices = itertools.cycle(numbers)

        def pick(n, choices=choices):
            return next(choices) % n if n else 0

        # Refused by the rules (a pair recorded twice, a transition): nothing changed.
        with contextlib.suppress(ValidationError):
            operation(world, pick)
        if poll:
            mirror.follow()
    start = int(mirror.cursor)
    mirror.follow()
    assert mirror.records == registry_now(client)
    # Per record, created first and deleted last.
    actions: dict = {}
    for type_name, pk, action in FeedEntry.objects.filter(id__gt=start).values_list(
        "record_type", "record_id", "action"
    ):
        actions.setdefault((type_name, pk), []).append(action)
    for record, seen in actions.items():
        assert "created" not in seen[1:] and "deleted" not in seen[:-1], (record, seen)


# ------------------------------------------------------------------ snapshot bootstrap


@pytest.mark.django_db
def test_a_snapshot_carries_the_cursor_to_follow_from(client, tmp_path: Path):
    a = services.create_locality(name="Duluth", country="US")
    b = services.create_locality(name="Petrozavodsk", country="RU")
    kept = services.create_partnership(
        locality_a=a,
        locality_b=b,
        citations=[services.CitationInput(source=services.create_source(title="S"))],
    )
    manifest = export_registry(tmp_path)
    snapshot = json.loads((tmp_path / "snapshot.json").read_text())
    # The change log is in the snapshot, up to the cursor: a restored registry continues it.
    assert manifest["feed_cursor"] == str(max(r["id"] for r in snapshot["models"]["partnerships.feedentry"]))
    assert [licence["name"] for licence in manifest["licenses"]] == ["CC BY 4.0"]

    services.update_locality(locality=b, name="Petroskoi")
    page = get_json(client, "changes", since=manifest["feed_cursor"])
    assert {(e["type"], e["id"]) for e in page["results"]} == {
        ("locality", b.pk),
        ("locality", a.pk),  # lists its partner by name
        ("partnership", kept.pk),  # names its parties
    }


@pytest.mark.django_db
def test_the_manifest_lists_an_imported_data_sets_licence(tmp_path):
    from partnerships.importing.datasets import HEKMAN

    services.create_source(title=HEKMAN.source.title, url=HEKMAN.source.url, kind=Source.Kind.DATASET)
    manifest = export_registry(tmp_path)
    names = [licence["name"] for licence in manifest["licenses"]]
    assert names == ["CC BY 4.0", "CC BY-SA 4.0"]
    assert (
        manifest["licenses"][1]["share_alike"] is True
        and "Wikipedia" in manifest["licenses"][1]["attribution"]
    )


# --------------------------------------------------------- commit order, for real


@pytest.mark.django_db(transaction=True)
def test_entry_ids_follow_commit_order_under_concurrent_transactions():
    """T1 writes an entry and stays open; T2 then writes one and must wait for T1's commit
    (the advisory lock), so T2's id is higher although T2 may have started its work
    first. Without the lock T2 could commit id N+1 while T1's N is still invisible, and a
    reader would step over N."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the lock is PostgreSQL's")
    from django.db import connections

    from partnerships.services import feed as change_log

    locality_1 = services.create_locality(name="One", country="US")
    locality_2 = services.create_locality(name="Two", country="FR")
    t1_wrote, release_t1 = threading.Event(), threading.Event()
    ids = {}
    errors = []

    def t1():
        try:
            with transaction.atomic():
                services.update_locality(locality=Locality.objects.get(pk=locality_1.pk), name="One b")
                ids["t1"] = FeedEntry.objects.order_by("-id").values_list("id", flat=True).first()
                t1_wrote.set()
                release_t1.wait(10)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def t2():
        try:
            with transaction.atomic():
                # Ask for a sequence value before T1 commits, as a slow T2 might.
                services.update_locality(locality=Locality.objects.get(pk=locality_2.pk), name="Two b")
                ids["t2"] = FeedEntry.objects.order_by("-id").values_list("id", flat=True).first()
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=t1)
    first.start()
    assert t1_wrote.wait(10)
    second = threading.Thread(target=t2)
    second.start()
    # T2 is waiting for the feed lock while T1 is open: seen in pg_locks.
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s",
                [change_log.FEED_LOCK & 0xFFFFFFFF],
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
        else:
            pytest.fail("the second transaction never waited for the feed lock")
    assert "t2" not in ids
    release_t1.set()
    first.join(10)
    second.join(10)
    assert not errors, errors
    assert ids["t1"] < ids["t2"]
    committed = list(FeedEntry.objects.order_by("id").values_list("record_id", flat=True))
    assert committed[-2:] == [locality_1.pk, locality_2.pk]
