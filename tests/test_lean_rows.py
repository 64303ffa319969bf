"""The partnership list's lean path (partnerships/api/serializers/lean.py) answers exactly
what PartnershipSerializer would: the same bytes, on the seed and on generated data with
nulls, aliases, every status, attestations, organizations and focus areas, through every
filter and as of a date; and its exports parsed back equal the list's rows, with each
row's licence."""

import csv
import datetime
import io
import json
import random
from collections import OrderedDict

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from partnerships import selectors, services
from partnerships.api.serializers import PartnershipSerializer
from partnerships.dates import PartialDate
from partnerships.filters import PartnershipFilterSet
from partnerships.importing.datasets import HEKMAN
from partnerships.licensing import DATASET_LICENSES, REGISTRY_LICENSE
from partnerships.models import LocalityAlias, Partnership, Source
from tests.apitools import body, unthrottled, url  # noqa: F401
from tests.factories import LocalityFactory, OrganizationFactory, SourceFactory, cite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]

QUERIES = [
    {},
    {"page_size": 7, "page": 2},
    {"country": "DE"},
    {"country": "DE,FR", "ordering": "-established"},
    {"between": "DE,FR"},
    {"between": "FR,DE", "status": "active"},
    {"status": "suspended,terminated"},
    {"q": "berg"},
    {"q": "köln"},
    # ?q= pages are cut on the partnerships' own columns first (lean.CutFirst).
    {"q": "a", "page_size": 3, "page": 2},
    {"q": "berg", "ordering": "-established", "as_of": "2000-01-01", "status": "active"},
    {"q": "berg", "ordering": "updated_at", "kind": "friendship,sister_city"},
    {"q": "berg", "country": "DE"},
    {"kind": "friendship"},
    {"ordering": "name"},
    {"ordering": "-updated_at"},
    {"as_of": "2000-01-01"},
    {"as_of": "2015-06-30", "country": "DE", "status": "active"},
    {"established_after": "1990", "established_before": "2010-05"},
    {"country": "US,RU,UA"},
    {"between": "US,RU"},
]


def serializer_answer(client, query):
    """The page as DRF's serializer renders it (the reference), and the lean path's answer."""
    response = client.get(url("partnership-list", **query))
    assert response.status_code == 200, response.content[:300]
    answer = json.loads(response.content)
    request = Request(APIRequestFactory().get(url("partnership-list", **query)))
    filterset = PartnershipFilterSet(
        {k: str(v) for k, v in query.items() if k not in ("page", "page_size")},
        queryset=selectors.partnership_rows(),
    )
    assert filterset.is_valid(), filterset.errors
    size, page = int(query.get("page_size", 50)), int(query.get("page", 1))
    rows = filterset.qs[(page - 1) * size : page * size]
    assert filterset.qs.count() == answer["count"]
    expected = OrderedDict(
        count=filterset.qs.count(),
        next=answer["next"],
        previous=answer["previous"],
        results=PartnershipSerializer(rows, many=True, context={"request": request}).data,
    )
    return JSONRenderer().render(expected), response.content


