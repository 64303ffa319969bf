"""Spreadsheet-safe CSV (issue 14): a cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading
``'`` in every CSV the registry writes — ``?format=csv`` on every list and
``export_registry``'s CSVs — while numbers stay numbers and JSON, GeoJSON and
snapshot.json keep the raw value (a restore gives the exact original)."""

import csv
import io
import json
from decimal import Decimal

import pytest

from partnerships.exporting import export_registry, import_registry, spreadsheet_cell
from partnerships.models import Locality, Organization, Partnership, Source
from tests.apitools import body, csv_rows, get_json, unthrottled, url  # noqa: F401
from tests.factories import LocalityFactory, OrganizationFactory, PartnershipFactory, SourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]

HOSTILE = [
    '=HYPERLINK("http://evil","x")',
    "=1+1",
    "@SUM(1)",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\tTabbed",
    "\rReturned",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_gets_a_leading_quote(value):
    assert spreadsheet_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["-71.06", "-71.06000", "+3", "-0.5", "1e-5", "-1E+3", ".5", "2002-07-15", "Springfield", "", "'quoted"],
)
def test_numbers_dates_and_plain_text_stay_as_they_are(value):
    assert spreadsheet_cell(value) == value


@pytest.mark.parametrize("value", [-71.06, Decimal("-71.06"), -3, None, True])
def test_values_that_are_not_text_are_never_changed(value):
    assert spreadsheet_cell(value) is value


@pytest.fixture
def hostile_records():
    """A locality, an organization and a source per hostile value, and a partnership of
    the hostile localities with coordinates west of Greenwich."""
    localities = [
        LocalityFactory(name=value, country="US", latitude=Decimal("42.36"), longitude=Decimal("-71.06"))
        for value in HOSTILE
    ]
    for value in HOSTILE:
        OrganizationFactory(name=value)
        SourceFactory(title=value)
    PartnershipFactory(locality_a=localities[0], locality_b=localities[1])
    return localities


def test_every_api_list_csv_neutralises_formulas(client, hostile_records):
    checks = [
        ("locality-list", "name", Locality),
        ("organization-list", "name", Organization),
        ("source-list", "title", Source),
    ]
    for name, column, model in checks:
        rows = csv_rows(client.get(url(name, format="csv")))
        by_id = {int(row["id"]): row[column] for row in rows}
        for pk, value in model.objects.values_list("pk", column):
            if value in HOSTILE:
                assert by_id[pk] == "'" + value, (name, value)
    rows = csv_rows(client.get(url("partnership-list", format="csv")))
    (row,) = rows
    assert row["localities.0.name"] in {"'" + HOSTILE[0], "'" + HOSTILE[1]}
    assert row["localities.1.name"] in {"'" + HOSTILE[0], "'" + HOSTILE[1]}
    # No cell of any of these CSVs starts a formula.
    for name in ("locality-list", "organization-list", "source-list", "partnership-list"):
        text = body(client.get(url(name, format="csv"))).decode()
        for cells in csv.reader(io.StringIO(text)):
            for cell in cells:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
                assert not cell.startswith("-") or cell.replace(".", "").lstrip("-").isdigit(), (name, cell)


def test_numbers_stay_numbers_in_the_csv(client, hostile_records):
    listed = {item["id"]: item for item in get_json(client, "locality-list", page_size=100)["results"]}
    rows = csv_rows(client.get(url("locality-list", format="csv")))
    assert rows
    for row in rows:
        item = listed[int(row["id"])]
        longitude = item.get("longitude", item.get("coordinates", {}) and item["coordinates"])
        assert "-71.06" in json.dumps(longitude), item
        flat = {k: v for k, v in row.items() if "longitude" in k}
        assert flat and all(v.startswith("-71.06") for v in flat.values()), flat


def test_json_and_geojson_keep_the_raw_value(client, hostile_records):
    names = {item["name"] for item in get_json(client, "locality-list", page_size=100)["results"]}
    assert set(HOSTILE) <= names
    features = json.loads(body(client.get(url("locality-list", format="geojson"))))["features"]
    assert set(HOSTILE) <= {feature["properties"]["name"] for feature in features}
    features = json.loads(body(client.get(url("partnership-list", format="geojson"))))["features"]
    (feature,) = features
    assert {loc["name"] for loc in feature["properties"]["localities"]} == set(HOSTILE[:2])


def test_snapshot_csvs_are_safe_and_snapshot_json_raw_and_restored_exactly(tmp_path, hostile_records):
    export_registry(tmp_path)
    with open(tmp_path / "csv" / "partnerships.locality.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    names = {row["name"] for row in rows}
    assert {"'" + value for value in HOSTILE} <= names
    assert {row["longitude"] for row in rows} == {"-71.06000"}
    assert all(not row["name"].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows)
    snapshot = (tmp_path / "snapshot.json").read_text(encoding="utf-8")
    for value in HOSTILE:
        assert json.dumps(value, ensure_ascii=False) in snapshot
    before = {
        model: sorted(model.objects.values_list("name" if model is not Source else "title", flat=True))
        for model in (Locality, Organization, Source)
    }
    coordinates = sorted(Locality.objects.values_list("latitude", "longitude"))
    for model in (Partnership, Locality, Organization, Source):
        model.history.all().delete()
    from partnerships.exporting import snapshot_models

    for model in reversed(snapshot_models()):
        model._base_manager.all().delete()
    import_registry(tmp_path)
    after = {
        model: sorted(model.objects.values_list("name" if model is not Source else "title", flat=True))
        for model in (Locality, Organization, Source)
    }
    assert after == before
    assert set(HOSTILE) <= set(after[Locality])
    assert sorted(Locality.objects.values_list("latitude", "longitude")) == coordinates
