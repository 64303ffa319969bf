"""The shared reads in partnerships.selectors: one loader of a partnership's detail for the
page, the API detail and the events endpoint; the registry-changed time; the stats counts."""

import datetime
import itertools

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from partnerships import selectors, services
from partnerships.dates import PartialDate
from partnerships.models import Citation, Partnership
from tests.apitools import get_json, unthrottled  # noqa: F401
from tests.factories import (
    LocalityFactory,
    OrganizationFactory,
    PartnershipFactory,
    SourceFactory,
    cite,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]

# The partnership (with its parties, their parents and its status), its organizations,
# focus areas, events, activities, and every citation at once.
DETAIL_QUERIES = 6


def _partnership_with(events: int) -> Partnership:
    """A partnership with ``events`` status events (each cited twice and declared by an
    organization), as many activities, as many citations of its own, two organizations."""
    parent = LocalityFactory(name="Oblast", country="RU", kind="region")
    partnership = PartnershipFactory(locality_b=LocalityFactory(country="RU", parent=parent))
    source, other, union = SourceFactory(), SourceFactory(), OrganizationFactory(name="Union")
    years = range(1990, 1990 + events)
    for year, status in zip(years, itertools.cycle(["active", "suspended"]), strict=False):
        when = PartialDate.parse(str(year))
        declared = {"declared_by": "organization", "declaring_organization": union}
        services.record_status_event(
            partnership=partnership,
            status=status,
            effective=when,
            note=f"note {year}",
            citations=[cite(source, f"event {year}"), cite(other, f"again {year}")],
            **declared,
        )
        visit = {"kind": "visit", "description": f"visit {year}", "occurred": when}
        services.add_activity(partnership=partnership, citations=[cite(source, f"visited {year}")], **visit)
        services.add_citation(citation=cite(other, f"own {year}"), partnership=partnership)
    partnership.organizations.add(OrganizationFactory(name="Beta"), OrganizationFactory(name="Alpha"))
    return partnership


def _read_everything(partnership: Partnership) -> dict:
    """All that the page and the API show of the detail, as plain values."""
    return {
        "parties": [(p.name, p.parent.name if p.parent else None) for p in partnership.localities],
        "status": partnership.status,
        "organizations": [o.name for o in partnership.organizations.all()],
        "focus_areas": [f.name for f in partnership.focus_areas.all()],
        "citations": [(c.quote, c.source.title) for c in partnership.citations.all()],
        "events": [
            (
                e.pk,
                e.status,
                e.partnership.pk,
                str(e.declaring_organization),
                [(c.quote, c.source.title) for c in e.citations.all()],
            )
            for e in partnership.events.all()
        ],
        "activities": [
            (a.pk, a.partnership.pk, [(c.quote, c.source.title) for c in a.citations.all()])
            for a in partnership.activities.all()
        ],
        "registry_changed": partnership.registry_changed,
    }


@pytest.mark.parametrize("events", [1, 25])
def test_detail_costs_the_same_queries_whatever_the_history(events):
    partnership = _partnership_with(events)
    with CaptureQueriesContext(connection) as loading:
        loaded = selectors.partnership_detail(partnership.pk)
    assert len(loading.captured_queries) == DETAIL_QUERIES
    # Reading every part afterwards, down to each citation's source and each event's
    # partnership and declaring organization, asks nothing more.
    with CaptureQueriesContext(connection) as reading:
        shown = _read_everything(loaded)
    assert reading.captured_queries == []
    assert len(shown["events"]) == len(shown["activities"]) == events
    assert len(shown["citations"]) == events
    assert all(len(citations) == 2 for *_rest, citations in shown["events"])


def test_detail_holds_each_part_in_order_and_with_its_own_citations():
    partnership = _partnership_with(3)
    shown = _read_everything(selectors.partnership_detail(partnership.pk))
    assert shown["parties"][1][1] == "Oblast"
    assert shown["organizations"] == ["Alpha", "Beta"]
    assert shown["status"] == "active"  # the third event's
    assert [status for _pk, status, *_rest in shown["events"]] == ["active", "suspended", "active"]
    assert shown["events"][0][2:4] == (partnership.pk, "Union")
    assert [quote for quote, _title in shown["events"][0][4]] == ["event 1990", "again 1990"]
    assert [citations[0][0] for _pk, _p, citations in shown["activities"]] == [
        "visited 1990",
        "visited 1991",
        "visited 1992",
    ]
    assert [quote for quote, _title in shown["citations"]] == ["own 1990", "own 1991", "own 1992"]
    assert shown["registry_changed"] == selectors.registry_changed_at()


def test_page_and_api_show_what_the_selector_loads(client):
    partnership = _partnership_with(4)
    shown = _read_everything(selectors.partnership_detail(partnership.pk))
    page = client.get(partnership.get_absolute_url())
    assert _read_everything(page.context["partnership"]) == shown
    detail = get_json(client, "partnership-detail", pk=partnership.pk)
    events = get_json(client, "partnership-events", pk=partnership.pk)
    assert detail["events"] == events
    assert [(e["id"], e["status"]) for e in events] == [(pk, status) for pk, status, *_ in shown["events"]]
    assert [[c["quote"] for c in e["citations"]] for e in events] == [
        [quote for quote, _title in citations] for *_rest, citations in shown["events"]
    ]
    assert [a["id"] for a in detail["activities"]] == [pk for pk, _p, _c in shown["activities"]]
    assert [c["quote"] for c in detail["citations"]] == [quote for quote, _title in shown["citations"]]
    assert [o["name"] for o in detail["organizations"]] == shown["organizations"]
    # Every citation quoted on the page is one the selector loaded.
    quotes = [q for *_rest, citations in shown["events"] for q, _t in citations]
    assert all(f"<q>{quote}</q>" in page.text for quote in quotes)