def generated_registry(n=80, seed=13):
    """Localities with aliases and odd names; partnerships with every status (changes and
    attestations), dates of every precision or none, organizations and focus areas."""
    rng = random.Random(seed)
    names = ["Bergen", "Köln", "Saint-Denis", "Line\u2028Sep", 'Quote "Town"', "Zürich", "Нижний", "A"]
    localities = [
        LocalityFactory(name=f"{rng.choice(names)} {i}", country=rng.choice(["DE", "FR", "US", "RU", "UA"]))
        for i in range(30)
    ]
    for locality in localities[:10]:
        LocalityAlias.objects.create(locality=locality, name=f"Old {locality.name} berg")
    organizations = [OrganizationFactory(abbreviation=rng.choice(["", "SCI"])) for _ in range(4)]
    source = SourceFactory()
    dataset = Source.objects.create(title="Hekman", url=HEKMAN.source.url, kind="directory")
    pairs = set()
    while len(pairs) < n:
        a, b = rng.sample(localities, 2)
        if (b.pk, a.pk) not in pairs:
            pairs.add((a.pk, b.pk))
    by_pk = {locality.pk: locality for locality in localities}
    histories = [
        [],
        [("change", "active", "1990")],
        [("change", "proposed", "1989-05"), ("change", "active", "1991-02-03")],
        [("change", "proposed", "2024-05")],
        [("change", "active", "1993"), ("change", "suspended", "2022-03-04")],
        [("change", "active", "1970"), ("change", "terminated", "2022")],
        [("attestation", "active", "2002-07")],
        [("change", "active", "1973"), ("attestation", "active", "2002-07")],
    ]
    for index, (a, b) in enumerate(sorted(pairs)):
        established = rng.choice([None, PartialDate.parse("1988"), PartialDate.parse("1995-04-02")])
        partnership = services.create_partnership(
            locality_a=by_pk[a],
            locality_b=by_pk[b],
            level=rng.choice(Partnership.Level.values),
            established=established,
            organizations=rng.sample(organizations, rng.randint(0, 2)),
            focus_areas=rng.sample(["health", "education", "trade"], rng.randint(0, 2)),
            citations=[cite(dataset if index % 3 == 0 else source)],
        )
        for kind, status, when in histories[index % len(histories)]:
            services.record_status_event(
                partnership=partnership,
                status=status,
                effective=PartialDate.parse(when),
                kind=kind,
                citations=[cite(source)],
            )


@pytest.mark.parametrize("query", QUERIES)
def test_lean_rows_are_the_serializers_on_the_seed(client, seed, query):
    expected, answer = serializer_answer(client, query)
    assert answer == expected


def test_lean_rows_are_the_serializers_on_generated_data(client):
    generated_registry()
    statuses = set(Partnership.objects.values_list("current_status", flat=True))
    assert statuses == {"", "proposed", "active", "suspended", "terminated"}
    for query in QUERIES:
        expected, answer = serializer_answer(client, {**query, "page_size": query.get("page_size", 200)})
        assert answer == expected, query


def _csv(client, **query):
    return list(
        csv.DictReader(io.StringIO(body(client.get(url("partnership-list", format="csv", **query))).decode()))
    )


def _geojson(client, **query):
    return json.loads(body(client.get(url("partnership-list", format="geojson", **query))))


def _list(client, **query):
    return json.loads(client.get(url("partnership-list", page_size=200, **query)).content)["results"]


def _flat(row, prefix=""):
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{name}."))
        elif key == "localities":
            for index, item in enumerate(value):
                flat.update(_flat(item, f"{name}.{index}."))
        elif isinstance(value, list):
            flat[name] = "; ".join(item["name"] for item in value)
        else:
            flat[name] = "" if value is None else str(value)
    return flat


def test_exports_parsed_back_equal_the_lists_rows_with_their_licences(client):
    generated_registry(n=60)
    wikipedia = DATASET_LICENSES[HEKMAN.source.url]
    for query in ({}, {"country": "DE"}, {"between": "DE,FR"}, {"q": "berg"}, {"status": "active"}):
        listed = _list(client, **query)
        rows = _csv(client, **query)
        features = _geojson(client, **query)["features"]
        assert [int(row["id"]) for row in rows] == [item["id"] for item in listed]
        assert [feature["id"] for feature in features] == [item["id"] for item in listed]
        for item, row, feature in zip(listed, rows, features, strict=True):
            licences = [REGISTRY_LICENSE.name]
            cited = Partnership.objects.get(pk=item["id"]).citations.filter(source__url=HEKMAN.source.url)
            if cited.exists():
                licences.append(wikipedia.name)
            assert row.pop("license") == "; ".join(licences)
            assert wikipedia.attribution in row.pop("attribution") or len(licences) == 1
            # The list's rows carry the same licences (issue 13), in full.
            listed_licences = item.pop("license")
            assert [licence["name"] for licence in listed_licences] == licences
            # Text cells a spreadsheet would run stay neutralised (none here start with =+-@).
            assert row == _flat(item)
            properties = feature["properties"]
            assert properties.pop("license") == listed_licences
            assert properties == item
            assert feature["geometry"] is None  # the factories' localities have no coordinates


