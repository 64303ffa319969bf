"""GET /api/v1/reported-figures/."""

import pytest
from django.db.models import Q

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import ReportedFigure
from tests.apitools import get_json, unthrottled  # noqa: F401
from tests.factories import cite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]


def test_list_shape_and_filters(client, seed):
    page = get_json(client, "reported-figure-list", page_size=200)
    assert page["count"] == ReportedFigure.objects.count() == 18
    us_ru = get_json(client, "reported-figure-list", between="RU,US", page_size=200)
    pair = Q(country_a="US", country_b="RU") | Q(country_a="RU", country_b="US")
    assert us_ru["count"] == ReportedFigure.objects.filter(pair).count() > 0
    figure = next(row for row in us_ru["results"] if row["count"] == 70)
    assert figure["qualifier"] == "more_than"
    assert figure["as_of"]["date"] and figure["as_of"]["precision"]
    assert figure["citations"][0]["quote"]
    detail = get_json(client, "reported-figure-detail", pk=figure["id"])
    assert detail == figure
    measured = get_json(client, "reported-figure-list", measure="localities", page_size=200)
    assert {row["measure"] for row in measured["results"]} <= {"localities"}
    ua = get_json(client, "reported-figure-list", country="UA", page_size=200)
    assert all("UA" in (row["country_a"], row["country_b"]) for row in ua["results"]) and ua["count"]


@pytest.mark.parametrize("count", [1, 101])
def test_a_fixed_number_of_queries(client, db, django_assert_max_num_queries, count):
    for index in range(count):
        services.add_reported_figure(
            count=index, as_of=PartialDate.parse("2020"), citations=[cite()], country_a="US"
        )
    with django_assert_max_num_queries(4):
        page = get_json(client, "reported-figure-list", page_size=min(count, 100))
    assert len(page["results"]) == min(count, 100)
    assert all(row["citations"] for row in page["results"])
