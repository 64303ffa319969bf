"""/countries/<ISO>/: the country's partnerships, a chart of their statuses over the years
and the reported figures beside the registry's own count."""

import datetime
import re

import pytest
from django.urls import reverse

from partnerships import country_stats, services
from partnerships.dates import PartialDate
from partnerships.models import Partnership, ReportedFigure

from .factories import LocalityFactory, PartnershipFactory, cite, partnership_with_history


def url(code):
    return reverse("partnerships:country-detail", kwargs={"code": code})


def bars(response):
    """(year, status, count) for every bar drawn in the chart's SVG."""
    svg = response.text[response.text.index("<svg") : response.text.index("</svg>")]
    found = []
    for year, body in re.findall(r'<g class="year" data-year="(\d+)">(.*?)</g>', svg, re.S):
        for status, count in re.findall(r'data-status="(\w+)" data-count="(\d+)"', body):
            found.append((int(year), status, int(count)))
    return found


@pytest.fixture
def history(db, seed):
    """The seed, plus US–Russian partnerships suspended and terminated after 2022."""
    suspended = partnership_with_history(
        ("active", "1993"),
        ("suspended", "2022-03"),
        locality_a=LocalityFactory(name="Springfield", country="US"),
        locality_b=LocalityFactory(name="Zarechny", country="RU"),
    )
    terminated = partnership_with_history(
        ("active", "1995-06-12"),
        ("terminated", "2023"),
        locality_a=LocalityFactory(name="Riverside", country="US"),
        locality_b=LocalityFactory(name="Ozersk", country="RU"),
    )
    # Without status events: one established in 2010 (it existed in 2023, status unknown),
    # one established in 2024 (it did not exist yet in 2023), one with no dated fact at all.
    for name, established in (("Elmira", "2010"), ("Newtown", "2024"), ("Undated", None)):
        PartnershipFactory(
            locality_a=LocalityFactory(name=name, country="US"),
            locality_b=LocalityFactory(country="RU"),
            established_on=PartialDate.parse(established).date if established else None,
            established_precision="year" if established else "",
        )
    return suspended, terminated


def test_seed_country_page(client, seed):
    response = client.get(url("US"))
    assert response.status_code == 200
    text = response.text
    assert "<h1>Partnerships in United States" in text
    assert response.context["page"].paginator.count == 18
    assert "Kherson – Worcester" in text and "Tver Oblast – Louisiana" in text
    chart = bars(response)
    assert (2002, "active", 16) in chart  # Tver Oblast–Louisiana was only proposed
    assert (2025, "active", 17) in chart  # Kherson–Worcester from August 2025
    assert {status for _year, status, _count in chart} == {"active"}
    # The accessible fallback: a real table with headers.
    assert '<table class="chart-data">' in text and '<th scope="col" class="num">Suspended</th>' in text
    assert (
        '<th scope="row">2002</th><td class="num">16</td><td class="num">0</td><td class="num">0</td>' in text
    )
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in text


def test_chart_counts_agree_with_as_of(client, history):
    response = client.get(url("RU"))
    years = response.context["years"]
    assert years[0].year == 1993 and years[-1].year == datetime.date.today().year
    for year in years:
        as_of = Partnership.objects.as_of(year.on).in_country("RU")
        for status in country_stats.CHART_STATUSES:
            assert year.counts[status] == as_of.filter(status=status).count(), (year.year, status)
    by_year = {year.year: year.counts for year in years}
    # Six active in the seed (Tver Oblast–Louisiana is only proposed) and the two above.
    assert by_year[2021] == {"active": 8, "suspended": 0, "terminated": 0}
    assert by_year[2022] == {"active": 7, "suspended": 1, "terminated": 0}
    assert by_year[2023] == {"active": 6, "suspended": 1, "terminated": 1}
    chart = bars(response)
    assert (2022, "suspended", 1) in chart and (2023, "terminated", 1) in chart
    assert (1993, "active", 1) in chart