def test_geojson_lines_join_the_parties_coordinates(client):
    a = LocalityFactory(name="West", country="US", latitude="47.60620", longitude="-122.33210")
    b = LocalityFactory(name="East", country="UZ", latitude="41.29950", longitude="69.24010")
    services.create_partnership(locality_a=a, locality_b=b, citations=[cite()])
    (feature,) = _geojson(client)["features"]
    assert feature["geometry"] == {
        "type": "LineString",
        "coordinates": [[-122.3321, 47.6062], [69.2401, 41.2995]],
    }


def _generic_csv(query, columns):
    """The CSV as the generic path wrote it (lean rows, flattened, each cell through
    ``_cell``, line by line): the reference for the direct cells."""
    from partnerships.api.renderers import csv_lines, flatten
    from partnerships.api.serializers import lean

    request = Request(APIRequestFactory().get(url("partnership-list", format="csv", **query)))
    filterset = PartnershipFilterSet(query, queryset=selectors.partnership_rows())
    assert filterset.is_valid()

    def flat_rows():
        for row, _t in lean.export_rows(filterset.qs, lean.RowBuilder(request), chunk=7):
            licences = row.pop("license")
            flat = flatten(row, indexed=("localities",))
            flat["license"] = "; ".join(licence["name"] for licence in licences)
            flat["attribution"] = "; ".join(licence["attribution"] for licence in licences)
            yield flat

    return "".join(csv_lines(flat_rows(), columns)).encode()


def test_csv_cells_straight_from_the_tuples_are_the_generic_paths_bytes(client):
    from partnerships.api.serializers import lean

    generated_registry(n=40)
    # Cells a spreadsheet would run, numbers that stay numbers, an empty organization name.
    formula = LocalityFactory(name="=HYPERLINK(1)", country="DE")
    number = LocalityFactory(name="-12.5", country="FR")
    services.create_partnership(
        locality_a=formula,
        locality_b=number,
        level="friendship",
        established=None,
        organizations=[OrganizationFactory(name="@org"), OrganizationFactory(name="+plus")],
        focus_areas=["-minus"],
        citations=[cite(SourceFactory())],
    )
    for query in ({}, {"country": "DE"}, {"between": "DE,FR"}, {"q": "berg"}, {"country": "JP"}):
        expected = _generic_csv(query, list(lean.CSV_COLUMNS))
        assert body(client.get(url("partnership-list", format="csv", **query))) == expected, query
    everything = _generic_csv({}, list(lean.CSV_COLUMNS))
    assert b"'=HYPERLINK(1)" in everything and b",-12.5," in everything and b"'+plus; @org" in everything
    assert b",'-minus," in everything


