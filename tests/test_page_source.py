"""A source's page: what it is, and every claim the registry cites it for, with the quote."""

import pytest

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Partnership, Source

from .factories import LocalityFactory, SourceFactory, cite, partnership_with_history


@pytest.mark.usefixtures("seed")
class TestSeed:
    def test_every_claim_with_its_quote(self, client):
        source = Source.objects.get(author="Aidan G. Stretch")
        response = client.get(source.get_absolute_url())
        assert response.status_code == 200
        text = response.text
        assert "18 August 2025" in text
        assert "The Free Press (bariweiss.substack.com), republished by USSANews.com" in text
        assert "one of 10 American-Ukrainian city partnerships" in text
        assert "We’ve now had four or five calls" in text
        assert len(response.context["citations"]) == source.citations.count() == 4
        kherson = Partnership.objects.matching("Kherson").get()
        assert (
            f'That the partnership <a href="{kherson.get_absolute_url()}">Kherson – Worcester</a> exists'
            in text
        )
        assert (
            f'<a href="{kherson.get_absolute_url()}#timeline">Kherson – Worcester</a>: reported active in August 2025'
            in text
        )
        assert "(paragraph 3)" in text

    def test_month_precision_publication(self, client):
        source = Source.objects.get(author="Philip H. de Leon")
        text = client.get(source.get_absolute_url()).text
        assert "<dd>July 2002</dd>" in text
        assert "Reported figure:" in text and "96 partnerships" in text


def test_source_links_and_archived_copy(client, db):
    source = SourceFactory(
        url="https://news.example.org/story",
        archived_url="https://web.archive.org/web/2020/https://news.example.org/story",
    )
    partnership_with_history(("active", "2001"))
    text = client.get(source.get_absolute_url()).text
    assert 'href="https://news.example.org/story"' in text
    assert 'href="https://web.archive.org/web/2020/https://news.example.org/story"' in text
    assert "Nothing cites it yet." in text


@pytest.mark.parametrize("rows", [1, 100])
def test_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries, rows):
    source = SourceFactory()
    for n in range(rows):
        partnership = partnership_with_history(("active", "2001"))
        services.add_citation(citation=cite(source, f"partnership {n}"), partnership=partnership)
        event = partnership.events.get()
        services.add_citation(citation=cite(source, f"event {n}"), status_event=event)
        services.add_activity(
            partnership=partnership,
            kind="visit",
            description="a visit",
            occurred=PartialDate.parse("2005"),
            citations=[cite(source, f"activity {n}")],
        )
        services.add_reported_figure(
            count=n, as_of=PartialDate.parse("2020"), citations=[cite(source, f"figure {n}")]
        )
        services.add_citation(citation=cite(source, f"locality {n}"), locality=partnership.locality_a)
    # the source, its citations with everything they support
    with django_assert_max_num_queries(2):
        response = client.get(source.get_absolute_url())
    assert len(response.context["citations"]) == 5 * rows
    assert response.text.count("Locality: <a href=") == rows


def test_a_cited_locality(client, db):
    source = SourceFactory()
    locality = LocalityFactory(name="Kharkiv", country="UA")
    services.add_citation(citation=cite(source), locality=locality)
    text = client.get(source.get_absolute_url()).text
    assert f'Locality: <a href="{locality.get_absolute_url()}">Kharkiv</a> (UA)' in text
