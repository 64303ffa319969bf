"""/search/?q=: places, partnerships, organizations and sources by any name or alias,
ignoring case and diacritics."""

import pytest
from django.urls import reverse

from .factories import LocalityFactory, OrganizationFactory, SourceFactory, partnership_with_history

URL = reverse("partnerships:search")


def found(response, key):
    for name, _label, _count, rows in response.context["results"]:
        if name == key:
            return [str(row) for row in rows]
    raise AssertionError(key)


@pytest.mark.usefixtures("seed")
class TestSeed:
    @pytest.mark.parametrize("q", ["Kharkov", "KHARKIV", "kharkiv", "Харків", "Харьков"])
    def test_any_spelling_of_kharkiv(self, client, q):
        response = client.get(URL, {"q": q})
        assert response.status_code == 200
        assert found(response, "localities") == ["Kharkiv (UA)"]
        assert found(response, "partnerships") == ["Cincinnati – Kharkiv"]
        assert "Cincinnati – Kharkiv" in response.text

    def test_former_name(self, client):
        response = client.get(URL, {"q": "stalinabad"})
        assert found(response, "localities") == ["Dushanbe (TJ)"]
        assert found(response, "partnerships") == ["Boulder – Dushanbe"]
        assert "also Stalinabad" in response.text

    def test_organizations_and_sources(self, client):
        response = client.get(URL, {"q": "SCI"})
        assert "Sister Cities International (SCI)" in found(response, "organizations")
        response = client.get(URL, {"q": "sputnik"})
        assert len(found(response, "sources")) == 3
        response = client.get(URL, {"q": "cities4cities"})
        assert found(response, "organizations") == ["Cities4Cities"]
        assert len(found(response, "sources")) == 1

    def test_nothing_found(self, client):
        response = client.get(URL, {"q": "Atlantis"})
        assert "Nothing matches “Atlantis”" in response.text
        assert response.context["total"] == 0


def test_diacritics_both_ways(client, db):
    cologne = LocalityFactory(name="Köln", country="DE")
    partnership_with_history(("active", "1991"), locality_a=cologne, locality_b=LocalityFactory(country="RU"))
    for q in ("Koln", "KÖLN", "köln", "kol"):
        response = client.get(URL, {"q": q})
        assert found(response, "localities") == ["Köln (DE)"], q
        assert len(found(response, "partnerships")) == 1


def test_empty_search_shows_only_the_form(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["results"] is None
    assert '<label for="search-q">' in response.text


@pytest.mark.parametrize(
    ("q", "message"), [("x" * 201, "at most 200 characters"), ("a\x00b", "cannot be searched")]
)
def test_bad_search_text_is_a_message(client, db, q, message):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert message in response.text and 'role="alert"' in response.text


@pytest.mark.parametrize("rows", [1, 100])
def test_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries, rows):
    for n in range(rows):
        place = LocalityFactory(name=f"Novo {n}", parent=LocalityFactory())
        partnership_with_history(("active", "2001"), locality_a=place)
        OrganizationFactory(name=f"Novo friends {n}")
        SourceFactory(title=f"Novo news {n}")
    # a count and a page of rows for each of the four kinds, and the places' aliases
    with django_assert_max_num_queries(9):
        response = client.get(URL, {"q": "novo"})
    assert response.context["total"] == 4 * rows
    assert len(found(response, "partnerships")) == min(rows, 50)
