"""Ranked search, one selector (selectors.search_localities) for the /search/ page, the
admin's locality search and the API's ?q=: exact names first, then other names of the
place (name key, gazetteer), prefixes, substrings; "did you mean" when nothing matches."""

import pytest
from django.urls import reverse

from partnerships import selectors
from partnerships.models import Locality
from tests.factories import LocalityFactory, partnership_with_history
from tests.test_admin import changelist_url, results

SEARCH = reverse("partnerships:search")


@pytest.fixture
def places(db):
    made = {
        name: LocalityFactory(name=name, country=country)
        for name, country in [
            ("Köln", "DE"),
            ("Kölnerberg", "AT"),
            ("Sokolniki (Moscow)", "RU"),  # contains "koln"
            ("Kyiv", "UA"),
            ("Moscow", "RU"),
            ("Mumbai", "IN"),
            ("Kraków", "PL"),
            ("Babruysk", "BY"),
        ]
    }
    partnership_with_history(locality_a=made["Babruysk"], locality_b=made["Sokolniki (Moscow)"])
    partnership_with_history(locality_a=made["Kyiv"], locality_b=made["Köln"])
    return made


def names(queryset):
    return [loc.name for loc in queryset]


def test_exact_first_then_prefix_then_substring(places):
    assert names(selectors.search_localities("Köln")) == ["Köln", "Kölnerberg", "Sokolniki (Moscow)"]
    assert names(selectors.search_localities("koln")) == ["Köln", "Kölnerberg", "Sokolniki (Moscow)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kiev", "Kyiv"),
        ("Koeln", "Köln"),
        ("Moskva", "Moscow"),
        ("Москва", "Moscow"),
        ("Bombay", "Mumbai"),
        ("Cracow", "Kraków"),
    ],
)
def test_other_names_of_a_place_find_it(places, text, expected):
    assert names(selectors.search_localities(text))[:1] == [expected]


def test_the_search_page_ranks_places_and_their_partnerships(places, client):
    response = client.get(SEARCH, {"q": "Köln"})
    localities = next(rows for key, _l, _c, rows in response.context["results"] if key == "localities")
    partnerships = next(rows for key, _l, _c, rows in response.context["results"] if key == "partnerships")
    assert next(loc.name for loc in localities) == "Köln"
    # Köln's own partnership before "Babruysk – Sokolniki (Moscow)".
    assert next(str(p) for p in partnerships) in ("Kyiv – Köln", "Köln – Kyiv")
    kiev = client.get(SEARCH, {"q": "Kiev"})
    assert "Kyiv" in kiev.text


def test_did_you_mean_when_nothing_matches(places, client):
    response = client.get(SEARCH, {"q": "Mumbia"})
    assert response.context["total"] == 0
    assert [loc.name for loc in response.context["did_you_mean"]] == ["Mumbai"]
    assert "Did you mean" in response.text
    assert not client.get(SEARCH, {"q": "Köln"}).context["did_you_mean"]


def test_the_admin_and_the_api_rank_alike(places, editor_client, client):
    admin = results(editor_client.get(changelist_url(Locality), {"q": "Köln"}))
    assert names(admin) == ["Köln", "Kölnerberg", "Sokolniki (Moscow)"]
    api = client.get(reverse("api:locality-list"), {"q": "Köln"}).json()["results"]
    assert [row["name"] for row in api] == ["Köln", "Kölnerberg", "Sokolniki (Moscow)"]
    assert client.get(reverse("api:locality-list"), {"q": "Kiev"}).json()["results"][0]["name"] == "Kyiv"
    # Choosing a column to sort by still sorts by it.
    by_name = results(editor_client.get(changelist_url(Locality), {"q": "Köln", "o": "-1"}))
    assert names(by_name) == ["Sokolniki (Moscow)", "Kölnerberg", "Köln"]