def test_reported_figures_beside_the_registry_count(client, history):
    response = client.get(url("RU"))
    comparisons = {c.figure.pk: c for c in response.context["comparisons"]}
    figures = ReportedFigure.objects.filter(country_a="RU") | ReportedFigure.objects.filter(country_b="RU")
    assert set(comparisons) == set(figures.values_list("pk", flat=True))
    for figure in figures:
        comparison = comparisons[figure.pk]
        on = figure.as_of_partial.last_day
        assert comparison.on == on
        scope = Partnership.objects.as_of(on)
        scope = (
            scope.between(figure.country_a, figure.country_b)
            if figure.country_b
            else scope.in_country(figure.country_a)
        )
        if figure.status:
            scope = scope.filter(status=figure.status)
        if figure.measure == ReportedFigure.Measure.PARTNERSHIPS:
            expected = scope.count()
        else:
            expected = len(
                {p.locality_a_id for p in scope.with_parties() if p.locality_a.country == figure.country_a}
                | {p.locality_b_id for p in scope.with_parties() if p.locality_b.country == figure.country_a}
            )
        assert comparison.registry_count == expected, figure
    more_than_70 = ReportedFigure.objects.get(count=70, qualifier="more_than")
    # June 2023: the six active US–Russian partnerships, the proposed one, the suspended
    # one, the one terminated in 2023 (it still existed), the one established in 2010
    # and the undated one; not the one established in 2024.
    assert comparisons[more_than_70.pk].registry_count == 11
    text = response.text
    assert "more than 70 partnerships" in text and "1 June 2023" in text
    assert "between=US,RU&amp;as_of=2023-06-01" in text
    assert "<q>US and Russian cities maintain more than 70 sister relationships" in text


def test_a_figure_that_counts_one_status(client, history):
    figure = services.add_reported_figure(
        count=20,
        qualifier="at_least",
        country_a="US",
        country_b="RU",
        status="suspended",
        as_of=PartialDate.parse("2022-12"),
        citations=[cite()],
    )
    response = client.get(url("RU"))
    comparison = next(c for c in response.context["comparisons"] if c.figure == figure)
    assert comparison.registry_count == 1 and comparison.on == datetime.date(2022, 12, 31)
    assert "at least 20 partnerships" in response.text
    assert "status=suspended" in response.text


def test_lower_case_code_redirects(client, seed):
    response = client.get("/countries/ru/?page=1")
    assert response.status_code == 301
    assert response["Location"] == "/countries/RU/?page=1"


@pytest.mark.parametrize("code", ["ZZ", "USA", "U1", "XX"])
def test_unknown_code_is_404_with_a_message(client, db, code):
    response = client.get(url(code))
    assert response.status_code == 404
    assert "is not an ISO 3166-1 alpha-2 country code" in response.text


def test_country_without_partnerships(client, db):
    response = client.get(url("FR"))
    assert response.status_code == 200
    assert "nothing to chart" in response.text
    assert "No source figures for France are recorded." in response.text


@pytest.mark.parametrize("rows", [1, 100])
def test_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries, rows):
    for n in range(rows):
        partnership_with_history(
            ("active", str(1990 + n % 30)),
            ("suspended", "2022-03"),
            locality_a=LocalityFactory(country="US"),
            locality_b=LocalityFactory(country="RU"),
        )
        services.add_reported_figure(
            count=n, country_a="US", country_b="RU", as_of=PartialDate.parse("2021"), citations=[cite()]
        )
    # the partnerships and their events (headline, rankings, charts, figures), the
    # figures and their citations, the most-partnered localities, the page of
    # partnerships, its count and its rows' data-set licences, and the filter form's
    # organizations and countries
    with django_assert_max_num_queries(10):
        response = client.get(url("US"))
    assert len(response.context["comparisons"]) == rows
    assert all(c.registry_count == rows for c in response.context["comparisons"])
    assert len(response.context["page"].object_list) == min(rows, 50)


def test_only_ascii_codes_are_upper_cased(client, db):
    # "ß".upper() is "SS" (South Sudan): not a redirect, an unknown code.
    assert client.get("/countries/%C3%9F/").status_code == 404


@pytest.mark.parametrize("query", [{}, {"page": "2"}])
def test_the_country_lists_written_rows_are_the_templates_bytes(db, client, monkeypatch, query):
    """Without a filter or an order of its own, the country page's list writes its rows
    (partnerships.list_rows) as the row template would: the same page, byte for byte."""
    from partnerships import list_rows

    from .factories import varied_registry

    varied_registry()
    url = reverse("partnerships:country-detail", kwargs={"code": "DE"})
    monkeypatch.setattr("partnerships.views.countries.PAGE_SIZE", 10)
    written = client.get(url, query)
    assert isinstance(written.context["page"].object_list, list_rows.PageRows)
    assert written.context["page"].object_list
    monkeypatch.setattr(list_rows, "country_page_rows", lambda filterset, code: None)
    rendered = client.get(url, query)
    assert not isinstance(rendered.context["page"].object_list, list_rows.PageRows)
    assert written.content == rendered.content
    # A filter or an order of the visitor's own: the template's rows.
    monkeypatch.undo()
    for own in ({"status": "active"}, {"ordering": "-established"}):
        response = client.get(url, own)
        assert not isinstance(response.context["page"].object_list, list_rows.PageRows), own
