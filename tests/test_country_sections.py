"""The country page's sections counted in SQL (selectors.country_overview,
country_status_spans, figure_counts) give what the timelines rule of
partnerships.country_stats gives from every partnership and event loaded into Python, on
random data: domestic partnerships, undated ones, events in the future, every status;
and on PostgreSQL the counts and the admin's lists are served by their indexes."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Count

from partnerships import country_stats, selectors, services, steps
from partnerships.dates import PartialDate
from partnerships.models import Locality, Partnership, PartnershipParty, ReportedFigure, StatusEvent

from .factories import cite

COUNTRIES = ["DE", "FR", "PL", "US", "RU"]
TODAY = datetime.date(2020, 6, 15)
STATUSES = [choice.value for choice in Partnership.Status]


def _random_registry(seed: int, *, partnerships: int = 300) -> None:
    rng = random.Random(seed)
    localities = Locality.objects.bulk_create(
        Locality(name=f"Ort {i}", country=rng.choice(COUNTRIES)) for i in range(120)
    )
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < partnerships:
        a, b = rng.sample(localities, 2)
        if (b.pk, a.pk) not in pairs:
            pairs.add((a.pk, b.pk))
    rows = []
    for a, b in sorted(pairs):
        status = rng.choice(["", *STATUSES])
        established = None if rng.random() < 0.2 else datetime.date(rng.randint(1950, 2025), 1, 1)
        rows.append(
            Partnership(
                locality_a_id=a,
                locality_b_id=b,
                established_on=established,
                established_precision="year" if established else "",
                current_status=status,
                current_status_since=datetime.date(2000, 1, 1) if status else None,
                current_status_since_precision="year" if status else "",
            )
        )
    created = Partnership.objects.bulk_create(rows)
    events = []
    for partnership in created:
        for _ in range(rng.choice([0, 0, 1, 2, 3, 4])):
            # Some on the same date, some after TODAY (not counted yet).
            on = datetime.date(rng.randint(1960, 2030), rng.choice([1, 6, 12]), rng.choice([1, 15, 30]))
            events.append(
                StatusEvent(
                    partnership=partnership,
                    status=rng.choice(STATUSES),
                    effective_on=on,
                    effective_precision="day",
                    is_internal_record=True,
                )
            )
    StatusEvent.objects.bulk_create(events)
    _store_steps()


def _store_steps() -> None:
    """The bulk-created timelines' steps, as the services store them (the rule's own
    function; the services' paths are tested in test_the_steps_follow_every_write)."""
    timelines: dict[int, list[StatusEvent]] = {}
    for event in StatusEvent.objects.order_by("partnership_id", "effective_on", "id"):
        timelines.setdefault(event.partnership_id, []).append(event)
    Partnership.objects.bulk_update(
        [Partnership(pk=pk, status_steps=steps.status_steps(events)) for pk, events in timelines.items()],
        ["status_steps"],
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_sections_agree_with_the_timelines(db, seed):
    _random_registry(seed)
    for code in COUNTRIES:
        rows = selectors.country_timelines(code)
        overview = selectors.country_overview(code, localities=10)
        assert overview["total"] == len(rows) > 0
        assert overview["headline"] == country_stats.status_headline(rows)
        assert overview["partners"] == country_stats.partner_countries(rows, code)
        expected_top = country_stats.top_localities(rows, code, limit=10)
        assert [(loc.pk, n) for loc, n in overview["top_localities"]] == expected_top
        names = dict(
            Locality.objects.filter(pk__in=[pk for pk, _n in expected_top]).values_list("pk", "name")
        )
        assert [loc.name for loc, _n in overview["top_localities"]] == [names[pk] for pk, _n in expected_top]
        assert overview["established"] == country_stats.established_counts(rows)
        spans = selectors.country_status_spans(code, today=TODAY)
        assert country_stats.counts_from_spans(spans, today=TODAY) == country_stats.counts_by_year(
            rows, today=TODAY
        )


@pytest.mark.parametrize("seed", [1, 2, 7])
def test_the_chart_from_the_steps_counts_as_the_events(db, seed, django_assert_num_queries):
    """With no event after the day counted, the spans come from the list index's copies of
    the steps, in one query that reads no event, and count exactly as the events' own
    spans (country_event_spans, and the Python timelines)."""
    _random_registry(seed)
    today = datetime.date(2031, 1, 1)  # after every event
    for code in COUNTRIES:
        rows = selectors.country_timelines(code)
        with django_assert_num_queries(1) as captured:
            spans = selectors.country_status_spans(code, today=today)
        assert "statusevent" in captured.captured_queries[0]["sql"]  # the check for later events
        assert "LEAD(" not in captured.captured_queries[0]["sql"].upper()
        from_steps = country_stats.counts_from_spans(spans, today=today)
        assert from_steps == country_stats.counts_from_spans(
            selectors.country_event_spans(code, today=today), today=today
        )
        assert from_steps == country_stats.counts_by_year(rows, today=today)
        assert any(year.total for year in from_steps)


def test_an_event_after_the_day_counted_reads_the_events(db, django_assert_num_queries):
    """Events dated after ``today`` (which the services refuse) and timelines too long for
    their steps still count exactly: the spans then come from the events (a second query)."""
    _random_registry(8)
    with django_assert_num_queries(2):
        spans = selectors.country_status_spans("DE", today=TODAY)
    assert spans == selectors.country_event_spans("DE", today=TODAY)
    late = datetime.date(2031, 1, 1)
    partnership = Partnership.objects.filter(parties__country="DE").first()
    Partnership.objects.filter(pk=partnership.pk).update(status_steps=steps.TOO_LONG)
    with django_assert_num_queries(2):
        spans = selectors.country_status_spans("DE", today=late)
    assert spans == selectors.country_event_spans("DE", today=late)


def test_the_steps_rule():
    def ev(on, status, pk):
        return StatusEvent(effective_on=datetime.date.fromisoformat(on), status=status, pk=pk)

    assert steps.status_steps([]) is None
    assert steps.status_steps([ev("1973-05-01", "active", 1)]) == "A1973"
    # Order by date then id; an event followed by another in its year leaves no step; a
    # status that goes on extends its step.
    timeline = [
        ev("2022-03-04", "suspended", 3),
        ev("1973-01-01", "proposed", 1),
        ev("1973-06-01", "active", 2),
        ev("1990-01-01", "active", 9),
        ev("2023-01-01", "active", 4),
        ev("2023-05-01", "terminated", 5),
    ]
    assert steps.status_steps(timeline) == "A1973S2022T2023"
    assert list(steps.spans("A1973S2022T2023")) == [
        ("active", 1973, 2022),
        ("suspended", 2022, 2023),
        ("terminated", 2023, None),
    ]
    yearly = [ev(f"{1800 + i}-01-01", "active" if i % 2 else "suspended", i) for i in range(210)]
    assert steps.status_steps(yearly) == steps.TOO_LONG
    assert len(steps.status_steps(yearly[:200])) == steps.MAX_LENGTH


def test_figure_counts_agree_with_the_timelines(db):
    _random_registry(3)
    figures = []
    for as_of in ("1975", "1999-06", "2010-02-14", "2024"):
        for country_b in ("", "FR"):
            for status in ("", "active", "suspended"):
                for measure in ReportedFigure.Measure.values:
                    figures.append(
                        services.add_reported_figure(
                            count=1,
                            country_a="DE",
                            country_b=country_b,
                            status=status,
                            measure=measure,
                            as_of=PartialDate.parse(as_of),
                            citations=[cite()],
                        )
                    )
    rows = selectors.country_timelines("DE")
    assert selectors.figure_counts(figures) == country_stats.compare_figures(rows, figures)
    assert any(c.registry_count for c in selectors.figure_counts(figures))
    assert selectors.figure_counts([]) == []


def test_sections_of_a_country_without_partnerships(db):
    overview = selectors.country_overview("NO")
    assert overview["total"] == 0 and overview["partners"] == [] and overview["top_localities"] == []
    assert overview["established"].buckets == [] and overview["established"].undated == 0
    assert selectors.country_status_spans("NO", today=TODAY) == []


# ------------------------------------------------------------------ PostgreSQL plans

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's (the production database)"
)


