"""A locality's page: its names and aliases with their dates, its parent, its partnerships."""

import pytest
from django.urls import reverse

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Locality

from .factories import LocalityFactory, SourceFactory, cite, partnership_with_history


@pytest.mark.usefixtures("seed")
class TestSeed:
    def test_aliases_with_their_dates(self, client):
        astana = Locality.objects.get(name="Astana")
        response = client.get(astana.get_absolute_url())
        assert response.status_code == 200
        text = response.text
        assert "Nur-Sultan" in text and "from March 2019 until September 2022" in text
        assert "Tselinograd" in text and "from 1961 until 1992" in text
        assert "former name" in text
        assert "2019-03-01" not in text

    def test_alias_without_dates_and_in_another_script(self, client):
        kharkiv = Locality.objects.get(name="Kharkiv")
        text = client.get(kharkiv.get_absolute_url()).text
        assert '<th scope="row" lang="ru">Харьков</th>' in text
        assert "Kharkov" in text and "dates not recorded" in text

    def test_its_partnerships_with_status(self, client):
        astana = Locality.objects.get(name="Astana")
        response = client.get(astana.get_absolute_url())
        assert [str(p) for p in response.context["partnerships"]] == ["Pittsburgh – Astana"]
        assert "Pittsburgh – Astana" in response.text
        assert 'status-active">active' in response.text
        assert "July 2002" in response.text

    def test_parent_and_children(self, client):
        seattle = Locality.objects.get(name="Seattle")
        washington = Locality.objects.get(name="Washington")
        text = client.get(seattle.get_absolute_url()).text
        assert f'Lies in</dt><dd><a href="{washington.get_absolute_url()}">Washington</a>' in text
        text = client.get(washington.get_absolute_url()).text
        assert f'<a href="{seattle.get_absolute_url()}">Seattle</a>' in text
        assert 'href="/countries/US/"' in text

    def test_suggest_a_correction_link(self, client):
        astana = Locality.objects.get(name="Astana")
        url = reverse("partnerships:correction-create", kwargs={"kind": "locality", "pk": astana.pk})
        assert f'href="{url}"' in client.get(astana.get_absolute_url()).text


def test_unknown_locality_is_404(client, db):
    assert client.get(reverse("partnerships:locality-detail", kwargs={"pk": 424242})).status_code == 404


@pytest.mark.parametrize("rows", [1, 100])
def test_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries, rows):
    hub = LocalityFactory(name="Hub", country="US", parent=LocalityFactory(country="US"))
    for n in range(rows):
        partnership_with_history(("active", "2001"), locality_a=hub, locality_b=LocalityFactory(country="RU"))
        services.add_locality_alias(
            locality=hub,
            alias=services.AliasInput(name=f"Old Hub {n}", kind="former", valid_to=PartialDate.parse("1990")),
        )
        LocalityFactory(country="US", parent=hub)
        services.add_citation(citation=cite(quote=f"Hub is a town {n}"), locality=hub)
    # locality with parent, aliases, children, citations with their sources, partnerships,
    # the partnerships' data-set licences
    with django_assert_max_num_queries(6):
        response = client.get(hub.get_absolute_url())
    assert len(response.context["partnerships"]) == rows
    assert response.text.count("until 1990") == rows
    assert response.text.count("Hub is a town") == rows


def test_the_sources_cited_for_it(client, db):
    locality = LocalityFactory()
    text = client.get(locality.get_absolute_url()).text
    assert "Sources for this locality" not in text
    source = SourceFactory(title="German municipal partnerships (data set)")
    services.add_citation(
        citation=services.CitationInput(source=source, quote="", locator="row 12"), locality=locality
    )
    text = client.get(locality.get_absolute_url()).text
    assert "Sources for this locality" in text
    assert f'<a class="source-page" href="{source.get_absolute_url()}">{source}</a>, row 12' in text
    assert source.title in text
