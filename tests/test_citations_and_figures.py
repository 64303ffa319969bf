"""Citations support exactly one claim; activities, figures and relationships need one."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import (
    Activity,
    Citation,
    OrganizationRelationship,
    Partnership,
    ReportedFigure,
    Source,
)
from tests.factories import (
    LocalityFactory,
    OrganizationFactory,
    PartnershipFactory,
    SourceFactory,
    cite,
    partnership_with_history,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- citation targets


@pytest.fixture
def partnership():
    return partnership_with_history(("active", "1993"))


def test_db_refuses_a_citation_without_a_target():
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=SourceFactory(), quote="floating")
    assert not Citation.objects.filter(quote="floating").exists()


def test_db_refuses_a_citation_with_two_targets(partnership):
    event = partnership.events.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(
            source=SourceFactory(), partnership=partnership, status_event=event, quote="both"
        )
    assert not Citation.objects.filter(quote="both").exists()


def test_db_refuses_a_citation_with_every_target(partnership):
    event = partnership.events.get()
    activity = Activity.objects.create(partnership=partnership, description="visit")
    figure = ReportedFigure.objects.create(count=3, as_of=datetime.date(2023, 1, 1), as_of_precision="year")
    relationship = OrganizationRelationship.objects.create(
        from_organization=OrganizationFactory(), to_organization=OrganizationFactory(), description="member"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(
            source=SourceFactory(),
            partnership=partnership,
            status_event=event,
            activity=activity,
            reported_figure=figure,
            organization_relationship=relationship,
            locality=partnership.locality_a,
        )


def test_db_accepts_a_citation_of_each_single_target(partnership):
    source = SourceFactory()
    targets = {
        "partnership": partnership,
        "status_event": partnership.events.get(),
        "activity": Activity.objects.create(partnership=partnership, description="visit"),
        "reported_figure": ReportedFigure.objects.create(
            count=3, as_of=datetime.date(2023, 1, 1), as_of_precision="year"
        ),
        "organization_relationship": OrganizationRelationship.objects.create(
            from_organization=OrganizationFactory(),
            to_organization=OrganizationFactory(),
            description="member",
        ),
        "locality": LocalityFactory(),
    }
    assert set(targets) == set(Citation.TARGETS)
    for name, target in targets.items():
        citation = Citation.objects.create(source=source, **{name: target})
        assert Citation.objects.get(pk=citation.pk).target == target


def test_clean_refuses_a_citation_without_a_target():
    with pytest.raises(ValidationError, match="exactly one claim"):
        Citation(source=SourceFactory()).full_clean()


def test_clean_refuses_a_citation_with_two_targets(partnership):
    citation = Citation(
        source=SourceFactory(), partnership=partnership, status_event=partnership.events.get()
    )
    with pytest.raises(ValidationError, match="exactly one claim"):
        citation.full_clean()


def test_add_citation_refuses_two_targets_and_writes_nothing(partnership):
    before = Citation.objects.count()
    with pytest.raises(ValidationError):
        services.add_citation(citation=cite(), partnership=partnership, status_event=partnership.events.get())
    assert Citation.objects.count() == before


def test_add_citation_strips_the_quote(partnership):
    citation = services.add_citation(citation=cite(quote="  they said so \n"), partnership=partnership)
    assert Citation.objects.get(pk=citation.pk).quote == "they said so"


# ---------------------------------------------------------------------- activities


def test_add_activity_requires_a_citation(partnership):
    with pytest.raises(ValidationError) as exc:
        services.add_activity(partnership=partnership, kind="visit", description="Delegation", citations=[])
    assert "citations" in exc.value.message_dict
    assert not Activity.objects.exists()


def test_add_activity_stores_the_activity_and_its_citation(partnership):
    source = SourceFactory()
    activity = services.add_activity(
        partnership=partnership,
        kind="visit",
        description="Delegation of teachers",
        occurred=PartialDate.parse("2019-05"),
        citations=[services.CitationInput(source=source, quote="teachers visited")],
    )
    stored = Activity.objects.get(pk=activity.pk)
    assert stored.occurred == PartialDate.parse("2019-05")
    assert str(stored) == f"{stored.partnership}: visit or delegation (May 2019)"
    assert [(c.source, c.quote) for c in stored.citations.all()] == [(source, "teachers visited")]


def test_add_activity_refuses_a_future_date_unless_planned(partnership):
    next_year = str(datetime.date.today().year + 1)
    with pytest.raises(ValidationError, match="future"):
        services.add_activity(
            partnership=partnership,
            kind="visit",
            description="Planned visit",
            occurred=PartialDate.parse(next_year),
            citations=[cite()],
        )
    planned = services.add_activity(
        partnership=partnership,
        kind="visit",
        description="Planned visit",
        occurred=PartialDate.parse(next_year),
        is_planned=True,
        citations=[cite()],
    )
    assert Activity.objects.filter(pk=planned.pk, is_planned=True).exists()


def test_undated_activity_reads_undated(partnership):
    activity = services.add_activity(
        partnership=partnership, kind="aid", description="Aid", citations=[cite()]
    )
    assert str(activity) == f"{partnership}: aid or donation (undated)"


# ------------------------------------------------------------------------ figures


def test_add_reported_figure_requires_a_citation():
    with pytest.raises(ValidationError) as exc:
        services.add_reported_figure(count=70, as_of=PartialDate.parse("2023-06-01"), citations=[])
    assert "citations" in exc.value.message_dict
    assert not ReportedFigure.objects.exists()


def test_add_reported_figure_stores_the_figure_and_its_citation():
    source = SourceFactory()
    figure = services.add_reported_figure(
        count=70,
        qualifier=ReportedFigure.Qualifier.MORE_THAN,
        country_a="US",
        country_b="RU",
        as_of=PartialDate.parse("2023-06-01"),
        citations=[services.CitationInput(source=source)],
    )
    assert list(figure.citations.values_list("source", flat=True)) == [source.pk]


def test_reported_figure_str_reads_like_the_source():
    figure = services.add_reported_figure(
        count=70,
        qualifier=ReportedFigure.Qualifier.MORE_THAN,
        country_a="US",
        country_b="RU",
        as_of=PartialDate.parse("2023-06-01"),
        citations=[cite()],
    )
    assert str(figure) == "US–RU: more than 70 partnerships (1 June 2023)"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"count": 12, "as_of": "2020"}, "worldwide: 12 partnerships (2020)"),
        (
            {
                "count": 40,
                "country_a": "US",
                "measure": "localities",
                "qualifier": "about",
                "as_of": "2019-03",
            },
            "US: about 40 localities taking part (March 2019)",
        ),
    ],
)
def test_reported_figure_str_other_scopes(kwargs, expected):
    as_of = PartialDate.parse(kwargs.pop("as_of"))
    figure = services.add_reported_figure(as_of=as_of, citations=[cite()], **kwargs)
    assert str(figure) == expected


def test_db_refuses_a_partner_country_without_a_first_country():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportedFigure.objects.create(
            count=5, country_a="", country_b="RU", as_of=datetime.date(2023, 1, 1), as_of_precision="year"
        )
    assert not ReportedFigure.objects.exists()


def test_db_refuses_the_same_country_twice():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportedFigure.objects.create(
            count=5, country_a="US", country_b="US", as_of=datetime.date(2023, 1, 1), as_of_precision="year"
        )
    assert not ReportedFigure.objects.exists()


@pytest.mark.parametrize(("country_a", "country_b"), [("", ""), ("US", ""), ("US", "RU")])
def test_db_accepts_valid_scopes(country_a, country_b):
    ReportedFigure.objects.create(
        count=5,
        country_a=country_a,
        country_b=country_b,
        as_of=datetime.date(2023, 1, 1),
        as_of_precision="year",
    )
    assert ReportedFigure.objects.filter(country_a=country_a, country_b=country_b).exists()


def test_service_refuses_a_partner_country_without_a_first_country():
    with pytest.raises(ValidationError) as exc:
        services.add_reported_figure(
            count=5, country_b="RU", as_of=PartialDate.parse("2023"), citations=[cite()]
        )
    assert "country_a" in exc.value.message_dict
    assert not ReportedFigure.objects.exists()


def test_service_refuses_the_same_country_twice():
    with pytest.raises(ValidationError) as exc:
        services.add_reported_figure(
            count=5, country_a="US", country_b="US", as_of=PartialDate.parse("2023"), citations=[cite()]
        )
    assert "country_b" in exc.value.message_dict
    assert not ReportedFigure.objects.exists()


def test_service_refuses_an_unknown_country_in_a_figure():
    with pytest.raises(ValidationError) as exc:
        services.add_reported_figure(
            count=5, country_a="XX", as_of=PartialDate.parse("2023"), citations=[cite()]
        )
    assert "country_a" in exc.value.message_dict


# ----------------------------------------------------------- organization links


def test_relate_organizations_requires_a_citation():
    with pytest.raises(ValidationError) as exc:
        services.relate_organizations(
            from_organization=OrganizationFactory(),
            to_organization=OrganizationFactory(),
            description="partner",
            citations=[],
        )
    assert "citations" in exc.value.message_dict
    assert not OrganizationRelationship.objects.exists()


def test_relate_organizations_stores_the_relationship_and_its_citation():
    sci, urc = OrganizationFactory(name="Sister Cities International"), OrganizationFactory(name="URC")
    source = SourceFactory()
    relationship = services.relate_organizations(
        from_organization=sci,
        to_organization=urc,
        description="cooperation agreement",
        citations=[services.CitationInput(source=source, quote="signed an agreement")],
    )
    assert [(c.source, c.quote) for c in relationship.citations.all()] == [(source, "signed an agreement")]


def test_relate_organizations_refuses_the_reverse_of_an_existing_pair():
    sci, urc = OrganizationFactory(), OrganizationFactory()
    services.relate_organizations(
        from_organization=sci, to_organization=urc, description="a", citations=[cite()]
    )
    with pytest.raises(ValidationError):
        services.relate_organizations(
            from_organization=urc, to_organization=sci, description="b", citations=[cite()]
        )
    assert OrganizationRelationship.objects.count() == 1


def test_db_refuses_the_reverse_of_an_existing_organization_pair():
    sci, urc = OrganizationFactory(), OrganizationFactory()
    OrganizationRelationship.objects.create(from_organization=sci, to_organization=urc, description="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationRelationship.objects.create(from_organization=urc, to_organization=sci, description="b")


def test_relate_organizations_refuses_an_organization_with_itself():
    sci = OrganizationFactory()
    with pytest.raises(ValidationError):
        services.relate_organizations(
            from_organization=sci, to_organization=sci, description="x", citations=[cite()]
        )
    assert not OrganizationRelationship.objects.exists()


def test_db_refuses_an_organization_related_to_itself():
    sci = OrganizationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationRelationship.objects.create(from_organization=sci, to_organization=sci, description="x")


def test_a_locality_citation_is_optional_and_goes_with_its_locality():
    locality = LocalityFactory()
    citation = services.add_citation(citation=cite(), locality=locality)
    assert list(locality.citations.all()) == [citation] and citation.target == locality
    # Its only citation can be removed: a locality needs none.
    services.remove_citation(citation=citation)
    assert not locality.citations.exists()
    citation = services.add_citation(citation=cite(), locality=locality)
    locality.delete()
    assert not Citation.objects.filter(pk=citation.pk).exists()


def test_add_citation_refuses_a_locality_and_another_claim(partnership):
    with pytest.raises(ValidationError, match="exactly one claim"):
        services.add_citation(citation=cite(), locality=partnership.locality_a, partnership=partnership)


def test_deleting_a_partnership_deletes_its_citations():
    partnership = PartnershipFactory()
    citation = services.add_citation(citation=cite(), partnership=partnership)
    partnership.delete()
    assert not Citation.objects.filter(pk=citation.pk).exists()


def test_citation_of_a_partnership_not_saved_yet_validates():
    # The admin validates a new partnership and its first citation in one request.
    partnership = Partnership(locality_a=LocalityFactory(), locality_b=LocalityFactory())
    citation = Citation(source=SourceFactory(), partnership=partnership, quote="q")
    citation.clean()  # the unsaved partnership counts as its one claim
    assert not Partnership.objects.exists()
    assert not Citation.objects.exists()
    # Saved afterwards, as the admin does, the citation supports that partnership.
    partnership.save()
    citation.save()
    assert Citation.objects.get().target == partnership


def test_sources_are_found_ignoring_case_and_accents():
    source = SourceFactory(title="Köln und Wolgograd: 35 Jahre Städtepartnerschaft", author="Jürgen Roth")
    SourceFactory(title="Something else")
    assert list(Source.objects.matching("KOLN und wolgograd")) == [source]
    assert list(Source.objects.matching("Jürgen")) == [source]
    assert not Source.objects.matching("  ").exists()


# ------------------------------------------------- sources described with the claim


def test_a_source_described_with_the_claim_is_created_with_it():
    locality_a, locality_b = LocalityFactory(country="US"), LocalityFactory(country="UA")
    partnership = services.create_partnership(
        locality_a=locality_a,
        locality_b=locality_b,
        citations=[
            services.CitationInput(
                source=services.SourceInput(title="Council minutes", url="https://example.org/minutes"),
                quote="the council approved the partnership",
            )
        ],
    )
    citation = partnership.citations.get()
    assert citation.source == Source.objects.get(title="Council minutes")


def test_an_invalid_described_source_names_its_place_and_writes_nothing():
    locality_a, locality_b = LocalityFactory(country="US"), LocalityFactory(country="UA")
    good = services.CitationInput(source=SourceFactory(), quote="one")
    bad = services.CitationInput(source=services.SourceInput(title="Minutes", url="not a url"), quote="two")
    with pytest.raises(ValidationError) as refused:
        services.create_partnership(locality_a=locality_a, locality_b=locality_b, citations=[good, bad])
    assert "citations.1.source.url" in refused.value.message_dict
    assert not Partnership.objects.exists()
    assert not Source.objects.filter(title="Minutes").exists()
