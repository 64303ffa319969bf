"""GET /api/v1/stats/: counts per group and status, with the reported figures beside them."""

import pytest

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Partnership
from tests.apitools import get_json, unthrottled  # noqa: F401
from tests.factories import cite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]


def _groups(stats):
    return {group["key"]: group for group in stats["groups"]}


def test_group_by_status(client, seed):
    stats = get_json(client, "stats", group_by="status")
    assert stats["total"] == 18
    groups = _groups(stats)
    assert groups["active"]["count"] == 17 and groups["proposed"]["count"] == 1
    assert stats["by_status"] == {"proposed": 1, "active": 17, "suspended": 0, "terminated": 0, "unknown": 0}


def test_group_by_kind(client, seed):
    groups = _groups(get_json(client, "stats", group_by="kind"))
    for level in Partnership.Level.values:
        expected = Partnership.objects.filter(level=level).count()
        assert groups.get(level, {"count": 0})["count"] == expected
    assert groups["sister_state"]["by_status"]["proposed"] == 1  # Tver Oblast–Louisiana


def test_group_by_country_counts_each_party_and_takes_the_list_filters(client, seed):
    stats = get_json(client, "stats", group_by="country", between="US,RU")
    groups = _groups(stats)
    assert stats["total"] == 7
    assert set(groups) == {"US", "RU"}
    assert groups["US"]["count"] == groups["RU"]["count"] == 7
    assert groups["RU"]["label"] == "Russian Federation"
    # The figures sources report for the same pair, beside the registry's own count.
    figures = stats["reported_figures"]
    assert figures and all({f["country_a"], f["country_b"]} == {"US", "RU"} for f in figures)
    assert any(f["count"] == 70 and f["qualifier"] == "more_than" for f in figures)
    assert all(f["measure"] == "partnerships" for f in figures)
    # Default grouping is by country.
    assert get_json(client, "stats")["group_by"] == "country"


def test_as_of(client, seed):
    services.record_status_event(
        partnership=Partnership.objects.get(pk=3),
        status="suspended",
        effective=PartialDate.parse("2022-03"),
        citations=[cite()],
    )
    before = get_json(client, "stats", group_by="status", as_of="2021-12-31", between="US,RU")
    after = get_json(client, "stats", group_by="status", as_of="2022-06-01", between="US,RU")
    assert before["by_status"]["suspended"] == 0 and before["by_status"]["active"] == 6
    assert after["by_status"]["suspended"] == 1 and after["by_status"]["active"] == 5
    assert after["as_of"] == "2022-06-01"


@pytest.mark.parametrize(
    ("params", "param"),
    [({"group_by": "city"}, "group_by"), ({"country": "XX"}, "country"), ({"as_of": "2022-02-30"}, "as_of")],
)
def test_bad_parameters_are_400(client, db, params, param):
    error = get_json(client, "stats", expect=400, **params)
    assert list(error["errors"]) == [param]
