"""The public pages that exist so far: they render the seed data honestly."""

import pytest
from django.urls import reverse

from partnerships.models import Locality, Organization, Partnership, Source

from .factories import partnership_with_history

pytestmark = pytest.mark.usefixtures("seed")


def test_home_shows_counts_and_latest_changes(client):
    response = client.get(reverse("partnerships:home"))
    assert response.status_code == 200
    assert response.context["counts"][0][1] == 1  # one proposed: Tver region–Louisiana
    assert "Kherson – Worcester" in response.text


def test_list_filters_by_any_spelling(client):
    response = client.get(reverse("partnerships:partnership-list"), {"q": "KHARKOV"})
    assert [str(p) for p in response.context["page"].object_list] == ["Cincinnati – Kharkiv"]


def test_list_as_of_leaves_out_what_did_not_exist(client):
    response = client.get(reverse("partnerships:partnership-list"), {"as_of": "2020-01-01"})
    names = [str(p) for p in response.context["page"].object_list]
    assert len(names) == 17 and "Kherson – Worcester" not in names


def test_list_reports_a_bad_date_instead_of_failing(client):
    response = client.get(reverse("partnerships:partnership-list"), {"as_of": "2020-02-31"})
    assert response.status_code == 200
    assert "is not a date of the form YYYY-MM-DD" in response.text


@pytest.mark.parametrize("extra", [0, 60])
def test_list_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, extra):
    for _ in range(extra):
        partnership_with_history(("active", "2001"), ("suspended", "2022-03"))
    with django_assert_max_num_queries(3):
        response = client.get(reverse("partnerships:partnership-list"))
    assert len(response.context["page"].object_list) == min(50, 18 + extra)


def test_partnership_page_shows_dates_with_precision_and_quotes(client, django_assert_max_num_queries):
    partnership = Partnership.objects.matching("Velikiy Novgorod").get()
    with django_assert_max_num_queries(10):
        response = client.get(partnership.get_absolute_url())
    text = response.text
    assert "July 2002" in text and "2002-07-01" not in text
    assert "<strong>1993</strong>" in text  # the photo-store venture, dated to the year only
    assert "The sister city agreement between Rochester, NY, and Velikiy Novgorod, Russia" in text
    assert (
        reverse(
            "partnerships:source-detail", kwargs={"pk": Source.objects.get(author="Philip H. de Leon").pk}
        )
        in text
    )


def test_locality_page_lists_aliases_with_dates_and_partnerships(client):
    astana = Locality.objects.get(name="Astana")
    response = client.get(astana.get_absolute_url())
    assert "Nur-Sultan" in response.text and "March 2019" in response.text
    assert "Pittsburgh" in response.text


def test_organization_and_source_pages(client):
    c4c = Organization.objects.get(name="Cities4Cities")
    response = client.get(c4c.get_absolute_url())
    assert "Kherson" in response.text and "10 partnerships" in response.text
    source = Source.objects.get(author="Aidan G. Stretch")
    response = client.get(source.get_absolute_url())
    assert "18 August 2025" in response.text
    assert "one of 10 American-Ukrainian city partnerships" in response.text


def test_figures_page(client):
    response = client.get(reverse("partnerships:figure-list"), {"country": "cn"})
    assert "upward of 100" in response.text


def test_unknown_ids_are_404(client):
    assert client.get(reverse("partnerships:partnership-detail", kwargs={"pk": 999999})).status_code == 404
