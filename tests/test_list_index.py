"""The partnership list's index (PartnershipParty rows and Partnership.sort_name_a/b, kept by
database triggers): kept in step by every kind of write, the filters built on it answer
exactly what the old joins answered, and on PostgreSQL the country, between and name
filters are index scans (EXPLAIN checked)."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Q

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.filters import PartnershipFilterSet
from partnerships.models import Locality, LocalityAlias, Partnership, PartnershipParty
from tests.factories import LocalityFactory, PartnershipFactory, SourceFactory, cite

pytestmark = pytest.mark.django_db


def _rows():
    return sorted(
        PartnershipParty.objects.values_list(
            "partnership_id",
            "side",
            "locality_id",
            "country",
            "other_country",
            "is_country_row",
            "sort_name_a",
            "sort_name_b",
            "status",
        )
    )


def _expected():
    """What the triggers must have written, computed from the records themselves."""
    rows = []
    for p in Partnership.objects.select_related("locality_a", "locality_b"):
        a, b = p.locality_a, p.locality_b
        status = p.current_status
        rows.append((p.pk, "a", a.pk, a.country, b.country, True, a.name, b.name, status))
        rows.append((p.pk, "b", b.pk, b.country, a.country, a.country != b.country, a.name, b.name, status))
        assert (p.sort_name_a, p.sort_name_b) == (a.name, b.name)
    return sorted(rows)


def test_every_write_keeps_the_index_in_step():
    seattle = LocalityFactory(name="Seattle", country="US")
    tashkent = LocalityFactory(name="Tashkent", country="UZ")
    bonn = LocalityFactory(name="Bonn", country="DE")
    potsdam = LocalityFactory(name="Potsdam", country="DE")
    first = PartnershipFactory(locality_a=seattle, locality_b=tashkent)
    domestic = PartnershipFactory(locality_a=bonn, locality_b=potsdam)
    assert _rows() == _expected()
    # A domestic partnership stands once for its country.
    assert PartnershipParty.objects.filter(partnership=domestic, is_country_row=True).count() == 1

    services.update_locality(locality=seattle, name="Seattle, Wash.")
    tashkent.country = "KZ"
    tashkent.save(update_fields=["country"])
    Locality.objects.filter(pk=potsdam.pk).update(name="Potsdam (Brandenburg)")
    assert _rows() == _expected()

    # A party replaced behind the services' back (a queryset update).
    Partnership.objects.filter(pk=domestic.pk).update(locality_b=tashkent)
    # A stale in-memory copy saved in full rewrites its sort names from the parties.
    stale = Partnership.objects.get(pk=first.pk)
    stale.sort_name_a = "wrong"
    stale.save()
    assert _rows() == _expected()

    domestic.delete()
    assert _rows() == _expected()
    assert not PartnershipParty.objects.filter(partnership_id=domestic.pk).exists()


def _party_statuses(partnership):
    return set(PartnershipParty.objects.filter(partnership=partnership).values_list("status", flat=True))


def test_the_index_rows_follow_every_status_change():
    partnership = PartnershipFactory()
    other = PartnershipFactory()
    assert _party_statuses(partnership) == {""}

    def record(status, when, kind="change"):
        return services.record_status_event(
            partnership=partnership,
            status=status,
            effective=PartialDate.parse(when),
            kind=kind,
            citations=[cite()],
        )

    record("active", "1993")
    assert _party_statuses(partnership) == {"active"}
    suspended = record("suspended", "2022-03")
    assert _party_statuses(partnership) == {"suspended"}
    services.update_status_event(event=suspended, status="terminated")
    assert _party_statuses(partnership) == {"terminated"}
    services.delete_status_event(event=suspended)
    assert _party_statuses(partnership) == {"active"}
    # Many at once, and behind the services' back.
    services.record_status_event(
        partnership=other, status="active", effective=PartialDate.parse("2001"), citations=[cite()]
    )
    assert _party_statuses(other) == {"active"}
    services.record_status_change(
        partnerships=[partnership, other],
        status="suspended",
        effective=PartialDate.parse("2024"),
        source=SourceFactory(),
        quote="both suspended",
    )
    assert _party_statuses(partnership) == _party_statuses(other) == {"suspended"}
    Partnership.objects.filter(pk=other.pk).update(
        current_status="", current_status_since=None, current_status_since_precision=""
    )
    assert _party_statuses(other) == {""}
    # A party replaced keeps the status on the new rows.
    Partnership.objects.filter(pk=partnership.pk).update(locality_b=LocalityFactory(country="FR"))
    assert _party_statuses(partnership) == {"suspended"}
    assert _rows() == _expected()


def _old_country(codes):
    return Partnership.objects.filter(Q(locality_a__country__in=codes) | Q(locality_b__country__in=codes))


def _old_between(c1, c2):
    return Partnership.objects.filter(
        Q(locality_a__country=c1, locality_b__country=c2) | Q(locality_a__country=c2, locality_b__country=c1)
    )


def _old_matching(text):
    localities = Locality.objects.matching(text).values("pk")
    return Partnership.objects.filter(Q(locality_a__in=localities) | Q(locality_b__in=localities))


def _ids(queryset):
    return list(queryset.values_list("pk", flat=True))


def _random_registry(count=120, seed=15):
    rng = random.Random(seed)
    countries = ["DE", "FR", "US", "RU", "UA", "PL"]
    names = ["Berg", "Bergen", "Neustadt", "Köln", "Kyiv", "Saint-Denis", "Aachen", "Zürich"]
    localities = [
        LocalityFactory(name=f"{rng.choice(names)} {i % 7}", country=rng.choice(countries)) for i in range(40)
    ]
    LocalityAlias.objects.create(locality=localities[0], name="Kiew")
    LocalityAlias.objects.create(locality=localities[1], name="Cologne")
    pairs = set()
    while len(pairs) < count:
        a, b = rng.sample(localities, 2)
        if (b.pk, a.pk) not in pairs:
            pairs.add((a.pk, b.pk))
    for a, b in pairs:
        PartnershipFactory(locality_a_id=a, locality_b_id=b)
    # Every status, and none (the list index copies it: ?status= beside a country or pair).
    for partnership in Partnership.objects.order_by("pk"):
        status = rng.choice(["", *Partnership.Status.values])
        Partnership.objects.filter(pk=partnership.pk).update(
            current_status=status,
            current_status_since=datetime.date(1990, 1, 1) if status else None,
            current_status_since_precision="year" if status else "",
        )


def test_filters_answer_what_the_joins_answered():
    _random_registry()
    order = ("locality_a__name", "locality_b__name", "id")
    for codes in (["DE"], ["FR"], ["DE", "FR"], ["US", "RU", "UA"], ["JP"]):
        assert sorted(_ids(Partnership.objects.in_country(*codes))) == sorted(_ids(_old_country(codes)))
    for pair in (("DE", "FR"), ("FR", "DE"), ("DE", "DE"), ("US", "JP")):
        assert sorted(_ids(Partnership.objects.between(*pair))) == sorted(_ids(_old_between(*pair)))
    for text in ("berg", "KOLN", "cologne", "kiew", "zur", "x"):
        assert sorted(_ids(Partnership.objects.matching(text))) == sorted(_ids(_old_matching(text)))
    # Through the FilterSet, in its order (the index's), page by page as the old order.
    for query, old in (
        ({"country": "DE"}, _old_country(["DE"])),
        ({"between": "DE,FR"}, _old_between("DE", "FR")),
        ({"country": "DE,FR", "q": "berg"}, _old_country(["DE", "FR"]) & _old_matching("berg")),
        ({"between": "FR,DE", "country": "FR"}, _old_between("DE", "FR")),
        ({"country": "DE", "status": "active"}, _old_country(["DE"]).filter(current_status="active")),
        (
            {"country": "FR", "status": "suspended,terminated"},
            _old_country(["FR"]).filter(current_status__in=["suspended", "terminated"]),
        ),
        ({"between": "DE,FR", "status": "active"}, _old_between("DE", "FR").filter(current_status="active")),
        (
            {"between": "FR,FR", "status": "proposed"},
            _old_between("FR", "FR").filter(current_status="proposed"),
        ),
        (
            {"between": "FR,DE", "country": "DE", "status": "active,proposed"},
            _old_between("DE", "FR").filter(current_status__in=["active", "proposed"]),
        ),
        (
            {"country": "DE,FR", "status": "active"},
            _old_country(["DE", "FR"]).filter(current_status="active"),
        ),
    ):
        filterset = PartnershipFilterSet(query, queryset=Partnership.objects.all())
        assert filterset.is_valid()
        assert _ids(filterset.qs) == _ids(old.order_by(*order)), query
        assert filterset.qs.count() == old.count(), query
        assert filterset.count() == old.count(), query


# ------------------------------------------------------------------ PostgreSQL plans

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's (the production database)"
)


def _plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
def test_country_between_and_name_filters_are_index_scans():
    rng = random.Random(7)
    countries = ["DE", "FR", "US", "RU", "UA", "PL", "IT", "ES", "GB", "NL", "JP", "CN"] * 3
    localities = Locality.objects.bulk_create(
        Locality(
            name=f"Ort {i} {rng.choice(['berg', 'feld', 'stadt', 'dorf'])}", country=rng.choice(countries)
        )
        for i in range(4000)
    )
    LocalityAlias.objects.bulk_create(
        LocalityAlias(locality=locality, name="".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=10)))
        for locality in localities
    )
    pairs = _distinct_pairs(rng, localities, 6000)
    Partnership.objects.bulk_create(
        Partnership(
            locality_a_id=a,
            locality_b_id=b,
            current_status=rng.choice(["active"] * 8 + ["suspended", "terminated"]),
            current_status_since=datetime.date(1990, 1, 1),
            current_status_since_precision="year",
        )
        for a, b in pairs
    )
    with connection.cursor() as cursor:
        for table in ("partnership", "partnershipparty", "locality", "localityalias"):
            cursor.execute(f"ANALYZE partnerships_{table}")

    def listed(query):
        filterset = PartnershipFilterSet(query, queryset=Partnership.objects.all())
        assert filterset.is_valid(), filterset.errors
        return filterset.qs[:50]

    country = _plan(listed({"country": "DE"}))
    assert "party_country_order_idx" in country, country
    assert "Seq Scan" not in country and "Sort" not in country, country

    between = _plan(listed({"between": "DE,FR", "status": "active"}))
    # (The status is on the index's row since 0009: the pair and the status in one index.)
    assert "party_between_status_idx" in between, between
    # (At this size the planner may read the partnerships whole to join them; the filter
    # itself is the index's.)
    assert "Seq Scan on partnerships_partnershipparty" not in between, between

    # A few thousand localities are read faster whole than through a trigram index, so the
    # planner is told to prefer indexes here: this checks that they serve the query (on the
    # real data set the planner picks them by itself; README "Performance" shows the plan).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    name = _plan(listed({"q": LocalityAlias.objects.order_by("pk")[123].name[2:8]}))
    # (alias_name_key_trgm_idx too, once there are more aliases than a GIN scan costs.)
    for index in ("locality_name_key_trgm_idx", "locality_native_key_trgm_idx"):
        assert index in name, name
    assert "party_locality_idx" in name, name
    for table in ("partnershipparty", "locality", "localityalias"):
        assert f"Seq Scan on partnerships_{table} " not in name, name

    unfiltered = _plan(listed({}))
    assert "partnership_name_order_idx" in unfiltered, unfiltered


def _count_plan(query):
    """The plan of the count the API list runs for ``query`` (one query)."""
    from django.test.utils import CaptureQueriesContext

    filterset = PartnershipFilterSet(query, queryset=Partnership.objects.all())
    assert filterset.is_valid(), filterset.errors
    with CaptureQueriesContext(connection) as captured:
        filterset.count()
    (sql,) = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
def test_status_beside_a_country_or_a_pair_is_paged_and_counted_from_the_index():
    rng = random.Random(11)
    countries = ["DE", "FR", "US", "RU", "UA", "PL", "IT", "ES", "GB", "NL", "JP", "CN"]
    localities = Locality.objects.bulk_create(
        Locality(name=f"Ort {i}", country=rng.choice(countries)) for i in range(3000)
    )
    pairs = _distinct_pairs(rng, localities, 8000)
    Partnership.objects.bulk_create(
        Partnership(
            locality_a_id=a,
            locality_b_id=b,
            current_status=rng.choice(["active", "proposed", "suspended", "terminated"]),
            current_status_since=datetime.date(1990, 1, 1),
            current_status_since_precision="year",
        )
        for a, b in pairs
    )
    with connection.cursor() as cursor:
        for table in ("partnership", "partnershipparty", "locality"):
            cursor.execute(f"ANALYZE partnerships_{table}")

    def page(query):
        filterset = PartnershipFilterSet(query, queryset=Partnership.objects.all())
        assert filterset.is_valid(), filterset.errors
        return _plan(filterset.qs[:50])

    for query, index, count_indexes, ordered in (
        # The count may read either index that leads with (country, status): the page's, or
        # the country page's narrower party_country_year_idx.
        (
            {"country": "DE", "status": "active"},
            "party_country_status_idx",
            ("party_country_status_idx", "party_country_year_idx"),
            True,
        ),
        # (A pair's few dozen rows here are sorted after the index scan; on the real data
        # the ordered scan stops after the page, as for one country.)
        (
            {"between": "DE,FR", "status": "suspended"},
            "party_between_status_idx",
            ("party_between_status_idx",),
            False,
        ),
    ):
        plan = page(query)
        assert index in plan, plan
        # An ordered index scan that stops after the page: no sort, no scan of a table.
        assert "Seq Scan" not in plan, plan
        assert not ordered or "Sort" not in plan, plan
        # The count reads that index and no partnership (index-only once VACUUM has set the
        # visibility map, which a test's transaction cannot: a bitmap scan of the index
        # rows here; README "Performance" shows the plan on the benchmark's data).
        count = _count_plan(query)
        assert any(f"on {name}" in count for name in count_indexes), count
        assert "partnerships_partnership " not in count and "Seq Scan" not in count, count
    # Several statuses: the same index.
    count = _count_plan({"between": "DE,FR", "status": "active,proposed"})
    assert "on party_between_status_idx" in count and "Seq Scan" not in count, count


def test_counts_of_one_country_or_a_pair_read_the_index_alone():
    _random_registry(count=60)
    from django.test.utils import CaptureQueriesContext

    for query in ({"country": "DE"}, {"between": "DE,FR"}, {"between": "FR,FR"}):
        filterset = PartnershipFilterSet(query, queryset=Partnership.objects.all())
        assert filterset.is_valid()
        with CaptureQueriesContext(connection) as captured:
            count = filterset.count()
        assert count == filterset.qs.count() > 0 or query == {"between": "FR,FR"}
        (sql,) = [q["sql"] for q in captured.captured_queries]
        assert "partnerships_partnershipparty" in sql and 'partnerships_partnership"' not in sql, sql
    # Any other filter: the ordinary count, still exact.
    filterset = PartnershipFilterSet(
        {"country": "DE", "status": "active"}, queryset=Partnership.objects.all()
    )
    assert filterset.is_valid()
    assert filterset.count() == filterset.qs.count()


def _distinct_pairs(rng, localities, count: int) -> set[tuple[int, int]]:
    """``count`` random (a, b) locality id pairs, no pair also in the other order."""
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < count:
        a, b = rng.sample(localities, 2)
        if (b.pk, a.pk) not in pairs:
            pairs.add((a.pk, b.pk))
    return pairs