def test_csv_licences_follow_the_citations_order_on_every_database(client):
    """Each row's licences as the detail names them: the registry's, then each data set in
    the order of the row's own citations, then its events' (by date): the same bytes as the
    generic path's, whichever way the rows were read (on PostgreSQL the rows' own query
    looks the citations up, lean_exports)."""
    from partnerships.api.serializers import lean
    from partnerships.importing.datasets import MUENCHDO

    hekman = Source.objects.create(title="Hekman", url=HEKMAN.source.url, kind="directory")
    muenchdo = Source.objects.create(title="muenchdo", url=MUENCHDO.source.url, kind="directory")
    plain = SourceFactory()
    cases = {
        "own muenchdo, event hekman": ([muenchdo], [("1990", hekman)]),
        "own hekman, event muenchdo": ([hekman, plain], [("1990", muenchdo)]),
        "events: muenchdo earlier": ([plain], [("2001", hekman), ("1999", muenchdo)]),
        "events: hekman earlier": ([plain], [("1999", hekman), ("2001", muenchdo), ("2005", hekman)]),
        "none": ([plain], [("1999", plain)]),
    }
    names = {}
    for index, (name, (own, events)) in enumerate(cases.items()):
        partnership = services.create_partnership(
            locality_a=LocalityFactory(name=f"{name} A", country="DE"),
            locality_b=LocalityFactory(name=f"{name} B", country="FR"),
            organizations=[
                OrganizationFactory(name=f"Org {index}"),
                OrganizationFactory(name=f"Assoc {index}"),
            ],
            focus_areas=["trade", "health"][: index % 3],
            citations=[cite(source) for source in own],
        )
        for when, source in events:
            services.record_status_event(
                partnership=partnership,
                status="active",
                effective=PartialDate.parse(when),
                kind="attestation",
                citations=[cite(source)],
            )
        names[partnership.pk] = name
    answer = body(client.get(url("partnership-list", format="csv")))
    assert answer == _generic_csv({}, list(lean.CSV_COLUMNS))
    rows = {names[int(row["id"])]: row for row in csv.DictReader(io.StringIO(answer.decode()))}
    cc_by, sa = REGISTRY_LICENSE.name, DATASET_LICENSES[HEKMAN.source.url].name
    mit = DATASET_LICENSES[MUENCHDO.source.url].name
    assert rows["own muenchdo, event hekman"]["license"] == f"{cc_by}; {mit}; {sa}"
    assert rows["own hekman, event muenchdo"]["license"] == f"{cc_by}; {sa}; {mit}"
    assert rows["events: muenchdo earlier"]["license"] == f"{cc_by}; {mit}; {sa}"
    assert rows["events: hekman earlier"]["license"] == f"{cc_by}; {sa}; {mit}"
    assert rows["none"]["license"] == cc_by
    assert rows["none"]["organizations"] == "Assoc 4; Org 4"


