"""/map/: a world map of partnerships coloured by status, filterable like the list, drawn
offline from vendored Natural Earth shapes, with a table for readers without the map."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from .factories import LocalityFactory, partnership_with_history

URL = reverse("partnerships:map")


def points(response):
    match = re.search(
        r'<script id="partnership-points" type="application/json">(.*?)</script>', response.text
    )
    return json.loads(match.group(1))


@pytest.mark.usefixtures("seed")
class TestSeed:
    def test_every_partnership_with_both_places(self, client):
        response = client.get(URL)
        assert response.status_code == 200
        data = points(response)
        assert len(data) == 18
        tashkent = next(p for p in data if p["name"] == "Seattle – Tashkent")
        assert tashkent["a"] == {"name": "Seattle", "lon": -122.3321, "lat": 47.6062}
        assert tashkent["status"] == "active"
        assert {p["status"] for p in data} == {"active", "proposed"}

    def test_filtered_like_the_list(self, client):
        data = points(client.get(URL, {"country": "UA"}))
        assert sorted(p["name"] for p in data) == [
            "Cincinnati – Kharkiv",
            "Iowa – Cherkasy Oblast",
            "Kherson – Worcester",
        ]
        assert [p["name"] for p in points(client.get(URL, {"status": "proposed"}))] == [
            "Tver Oblast – Louisiana"
        ]

    def test_a_table_for_readers_without_the_map(self, client):
        text = client.get(URL, {"country": "UZ"}).text
        details = text[text.index("<details>") : text.index("</details>")]
        assert "Seattle – Tashkent" in details and '<th scope="col">Partnership</th>' in details

    def test_bad_parameters_are_a_message(self, client):
        response = client.get(URL, {"as_of": "yesterday", "country": "US"})
        assert response.status_code == 200
        assert "“yesterday” is not a date of the form YYYY-MM-DD" in response.text
        assert len(points(response)) == 18

    def test_links_to_the_same_filter_as_a_list_and_csv(self, client):
        response = client.get(URL, {"country": "UA"})
        assert f'href="{reverse("partnerships:partnership-list")}?country=UA"' in response.text
        assert response.context["csv_url"].endswith("?country=UA&format=csv")


def test_as_of_colours_by_the_status_then(client, db):
    partnership_with_history(
        ("active", "1993"),
        ("suspended", "2022-03"),
        locality_a=LocalityFactory(name="Springfield", country="US", latitude=39.8, longitude=-89.6),
        locality_b=LocalityFactory(name="Zarechny", country="RU", latitude=56.8, longitude=61.3),
    )
    assert [p["status"] for p in points(client.get(URL, {"as_of": "2021-12-31"}))] == ["active"]
    assert [p["status"] for p in points(client.get(URL))] == ["suspended"]
    assert points(client.get(URL, {"as_of": "1990-01-01"})) == []


def test_works_offline_from_vendored_files(client, db):
    text = client.get(URL).text
    scripts = re.findall(r'<script src="([^"]+)"', text)
    assert scripts == [
        "/static/vendor/d3-array-3.2.5/d3-array.min.js",
        "/static/vendor/d3-geo-3.1.2/d3-geo.min.js",
        "/static/vendor/topojson-client-3.1.0/topojson-client.min.js",
        "/static/partnerships/map.js",
    ]
    assert 'data-world="/static/vendor/world-atlas-2.0.2/countries-110m.json"' in text
    for path in [s.removeprefix("/static/") for s in scripts] + [
        "vendor/world-atlas-2.0.2/countries-110m.json"
    ]:
        assert finders.find(path), path
    world = json.loads(Path(finders.find("vendor/world-atlas-2.0.2/countries-110m.json")).read_text())
    assert world["type"] == "Topology" and len(world["objects"]["countries"]["geometries"]) > 170
    # No page may load anything from another host.
    assert not re.search(r'(src|href)="(https?:)?//', text)
    for package in ("d3-array-3.2.5", "d3-geo-3.1.2", "topojson-client-3.1.0", "world-atlas-2.0.2"):
        assert finders.find(f"vendor/{package}/LICENSE"), package
    readme = Path(finders.find("vendor/README.md")).read_text()
    assert "Natural Earth" in readme and "ISC" in readme


def test_partnerships_without_coordinates_are_counted(client, db):
    partnership_with_history(("active", "2001"))
    response = client.get(URL)
    assert len(response.context["unplaced"]) == 1
    assert "1 without coordinates" in response.text


@pytest.mark.parametrize("rows", [1, 100])
def test_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries, rows):
    for _ in range(rows):
        partnership_with_history(("active", "2001"), ("suspended", "2022-03"))
    # the rows, the organization and country choices of the form
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"as_of": "2021-12-31"})
    assert len(points(response)) == rows


def flows(response):
    match = re.search(r'<script id="partnership-flows" type="application/json">(.*?)</script>', response.text)
    return json.loads(match.group(1)) if match else None


@pytest.mark.usefixtures("seed")
class TestWholeSelection:
    """Beyond MAP_LIMIT partnerships the map shows every one of them, as flows between
    countries with their counts (not the first MAP_LIMIT)."""

    def test_flows_count_every_partnership(self, client, monkeypatch):
        monkeypatch.setattr("partnerships.views.maps.MAP_LIMIT", 5)
        response = client.get(URL)
        data = flows(response)
        assert sum(flow["count"] for flow in data) == 18 == response.context["total"]
        us_ru = next(flow for flow in data if {flow["a"], flow["b"]} == {"US", "RU"})
        assert us_ru["na"] in ("840", "643") and us_ru["nb"] in ("840", "643")
        assert us_ru["by_status"] == {"active": us_ru["count"] - 1, "proposed": 1}
        assert us_ru["status"] == "active"
        assert us_ru["url"].endswith("between=RU,US")
        # Biggest first, and a table of them for readers without the map.
        assert [flow["count"] for flow in data] == sorted((flow["count"] for flow in data), reverse=True)
        assert us_ru["name"] in response.text.split("<details>")[1]
        assert 'data-kind="flows"' in response.text

    def test_a_country_with_few_enough_is_lines(self, client, monkeypatch):
        monkeypatch.setattr("partnerships.views.maps.MAP_LIMIT", 5)
        response = client.get(URL, {"country": "UA"})
        assert flows(response) is None and len(points(response)) == 3
        # Over the limit for one country: its flows, from the index's count.
        response = client.get(URL, {"country": "RU"})
        assert {(flow["a"], flow["b"]) for flow in flows(response)} == {("RU", "US")}

    def test_flows_follow_as_of_and_the_filters(self, client, monkeypatch):
        monkeypatch.setattr("partnerships.views.maps.MAP_LIMIT", 1)
        data = flows(client.get(URL, {"status": "active", "as_of": "2003-01-01"}))
        assert all(set(flow["by_status"]) == {"active"} for flow in data)


@pytest.mark.parametrize("rows", [3, 60])
def test_flows_query_count_does_not_grow(client, db, django_assert_max_num_queries, monkeypatch, rows):
    monkeypatch.setattr("partnerships.views.maps.MAP_LIMIT", 2)
    for _ in range(rows):
        partnership_with_history(("active", "2001"))
    # the probe rows, the flows, the organization and country choices of the form
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert sum(flow["count"] for flow in flows(response)) == rows
