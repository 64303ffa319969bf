"""?format=csv on every list and ?format=geojson on localities and partnerships: every
matching row (not one page), streamed, parsed back here."""

import json

import pytest

from partnerships.models import Locality, Organization, Partnership, ReportedFigure, Source
from tests.apitools import body, csv_rows, get_json, unthrottled, url  # noqa: F401
from tests.factories import LocalityFactory, PartnershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("partnership-list", Partnership),
        ("locality-list", Locality),
        ("organization-list", Organization),
        ("source-list", Source),
        ("reported-figure-list", ReportedFigure),
    ],
)
def test_csv_has_every_row_not_one_page(client, seed, name, model):
    response = client.get(url(name, format="csv", page_size=2))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert sorted(int(row["id"]) for row in rows) == sorted(model.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("name", ["locality-list", "organization-list"])
def test_flat_csv_has_the_json_columns_and_values(client, seed, name):
    listed = get_json(client, name, page_size=200)["results"]
    rows = csv_rows(client.get(url(name, format="csv")))
    assert list(rows[0]) == list(listed[0])
    by_id = {str(item["id"]): item for item in listed}
    for row in rows:
        item = by_id[row["id"]]
        assert row["name"] == item["name"]
        assert row["html_url"] == item["html_url"]


def test_partnership_csv_columns_match_the_json(client, seed):
    rows = {int(row["id"]): row for row in csv_rows(client.get(url("partnership-list", format="csv")))}
    json_rows = {row["id"]: row for row in get_json(client, "partnership-list", page_size=200)["results"]}
    for pk, row in json_rows.items():
        flat = rows[pk]
        assert flat["localities.0.name"] == row["localities"][0]["name"]
        assert flat["localities.1.country"] == row["localities"][1]["country"]
        assert flat["status"] == (row["status"] or "")
        assert flat["status_since.date"] == (row["status_since"]["date"] or "")
        assert flat["kind"] == row["kind"]
        assert flat["url"] == row["url"] and flat["html_url"] == row["html_url"]
        assert (
            flat["organizations"].split("; ") == [o["name"] for o in row["organizations"]]
            or not row["organizations"]
        )


def test_csv_takes_the_same_filters(client, seed):
    rows = csv_rows(client.get(url("partnership-list", format="csv", between="US,RU", status="proposed")))
    assert [(r["localities.0.name"], r["localities.1.name"]) for r in rows] == [("Tver Oblast", "Louisiana")]
    assert csv_rows(client.get(url("locality-list", format="csv", q="Kharkov")))[0]["name"] == "Kharkiv"


def test_csv_of_nothing_still_has_its_header(client, db):
    text = body(client.get(url("partnership-list", format="csv"))).decode()
    assert text.splitlines() == [text.splitlines()[0]] and text.startswith("id,url,html_url,kind,")


def test_csv_with_a_bad_filter_is_a_json_400(client, db):
    response = client.get(url("partnership-list", format="csv", country="XX"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert list(response.json()["errors"]) == ["country"]


def test_csv_keeps_commas_quotes_and_newlines(client, db):
    LocalityFactory(name='Town, "the" big\none', country="US")
    [row] = csv_rows(client.get(url("locality-list", format="csv")))
    assert row["name"] == 'Town, "the" big\none'


def test_geojson_localities_are_points(client, seed):
    response = client.get(url("locality-list", format="geojson"))
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(body(response))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == Locality.objects.count()
    kharkiv = next(f for f in collection["features"] if f["properties"]["name"] == "Kharkiv")
    assert kharkiv["geometry"] == {"type": "Point", "coordinates": [36.2304, 49.9935]}  # lon, lat
    assert kharkiv["id"] == kharkiv["properties"]["id"]


def test_geojson_partnerships_are_lines_between_the_parties(client, seed):
    collection = json.loads(body(client.get(url("partnership-list", format="geojson", q="Kharkiv"))))
    [feature] = collection["features"]
    assert feature["geometry"]["type"] == "LineString"
    assert feature["geometry"]["coordinates"] == [[-84.5120, 39.1031], [36.2304, 49.9935]]
    assert feature["properties"]["localities"][0]["name"] == "Cincinnati"


def test_geojson_without_coordinates_has_null_geometry(client, db):
    placed = LocalityFactory(latitude=10, longitude=20)
    partnership = PartnershipFactory(locality_a=placed)  # the other party has no coordinates
    collection = json.loads(body(client.get(url("partnership-list", format="geojson"))))
    assert collection["features"] == [
        {
            "type": "Feature",
            "id": partnership.pk,
            "geometry": None,
            "properties": collection["features"][0]["properties"],
        }
    ]
    points = json.loads(body(client.get(url("locality-list", format="geojson"))))["features"]
    assert {f["id"]: f["geometry"] for f in points}[partnership.locality_b_id] is None


def test_geojson_is_not_offered_where_it_means_nothing(client, db):
    response = client.get(url("organization-list", format="geojson"))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["format"]


def test_exports_stream_in_chunks_with_constant_queries(client, db, django_assert_max_num_queries):
    PartnershipFactory.create_batch(30)
    response = client.get(url("partnership-list", format="csv"))
    # The last-change time, then per chunk of 500 rows: the rows and their two prefetches.
    with django_assert_max_num_queries(4):
        rows = csv_rows(response)
    assert len(rows) == 30
