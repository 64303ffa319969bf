"""A partnership's page: parties, dates with precision, the cited status timeline, activities,
organizations, a map of the two places and the edit history's last change."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Partnership, Source

from .factories import (
    LocalityFactory,
    OrganizationFactory,
    PartnershipFactory,
    SourceFactory,
    cite,
    partnership_with_history,
)


def map_points(response):
    match = re.search(r'<script id="partnership-map" type="application/json">(.*?)</script>', response.text)
    return json.loads(match.group(1))


@pytest.mark.usefixtures("seed")
class TestSeed:
    def test_dates_with_precision_and_quotes(self, client):
        partnership = Partnership.objects.matching("Velikiy Novgorod").get()
        response = client.get(partnership.get_absolute_url())
        assert response.status_code == 200
        text = response.text
        assert "<h1>Rochester – Veliky Novgorod</h1>" in text
        assert "July 2002" in text and "2002-07-01" not in text
        assert "<strong>1993</strong>" in text  # the photo-store venture, dated to the year only
        assert "not stated by the sources" in text  # no establishment date in the source
        assert "<q>The sister city agreement between Rochester, NY, and Velikiy Novgorod, Russia</q>" in text
        source = Source.objects.get(author="Philip H. de Leon")
        assert f'href="{source.get_absolute_url()}"' in text
        assert "section “Existing Partnerships and Concrete Achievements”" in text

    def test_undated_source_and_approximate_date(self, client):
        partnership = Partnership.objects.matching("Kherson").get()
        text = client.get(partnership.get_absolute_url()).text
        assert '<time datetime="2025-08">August 2025</time>' in text
        assert "Date approximate" in text
        assert f'href="{partnership.organizations.get().get_absolute_url()}"' in text
        assert "Cities4Cities" in text

    def test_parties_link_to_their_pages_and_countries(self, client):
        partnership = Partnership.objects.matching("Tashkent").get()
        text = client.get(partnership.get_absolute_url()).text
        assert f'href="{partnership.locality_a.get_absolute_url()}"' in text
        assert f'href="{partnership.locality_b.get_absolute_url()}"' in text
        assert 'href="/countries/UZ/"' in text
        assert "Seattle</a>, Washington" in text  # its parent
        assert "sister city" in text

    def test_map_data_has_both_places(self, client):
        partnership = Partnership.objects.matching("Tashkent").get()
        points = map_points(client.get(partnership.get_absolute_url()))
        assert points == [
            {
                "id": partnership.pk,
                "name": "Seattle – Tashkent",
                "url": partnership.get_absolute_url(),
                "status": "active",
                "a": {"name": "Seattle", "lon": -122.3321, "lat": 47.6062},
                "b": {"name": "Tashkent", "lon": 69.2401, "lat": 41.2995},
            }
        ]

    def test_suggest_a_correction_link(self, client):
        partnership = Partnership.objects.first()
        text = client.get(partnership.get_absolute_url()).text
        url = reverse("partnerships:correction-create", kwargs={"kind": "partnership", "pk": partnership.pk})
        assert f'href="{url}"' in text and "Suggest a correction" in text


def test_status_timeline_events_in_order_with_party_note_and_citations(client, db):
    seattle = LocalityFactory(name="Seattle", country="US")
    partner = LocalityFactory(name="Zarechny", country="RU")
    partnership = PartnershipFactory(locality_a=seattle, locality_b=partner)
    union = OrganizationFactory(name="Union of Russian Cities")
    source = SourceFactory(title="City council minutes", url="https://council.example.org/minutes-7")
    services.record_status_event(
        partnership=partnership,
        status="active",
        effective=PartialDate.parse("1993"),
        note="Signed at the city hall.",
        declared_by="both",
        citations=[cite(source, "the two mayors signed the agreement")],
    )
    services.record_status_event(
        partnership=partnership,
        status="suspended",
        effective=PartialDate.parse("2022-03-15"),
        declared_by="locality_a",
        citations=[cite(source, "the council voted to suspend all ties")],
    )
    services.record_status_event(
        partnership=partnership,
        status="terminated",
        effective=PartialDate.parse("2023-05"),
        declared_by="organization",
        declaring_organization=union,
        internal_record=True,
    )
    response = client.get(partnership.get_absolute_url())
    text = response.text
    timeline = text[text.index("Status timeline") : text.index("<h2>Where</h2>")]
    assert timeline.index("1993") < timeline.index("15 March 2022") < timeline.index("May 2023")
    assert '<time datetime="2022-03-15">15 March 2022</time>' in timeline
    assert "Signed at the city hall." in timeline
    assert "Declared by Seattle and Zarechny." in timeline
    assert "Declared by Seattle." in timeline
    assert "Declared by Union of Russian Cities." in timeline
    assert "Internal record" in timeline
    assert "<q>the council voted to suspend all ties</q>" in timeline
    assert 'href="https://council.example.org/minutes-7"' in timeline  # the source itself
    assert f'href="{source.get_absolute_url()}"' in timeline  # and its page here
    assert "status-terminated" in text and "since May 2023" in text


def test_last_changed_comes_from_the_edit_history(client, db):
    partnership = partnership_with_history(("active", "2001"))
    latest = partnership.history.latest("history_date")
    response = client.get(partnership.get_absolute_url())
    assert response.context["last_changed"] == latest.history_date
    assert latest.history_date.strftime("%-d %B %Y") in response.text
    # The page follows the history, not the row's own timestamp.
    partnership.history.filter(pk=latest.pk).update(history_date=latest.history_date.replace(year=2030))
    response = client.get(partnership.get_absolute_url())
    assert latest.history_date.replace(year=2030).strftime("%-d %B %Y") in response.text


def test_place_without_coordinates(client, db):
    partnership = partnership_with_history(("active", "2001"))
    response = client.get(partnership.get_absolute_url())
    assert "no coordinates recorded" in response.text
    assert map_points(response)[0]["a"]["lat"] is None


def test_unknown_id_is_404(client, db):
    response = client.get(reverse("partnerships:partnership-detail", kwargs={"pk": 999999}))
    assert response.status_code == 404
    assert "Page not found" in response.text


@pytest.mark.parametrize("rows", [1, 100])
def test_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries, rows):
    partnership = PartnershipFactory()
    # Shared related rows still cost a query per row if the page failed to join or
    # prefetch them, and keep the set-up quick.
    source, other_source, union = SourceFactory(), SourceFactory(), OrganizationFactory()
    status = "active"
    for year in range(1900, 1900 + rows):
        services.record_status_event(
            partnership=partnership,
            status=status,
            effective=PartialDate.parse(str(year)),
            citations=[cite(source), cite(other_source)],
            declared_by="organization",
            declaring_organization=union,
        )
        status = "suspended" if status == "active" else "active"
        services.add_activity(
            partnership=partnership,
            kind="visit",
            description=f"visit {year}",
            occurred=PartialDate(datetime.date(year, 1, 1), "year"),
            citations=[cite(source)],
        )
        services.add_citation(citation=cite(other_source), partnership=partnership)
    partnership.organizations.add(*[OrganizationFactory() for _ in range(rows)])
    assert partnership.events.count() == rows
    # partnership, its citations, organizations, focus areas, events, their citations,
    # activities, their citations, the history's latest date
    with django_assert_max_num_queries(9):
        response = client.get(partnership.get_absolute_url())
    assert response.text.count('class="citation"') == rows * 4
