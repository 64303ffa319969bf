"""GET /api/v1/organizations/ and /{id}/."""

import pytest

from partnerships.models import Organization
from tests.apitools import get_json, unthrottled  # noqa: F401
from tests.factories import OrganizationFactory, PartnershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]


def test_list_and_filters(client, seed):
    page = get_json(client, "organization-list", page_size=200)
    assert page["count"] == Organization.objects.count() == 10
    sci = next(row for row in page["results"] if row["abbreviation"] == "SCI")
    assert sci["name"] == "Sister Cities International" and sci["country"] == "US"
    assert sci["url"].endswith(f"/api/v1/organizations/{sci['id']}/")
    assert [r["abbreviation"] for r in get_json(client, "organization-list", q="sci")["results"]] == ["SCI"]
    assert (
        get_json(client, "organization-list", kind="association")["count"]
        == Organization.objects.filter(kind="association").count()
    )
    us = get_json(client, "organization-list", country="us", page_size=200)
    assert {row["country"] for row in us["results"]} == {"US"}


def test_detail_links_to_its_partnerships(client, db):
    organization = OrganizationFactory(description="Links towns")
    partnerships = PartnershipFactory.create_batch(2)
    PartnershipFactory()  # not facilitated by it
    for partnership in partnerships:
        partnership.organizations.add(organization)
    detail = get_json(client, "organization-detail", pk=organization.pk)
    assert detail["description"] == "Links towns"
    listed = client.get(detail["partnerships_url"]).json()
    assert {row["id"] for row in listed["results"]} == {p.pk for p in partnerships}
    get_json(client, "organization-detail", pk=999999, expect=404)


@pytest.mark.parametrize("count", [1, 101])
def test_a_fixed_number_of_queries(client, db, django_assert_max_num_queries, count):
    OrganizationFactory.create_batch(count)
    with django_assert_max_num_queries(3):
        page = get_json(client, "organization-list", page_size=min(count, 100))
    assert len(page["results"]) == min(count, 100)
