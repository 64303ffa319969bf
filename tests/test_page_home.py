"""/: what the registry is, headline numbers by status, latest status changes with their
sources, a search box."""

import pytest
from django.urls import reverse

from partnerships.models import Source

from .factories import partnership_with_history

URL = reverse("partnerships:home")


def test_seed_headline_numbers_and_latest_changes(client, seed):
    response = client.get(URL)
    assert response.status_code == 200
    counts = {status.value: n for status, n in response.context["counts"]}
    assert counts == {"proposed": 1, "active": 17, "suspended": 0, "terminated": 0}
    assert response.context["total"] == 18 and response.context["source_count"] == 5
    text = response.text
    assert "Partnerships between communities, dated and cited" in text
    assert '<span class="n">17</span> active' in text
    assert 'href="/partnerships/?status=active"' in text

    latest = list(response.context["latest_events"])
    assert str(latest[0].partnership) == "Kherson – Worcester"
    changes = text[text.index("Latest status changes") :]
    assert changes.index("Kherson – Worcester") < changes.index("Tver Oblast – Louisiana")
    assert '<time datetime="2025-08">August 2025</time>' in changes
    assert "<q>Kherson and Worcester are one of 10 American-Ukrainian city partnerships" in changes
    stretch = Source.objects.get(author="Aidan G. Stretch")
    assert f'href="{stretch.get_absolute_url()}"' in changes


def test_search_box(client, db):
    text = client.get(URL).text
    assert f'action="{reverse("partnerships:search")}"' in text
    assert '<label for="home-q">' in text and 'id="home-q" name="q" type="search"' in text


def test_counts_follow_status_changes(client, db):
    partnership_with_history(("active", "2001"), ("suspended", "2022-03"))
    partnership_with_history(("active", "2001"), ("terminated", "2023"))
    partnership_with_history()  # no status recorded yet
    response = client.get(URL)
    counts = {status.value: n for status, n in response.context["counts"]}
    assert counts == {"proposed": 0, "active": 0, "suspended": 1, "terminated": 1}
    assert response.context["unknown_count"] == 1
    assert "1</span> without a recorded status" in response.text
    events = [(str(e.effective), e.status) for e in response.context["latest_events"]]
    assert events[:2] == [("2023", "terminated"), ("March 2022", "suspended")]


@pytest.mark.parametrize("rows", [1, 100])
def test_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries, rows):
    for _ in range(rows):
        partnership_with_history(("active", "2001"), ("suspended", "2022-03"))
    # counts by status, latest events with their partnerships, their citations, sources
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert len(response.context["latest_events"]) == min(2 * rows, 10)