def test_detail_as_of_a_date_and_of_nothing():
    partnership = _partnership_with(3)
    then = selectors.partnership_detail(partnership.pk, as_of=datetime.date(1991, 6, 1))
    assert then is not None and then.status == "suspended"
    assert then.status_since == datetime.date(1991, 1, 1)
    # Before its first event, with no establishment date: it did not exist yet.
    assert selectors.partnership_detail(partnership.pk, as_of=datetime.date(1980, 1, 1)) is None
    assert selectors.partnership_detail(999_999) is None


def test_registry_changed_at_follows_every_public_table():
    before = selectors.registry_changed_at()
    partnership = PartnershipFactory()
    after_create = selectors.registry_changed_at()
    assert after_create > before
    partnership.delete()
    # A deletion leaves a history row too, so the time moves on.
    assert selectors.registry_changed_at() > after_create


def test_partnership_counts_per_country_count_a_domestic_partnership_once():
    us, ru = LocalityFactory(country="US"), LocalityFactory(country="RU")
    PartnershipFactory(locality_a=us, locality_b=ru)
    PartnershipFactory(locality_a=LocalityFactory(country="US"), locality_b=LocalityFactory(country="US"))
    counts = selectors.partnership_counts(Partnership.objects.as_of(None), group_by="country")
    groups = {group["key"]: group for group in counts["groups"]}
    assert counts["total"] == 2
    assert groups["US"]["count"] == 2 and groups["RU"]["count"] == 1
    assert groups["US"]["label"] == "United States"
    assert counts["by_status"]["unknown"] == 2
    with pytest.raises(ValueError):
        selectors.partnership_counts(Partnership.objects.as_of(None), group_by="city")


@pytest.mark.parametrize("events", [1, 25])
def test_page_and_api_cost_the_detail_and_no_more(client, events, django_assert_num_queries):
    partnership = _partnership_with(events)
    # The page: the detail, and its record's last change in the edit history.
    with django_assert_num_queries(DETAIL_QUERIES + 1):
        assert client.get(partnership.get_absolute_url()).status_code == 200
    # The API: the detail alone (Last-Modified comes with the partnership's row).
    with django_assert_num_queries(DETAIL_QUERIES):
        get_json(client, "partnership-detail", pk=partnership.pk)
    with django_assert_num_queries(DETAIL_QUERIES):
        get_json(client, "partnership-events", pk=partnership.pk)


def _many_other_citations() -> None:
    """20,000 citations of other partnerships, analysed: enough that reading the citation
    table whole would cost more than its indexes."""
    source = SourceFactory()
    others = PartnershipFactory.create_batch(20)
    Citation.objects.bulk_create(
        Citation(source=source, quote=f"noise {i}", partnership=others[i % 20]) for i in range(20_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partnerships_citation")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_detail_citations_use_indexes():
    """The detail's citation query compares the citation's own indexed columns (a BitmapOr
    of their index scans), not an OR through the events' and activities' joins, which
    scanned every citation (736 ms at 10× data)."""
    partnership = _partnership_with(3)
    # Many other citations, so that reading the table whole would cost more than its indexes.
    _many_other_citations()
    with CaptureQueriesContext(connection) as loading:
        loaded = selectors.partnership_detail(partnership.pk)
    assert loaded is not None and len(loaded.citations.all()) == 3
    (sql,) = [q["sql"] for q in loading.captured_queries if 'FROM "partnerships_citation"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "BitmapOr" in plan, plan
    for column in ("partnership_id", "status_event_id", "activity_id"):
        assert f"partnerships_citation_{column}_" in plan, plan
    assert "Seq Scan on partnerships_citation" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_embed_citations_use_indexes():
    """The embed's citations (``citations_by_partnership``) are found by a UNION of two
    indexed lookups, not an OR through the events' join that read every citation."""
    partnership = _partnership_with(3)
    _many_other_citations()
    with CaptureQueriesContext(connection) as loading:
        found = selectors.citations_by_partnership([partnership])
    expected = set(
        Citation.objects.filter(partnership=partnership).values_list("source_id", flat=True)
    ) | set(
        Citation.objects.filter(status_event__partnership=partnership).values_list("source_id", flat=True)
    )
    assert {c.source_id for c in found[partnership.pk]} == expected and expected
    (sql,) = [q["sql"] for q in loading.captured_queries]
    # On a test-sized table the planner may still prefer to read the table whole; with
    # sequential scans priced out, a query that indexes can answer uses them, while the old
    # OR through the events' join could not (it kept its Seq Scan).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "partnerships_citation_partnership_id_" in plan, plan
    assert "partnerships_citation_status_event_id_" in plan, plan
    assert "Seq Scan on partnerships_citation" not in plan, plan
