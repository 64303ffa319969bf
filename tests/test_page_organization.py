"""An organization's page: the partnerships it facilitates, the changes it declared, its
relationships with other organizations and the figures it reports, each cited."""

import pytest

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Organization

from .factories import OrganizationFactory, PartnershipFactory, cite, partnership_with_history


@pytest.mark.usefixtures("seed")
class TestSeed:
    def test_what_it_facilitates_and_reports(self, client):
        c4c = Organization.objects.get(name="Cities4Cities")
        response = client.get(c4c.get_absolute_url())
        assert response.status_code == 200
        assert [str(p) for p in response.context["partnerships"]] == ["Kherson – Worcester"]
        text = response.text
        assert "Kherson – Worcester" in text and 'status-active">active' in text
        assert "10 partnerships" in text and "18 August 2025" in text
        assert "<q>one of 10 American-Ukrainian city partnerships, facilitated by Cities4Cities</q>" in text

    def test_relationships_with_their_citations(self, client):
        sci = Organization.objects.get(abbreviation="SCI")
        urc = Organization.objects.get(abbreviation="URC")
        for organization in (sci, urc):
            text = client.get(organization.get_absolute_url()).text
            assert "In autumn 2022 the URC asked SCI whether it would terminate relations" in text
            assert (
                "<q>saying we were not going to do so and that we hoped the relationship would actively continue</q>"
                in text
            )
        text = client.get(sci.get_absolute_url()).text
        assert "upward of 100 partnerships" in text and "96 partnerships" in text


def test_status_changes_it_declared(client, db):
    union = OrganizationFactory(name="Union of Twin Towns")
    partnership = partnership_with_history(("active", "2001"))
    services.record_status_event(
        partnership=partnership,
        status="suspended",
        effective=PartialDate.parse("2022-03"),
        declared_by="organization",
        declaring_organization=union,
        note="All ties frozen.",
        citations=[cite(quote="the union froze all ties")],
    )
    text = client.get(union.get_absolute_url()).text
    assert "Status changes it declared" in text
    assert "March 2022" in text and "All ties frozen." in text
    assert "<q>the union froze all ties</q>" in text


@pytest.mark.parametrize("rows", [1, 100])
def test_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries, rows):
    organization = OrganizationFactory()
    other = OrganizationFactory()
    services.relate_organizations(
        from_organization=organization, to_organization=other, description="partners", citations=[cite()]
    )
    for _ in range(rows):
        partnership = PartnershipFactory()
        partnership.organizations.add(organization)
        services.record_status_event(
            partnership=partnership,
            status="active",
            effective=PartialDate.parse("2001"),
            declared_by="organization",
            declaring_organization=organization,
            citations=[cite()],
        )
        services.add_reported_figure(
            count=3, organization=organization, as_of=PartialDate.parse("2020"), citations=[cite()]
        )
    # organization, partnerships, figures and their citations, relationships and their
    # citations, declared events and their citations
    with django_assert_max_num_queries(8):
        response = client.get(organization.get_absolute_url())
    assert len(response.context["partnerships"]) == rows
    assert response.text.count("as the source says") == 1 + 2 * rows
