"""/countries/<ISO>/ at volume: 10,000 partnerships with a party in Germany (most, like the
German data set, with a start year and no status events; 2,000 with status events; 500
domestic), bulk-created once for the module. Every section is checked against those
numbers, and the page runs the same queries for 1 partnership as for 10,000."""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.urls import reverse

from partnerships import services, steps
from partnerships.dates import PartialDate
from partnerships.models import Locality, Partnership, StatusEvent

from .factories import LocalityFactory, cite, partnership_with_history

TOTAL = 10_000
BLOCKS = [("FR", 4000), ("PL", 2000), ("GB", 1500), ("US", 1000), ("RU", 1000), ("DE", 500)]
GERMAN_TOWNS = 2000
BERLIN_EXTRA = 60  # the first partnerships all have Berlin as their German party


def _established(k: int):
    if k % 10 == 0:
        return None, ""  # a tenth undated
    return datetime.date(1950 + k % 70, 1, 1), "year"


@pytest.fixture(scope="module")
def ten_thousand(django_db_setup, django_db_blocker):
    """Created in one transaction that is rolled back after the module: each test's own
    transaction nests inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        german = Locality.objects.bulk_create(
            [Locality(name="Berlin", country="DE")]
            + [Locality(name=f"Dorf {i}", country="DE") for i in range(1, GERMAN_TOWNS)]
        )
        partnerships = []
        k = 0
        for country, count in BLOCKS:
            partners = Locality.objects.bulk_create(
                [Locality(name=f"{country} town {i}", country=country) for i in range(count)]
            )
            for partner in partners:
                de = german[0] if k < BERLIN_EXTRA else german[1 + k % (GERMAN_TOWNS - 1)]
                on, precision = _established(k)
                status, since = "", None
                if country in ("US", "RU"):
                    suspended = country == "RU" and k % 2 == 0
                    status = "suspended" if suspended else "active"
                    since = datetime.date(2022, 3, 1) if suspended else datetime.date(1990, 1, 1)
                partnerships.append(
                    Partnership(
                        locality_a=de,
                        locality_b=partner,
                        level=Partnership.Level.PARTNERSHIP,
                        established_on=on,
                        established_precision=precision,
                        current_status=status,
                        current_status_since=since,
                        current_status_since_precision="month" if since else "",
                    )
                )
                k += 1
        created = Partnership.objects.bulk_create(partnerships, batch_size=2000)
        events = []
        for p in created:
            if p.current_status:
                events.append(
                    StatusEvent(
                        partnership=p,
                        status="active",
                        effective_on=datetime.date(1990, 1, 1),
                        effective_precision="month",
                        is_internal_record=True,
                    )
                )
                if p.current_status == "suspended":
                    events.append(
                        StatusEvent(
                            partnership=p,
                            status="suspended",
                            effective_on=datetime.date(2022, 3, 1),
                            effective_precision="month",
                            is_internal_record=True,
                        )
                    )
        StatusEvent.objects.bulk_create(events, batch_size=2000)
        # Their timelines' steps, stored as the services store them (partnerships.steps).
        timelines: dict[int, list[StatusEvent]] = {}
        for event in events:
            timelines.setdefault(event.partnership_id, []).append(event)
        Partnership.objects.bulk_update(
            [
                Partnership(pk=pk, status_steps=steps.status_steps(timeline))
                for pk, timeline in timelines.items()
            ],
            ["status_steps"],
            batch_size=2000,
        )
        figure = services.add_reported_figure(
            count=9000, qualifier="about", country_a="DE", as_of=PartialDate.parse("2020"), citations=[cite()]
        )
        if connection.vendor == "postgresql":
            # Statistics for the planner, as autovacuum would gather them on a live
            # database (ANALYZE counts this transaction's own new rows).
            with connection.cursor() as cursor:
                for model in (Locality, Partnership, StatusEvent):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        yield {"figure": figure}
        transaction.set_rollback(True)


def url(code="DE"):
    return reverse("partnerships:country-detail", kwargs={"code": code})


@pytest.fixture
def one(db):
    partnership_with_history(
        ("active", "1990-01"),
        locality_a=LocalityFactory(name="Berlin", country="DE"),
        locality_b=LocalityFactory(name="Paris", country="FR"),
        established_on=datetime.date(1987, 1, 1),
        established_precision="year",
    )
    services.add_reported_figure(count=1, country_a="DE", as_of=PartialDate.parse("2020"), citations=[cite()])


# The partnerships and their events; the figures and their citations; the most-partnered
# localities; the page's count, rows and their data-set licences; the filter form's
# organizations and countries.
QUERIES = 10


def test_one_partnership(client, one, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        response = client.get(url())
    assert response.status_code == 200
    context = response.context
    assert context["total"] == 1
    assert dict(context["headline"])["active"] == 1
    assert [(p["code"], p["count"]) for p in context["partners"]] == [("FR", 1)]
    assert [(loc.name, n) for loc, n in context["top_localities"]] == [("Berlin", 1)]
    assert context["established"].unit == "year"
    assert [(b.label, b.count) for b in context["established"].buckets] == [("1987", 1)]
    assert context["chart"] is not None and context["years"][0].year == 1990
    assert len(context["page"].object_list) == 1


def _ranked(text: str, section: str) -> list[tuple[str, str]]:
    body = text[text.index(f'id="{section}"') :]
    body = body[: body.index("</section>")]
    return re.findall(r'<li><a href="[^"]*">([^<]+)</a> <span class="count">(\d+)</span></li>', body)


def test_ten_thousand_partnerships(client, ten_thousand, db, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        response = client.get(url())
    assert response.status_code == 200
    context, text = response.context, response.text
    assert context["total"] == TOTAL
    assert f"{TOTAL} partnerships in the registry have a party in Germany" in text
    # Headline by current status.
    assert dict(context["headline"]) == {
        "proposed": 0,
        "active": 1500,
        "suspended": 500,
        "terminated": 0,
        "": 8000,
    }
    assert (
        '<span class="n">1500</span> <a href="/partnerships/?country=DE&amp;status=active">active</a>' in text
    )
    # Partner countries ranked, each linking to the filtered list; the domestic ones too.
    assert _ranked(text, "partner-countries") == [
        ("France", "4000"),
        ("Poland", "2000"),
        ("United Kingdom", "1500"),
        ("Russian Federation", "1000"),
        ("United States", "1000"),
        ("Germany (domestic)", "500"),
    ]
    assert 'href="/partnerships/?between=DE%2CFR"' in text
    assert 'href="/partnerships/?country=DE&amp;domestic=true"' in text
    # The most-partnered places: Berlin first; a domestic partnership counts for both.
    top = context["top_localities"]
    assert len(top) == 10 and top[0][0].name == "Berlin" and top[0][1] >= BERLIN_EXTRA
    assert all(count <= top[0][1] for _loc, count in top)
    # Established per decade (1950–2019 is more than 30 years), the undated counted apart.
    established = context["established"]
    assert established.unit == "decade"
    assert [b.label for b in established.buckets] == [
        "1950s",
        "1960s",
        "1970s",
        "1980s",
        "1990s",
        "2000s",
        "2010s",
    ]
    assert established.dated == 9000 and established.undated == 1000
    assert '<figure class="chart" id="established-chart">' in text
    assert '<th scope="row">1950s</th><td class="num">1287</td>' in text  # k % 70 < 10, k % 10 != 0
    # The status chart from the 2,000 partnerships with events.
    by_year = {year.year: year.counts for year in context["years"]}
    assert by_year[1990] == {"active": 2000, "suspended": 0, "terminated": 0}
    assert by_year[2022] == {"active": 1500, "suspended": 500, "terminated": 0}
    # The reported figure beside the registry's count on 31 December 2020.
    (comparison,) = context["comparisons"]
    assert comparison.figure == ten_thousand["figure"] and comparison.registry_count == TOTAL
    # The full list, paginated.
    assert context["page"].paginator.num_pages == TOTAL // 50
    assert len(context["page"].object_list) == 50


def test_ten_thousand_filtered_below(client, ten_thousand, db, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        response = client.get(url(), {"status": "suspended", "page": "3"})
    assert response.context["page"].paginator.count == 500
    assert {p.status for p in response.context["page"].object_list} == {"suspended"}
    assert response.context["page"].number == 3
    # The sections above the list stay the country's, whatever the list's filter.
    assert response.context["total"] == TOTAL
    # The filters are folded open once used.
    assert '<details class="filter-box" open>' in response.text
    domestic = client.get(url(), {"domestic": "true"})
    assert domestic.context["page"].paginator.count == 500
    row = domestic.context["page"].object_list[0]
    assert row.locality_a.country == row.locality_b.country == "DE"
    assert '<span class="tag">domestic</span>' in domestic.text
    # A refused country lists nothing, not every partnership of Germany.
    refused = client.get(url(), {"country": "Narnia"})
    assert refused.context["refused"] and '<table class="partnerships">' not in refused.text
