"""Factories for test data. Seed data comes from fixtures/seed.json instead."""

import factory
from factory.django import DjangoModelFactory

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Locality, Organization, Partnership, Source


class LocalityFactory(DjangoModelFactory):
    class Meta:
        model = Locality

    name = factory.Sequence(lambda n: f"Town {n}")
    country = factory.Iterator(["US", "RU", "UA", "DE", "FR", "JP"])
    kind = Locality.Kind.CITY


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Association {n}")


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "Test Gazette"
    published_on = factory.Faker("date_between", start_date="-20y", end_date="-1y")
    published_precision = "day"
    url = factory.Sequence(lambda n: f"https://news.example.org/report-{n}")


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership

    locality_a = factory.SubFactory(LocalityFactory, country="US")
    locality_b = factory.SubFactory(LocalityFactory, country="RU")
    level = Partnership.Level.SISTER_CITY


def cite(source=None, quote="as the source says"):
    return services.CitationInput(source=source or SourceFactory(), quote=quote)


def partnership_with_history(*events, **kwargs) -> Partnership:
    """A partnership with status events recorded through the service, e.g.
    partnership_with_history(("active", "1993"), ("suspended", "2022-03"))."""
    partnership = PartnershipFactory(**kwargs)
    source = SourceFactory()
    for status, when in events:
        services.record_status_event(
            partnership=partnership,
            status=status,
            effective=PartialDate.parse(when),
            citations=[cite(source)],
        )
    partnership.refresh_from_db()
    return partnership