def test_geojson_bytes_are_the_chunked_paths_on_every_database(client):
    """The GeoJSON as the view streams it (on PostgreSQL each row's organizations, focus
    areas and licences from the rows' own query, lean_exports) is byte for byte the one
    built from lean.export_rows' chunks and their lookups."""
    from partnerships.api.serializers import lean

    generated_registry(n=40)
    a = LocalityFactory(name="West \u2028", country="DE", latitude="47.60620", longitude="-122.33210")
    b = LocalityFactory(name="East", country="FR", latitude="41.29950", longitude="69.24010")
    services.create_partnership(
        locality_a=a,
        locality_b=b,
        organizations=[OrganizationFactory(name="Zeta", abbreviation=""), OrganizationFactory(name="Alpha")],
        focus_areas=["trade", "culture"],
        citations=[cite(SourceFactory())],
    )
    # Times as DRF writes them, whoever writes them (on PostgreSQL the database): without a
    # fraction when it is zero, the year in four digits.
    utc = datetime.UTC
    first, second = Partnership.objects.order_by("pk").values_list("pk", flat=True)[:2]
    Partnership.objects.filter(pk=first).update(updated_at=datetime.datetime(999, 1, 2, 3, 4, 5, tzinfo=utc))
    Partnership.objects.filter(pk=second).update(
        updated_at=datetime.datetime(2026, 1, 2, 3, 4, 5, 500, tzinfo=utc)
    )
    for query in ({}, {"country": "DE"}, {"between": "DE,FR"}, {"q": "berg"}, {"country": "JP"}):
        request = Request(APIRequestFactory().get(url("partnership-list", format="geojson", **query)))
        filterset = PartnershipFilterSet(query, queryset=selectors.partnership_rows())
        assert filterset.is_valid()
        expected = b"".join(
            lean.geojson_bytes(
                {"type": "Feature", "id": t[0], "geometry": lean.line(t), "properties": row}
                for row, t in lean.export_rows(filterset.qs, lean.RowBuilder(request), geometry=True, chunk=7)
            )
        )
        assert body(client.get(url("partnership-list", format="geojson", **query))) == expected, query
    everything = json.loads(body(client.get(url("partnership-list", format="geojson"))))
    [line] = [f for f in everything["features"] if f["geometry"] is not None]
    assert [o["name"] for o in line["properties"]["organizations"]] == ["Alpha", "Zeta"]
    assert [f["slug"] for f in line["properties"]["focus_areas"]] == ["culture", "trade"]
    updated = {f["id"]: f["properties"]["updated_at"] for f in everything["features"]}
    assert updated[first] == "0999-01-02T03:04:05Z" and updated[second] == "2026-01-02T03:04:05.000500Z"
    csv_updated = {int(row["id"]): row["updated_at"] for row in _csv(client)}
    assert (
        csv_updated[first] == "0999-01-02T03:04:05Z" and csv_updated[second] == "2026-01-02T03:04:05.000500Z"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_an_export_left_half_read_ends_its_transaction(fmt):
    """On PostgreSQL an export reads its rows in a transaction of its own; a client that
    goes away mid-stream (the server closes the response, and with it the rows) leaves
    none open behind it."""
    from django.db import connection

    from partnerships.api.serializers import lean, lean_exports

    if connection.vendor != "postgresql":
        pytest.skip("SQLite reads exports chunk by chunk, without a transaction")
    generated_registry(n=12)
    request = Request(APIRequestFactory().get(url("partnership-list", format=fmt)))
    filterset = PartnershipFilterSet({}, queryset=selectors.partnership_rows())
    assert filterset.is_valid()
    rows = (lean_exports.csv_rows if fmt == "csv" else lean_exports.features)(
        filterset.qs, lean.RowBuilder(request)
    )
    lean_exports.FETCH, fetch = 5, lean_exports.FETCH
    try:
        first = next(rows)
        assert connection.in_atomic_block
        rows.close()
        assert not connection.in_atomic_block
        assert connection.get_autocommit()
        assert Partnership.objects.count() == 12
    finally:
        lean_exports.FETCH = fetch
    assert (first[0] if fmt == "csv" else first["id"]) in Partnership.objects.values_list("pk", flat=True)


PRECOMPILED = [
    {"country": "DE"},
    {"country": "FR"},
    {"between": "DE,FR"},
    {"between": "FR,DE"},
    {"country": "US", "status": "active"},
    {"country": "DE", "status": "active,suspended,terminated"},
    {"between": "US,RU", "status": "proposed,active"},
]


@pytest.mark.parametrize("query", PRECOMPILED)
def test_precompiled_pages_are_the_querysets_rows(query):
    """One country or a pair (± status) runs the page's SQL compiled once per shape
    (lean_pages): every page of it, first and past the first, is the FilterSet's queryset's
    rows, in its order, on generated data."""
    from partnerships.api.serializers import lean, lean_pages

    generated_registry()
    filterset = PartnershipFilterSet(query, queryset=selectors.partnership_rows())
    assert filterset.is_valid(), filterset.errors
    rows = lean_pages.precompiled_rows(filterset)
    assert rows is not None, "this shape must be precompiled"
    expected = list(lean.page_rows(filterset.qs))
    assert expected, "the generated data has rows for every query here"
    assert filterset.count() == len(expected)
    for start, stop in ((0, 50), (0, 3), (2, 5), (len(expected) - 1, len(expected) + 4), (5, 5)):
        assert rows[start:stop] == expected[start:stop], (start, stop)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"country": "DE,FR"},
        {"country": "DE", "ordering": "-established"},
        {"country": "DE", "q": "berg"},
        {"between": "DE,FR", "as_of": "2000-01-01"},
        {"country": "DE", "kind": "friendship"},
    ],
)
def test_other_filters_are_not_precompiled(seed, query):
    from partnerships.api.serializers import lean_pages

    filterset = PartnershipFilterSet(query, queryset=selectors.partnership_rows())
    assert filterset.is_valid(), filterset.errors
    assert lean_pages.precompiled_rows(filterset) is None