def _explain(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _plan(queryset):
    return _explain(*queryset.query.sql_with_params())


@postgresql_only
def test_country_counts_and_lists_use_their_indexes(db):
    _random_registry(4, partnerships=1500)
    with connection.cursor() as cursor:
        for table in ("partnership", "partnershipparty", "locality", "localityalias", "statusevent"):
            cursor.execute(f"ANALYZE partnerships_{table}")
        # A few thousand rows are read faster whole than through an index: the planner is
        # told to prefer indexes, so that this checks that they serve the queries.
        cursor.execute("SET LOCAL enable_seqscan = off")
    ranked = (
        PartnershipParty.objects.order_by()
        .filter(country="DE")
        .values("locality_id")
        .annotate(n=Count("partnership_id"))
    )
    top = _plan(ranked)
    assert "party_country_locality_idx" in top and "Seq Scan" not in top, top
    partners = _plan(
        PartnershipParty.objects.order_by()
        .filter(country="DE", is_country_row=True)
        .values("other_country")
        .annotate(n=Count("partnership_id"))
    )
    assert "party_" in partners and "Seq Scan" not in partners, partners
    # The chart's steps: counted from their index, no event read (index-only once the
    # table is vacuumed, as in production; a test transaction cannot vacuum).
    chart = _plan(
        PartnershipParty.objects.order_by()
        .filter(country="DE", is_country_row=True, status_steps__isnull=False)
        .values("status_steps")
        .annotate(n=Count("*"))
    )
    assert "party_country_steps_idx" in chart and "Seq Scan" not in chart, chart
    assert "statusevent" not in chart, chart
    # The admin's locality changelist, in its default order: the first page from the index.
    page = _plan(Locality.objects.order_by("name", "country", "id")[:100])
    assert "locality_name_order_idx" in page and "Sort" not in page, page
    # The ranked search: every part an index lookup, no locality read whole.
    search = _plan(selectors.search_localities("ort 1"))
    assert "locality_name_key_trgm_idx" in search, search
    assert "locality_identity_key_idx" in search, search
    assert "Seq Scan on partnerships_locality " not in search, search


@postgresql_only
def test_locality_countries_is_a_loose_index_scan(db):
    _random_registry(5, partnerships=10)
    assert selectors.locality_countries() == sorted(set(Locality.objects.values_list("country", flat=True)))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        selectors.locality_countries()
    (query,) = captured.captured_queries
    plan = _explain(query["sql"])
    assert "Recursive Union" in plan and "Index Only Scan" in plan, plan


# ------------------------------------------------- the list index's status copies


def _copies_agree():
    expected = {
        p.pk: (p.current_status, p.established_on.year if p.established_on else None, p.status_steps)
        for p in Partnership.objects.all()
    }
    rows = list(
        PartnershipParty.objects.values_list("partnership_id", "status", "established_year", "status_steps")
    )
    assert len(rows) == 2 * len(expected)
    for partnership_id, status, year, stored_steps in rows:
        assert (status, year, stored_steps) == expected[partnership_id], partnership_id


def test_the_index_copies_follow_every_write(db):
    from .factories import LocalityFactory, PartnershipFactory

    berlin, paris, lyon = (LocalityFactory(country=c) for c in ("DE", "FR", "FR"))
    partnership = PartnershipFactory(
        locality_a=berlin,
        locality_b=paris,
        established_on=datetime.date(1987, 5, 1),
        established_precision="month",
    )
    _copies_agree()
    # A status change through the service (the stored current status moves).
    services.record_status_change(
        partnerships=[partnership],
        status="active",
        effective=PartialDate.parse("1990"),
        source=None,
        internal_record=True,
    )
    partnership.refresh_from_db()
    assert partnership.current_status == "active" and partnership.status_steps == "A1990"
    _copies_agree()
    # The steps follow the timeline's services: record, correct, delete.
    event = services.record_status_event(
        partnership=partnership,
        status="suspended",
        effective=PartialDate.parse("2022-03"),
        internal_record=True,
    )
    assert Partnership.objects.get(pk=partnership.pk).status_steps == "A1990S2022"
    _copies_agree()
    services.update_status_event(event=event, effective=PartialDate.parse("2021"))
    assert Partnership.objects.get(pk=partnership.pk).status_steps == "A1990S2021"
    _copies_agree()
    services.delete_status_event(event=event)
    assert Partnership.objects.get(pk=partnership.pk).status_steps == "A1990"
    _copies_agree()
    Partnership.objects.filter(pk=partnership.pk).update(status_steps="A1990T1999")
    _copies_agree()
    partnership.refresh_from_db()
    # A queryset update, the established date, the parties: every path.
    Partnership.objects.filter(pk=partnership.pk).update(established_on=None, established_precision="")
    _copies_agree()
    Partnership.objects.filter(pk=partnership.pk).update(locality_b=lyon)
    _copies_agree()
    Locality.objects.filter(pk=berlin.pk).update(name="Berlin-Mitte")
    _copies_agree()
    Partnership.objects.filter(pk=partnership.pk).update(
        current_status="suspended",
        current_status_since=datetime.date(2022, 3, 1),
        current_status_since_precision="month",
    )
    _copies_agree()
    _random_registry(6, partnerships=50)  # bulk writes
    _copies_agree()


def test_index_flows_equal_the_joined_flows(db):
    _random_registry(7)
    for code in COUNTRIES:
        joined = selectors.map_flows(Partnership.objects.as_of(None).in_country(code), list_url="/l/")
        assert selectors.country_map_flows(code, list_url="/l/") == joined
        pair = selectors.map_flows(Partnership.objects.as_of(None).between(code, "FR"), list_url="/l/")
        assert selectors.country_map_flows(code, other="FR", list_url="/l/") == pair


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_country_counts_are_index_only():
    """Vacuumed, as autovacuum keeps a live database, the country page's counts and the
    map's flows read their indexes alone: they count rows (COUNT(*)), not a column the
    indexes lack."""
    from django.test.utils import CaptureQueriesContext

    from partnerships.selectors.maps import country_map_flows

    _random_registry(9, partnerships=600)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE partnerships_partnershipparty")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_bitmapscan = off")
    try:
        with CaptureQueriesContext(connection) as overview:
            selectors.country_overview("DE")
        with CaptureQueriesContext(connection) as spans:
            selectors.country_status_spans("DE", today=datetime.date(2031, 1, 1))
        with CaptureQueriesContext(connection) as flows:
            country_map_flows("DE", list_url="/partnerships/")
        plans = {
            name: _explain(captured.captured_queries[0]["sql"])
            for name, captured in (("overview", overview), ("spans", spans), ("flows", flows))
        }
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_bitmapscan")
    assert plans["overview"].count("Index Only Scan using party_country_year_idx") == 2, plans["overview"]
    assert "Index Only Scan using party_country_locality_idx" in plans["overview"], plans["overview"]
    assert "Index Only Scan using party_country_steps_idx" in plans["spans"], plans["spans"]
    assert "Index Only Scan using party_country_year_idx" in plans["flows"], plans["flows"]
