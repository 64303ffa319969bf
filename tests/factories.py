"""Factories for test data. Seed data comes from fixtures/seed.json instead."""

import factory
from factory.django import DjangoModelFactory

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Locality, Organization, Partnership, Source, StatusEvent


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


def varied_registry() -> None:
    """Partnerships with every status, attestations only, several date precisions, no
    status, domestic ones, both data sets' licences and names that need escaping."""
    import random

    from partnerships.licensing import DATASET_LICENSES

    rng = random.Random(5)
    licensed = [SourceFactory(url=url) for url in DATASET_LICENSES]
    places = [
        LocalityFactory(name=name, country=country)
        for name, country in [
            ("Köln", "DE"),
            ('Bad <Tölz> & "Wolfratshausen"', "DE"),
            ("L'Haÿ-les-Roses", "FR"),
            ("Lyon", "FR"),
            ("Kraków", "PL"),
            ("Kyiv", "UA"),
            ("Dresden", "DE"),
            ("Nantes", "FR"),
        ]
    ]
    dates = ["1973", "1990-07", "2002-07-14", "2022-03-04"]
    pairs = [(a, b) for i, a in enumerate(places) for b in places[i + 1 :]]
    for a, b in pairs:
        source = rng.choice([None, *licensed])
        partnership = services.create_partnership(
            locality_a=a,
            locality_b=b,
            level=rng.choice(Partnership.Level.values),
            citations=[cite(source)],
        )
        change, report = StatusEvent.Kind.CHANGE, StatusEvent.Kind.ATTESTATION
        timelines = [
            [],
            [(change, "active", dates[0])],
            [(report, "active", dates[1])],
            [(change, "active", dates[1]), (change, "suspended", dates[3])],
            [(change, "active", dates[0]), (report, "active", dates[2])],
            [(change, "proposed", dates[2])],
        ]
        for kind, status, on in rng.choice(timelines):
            services.record_status_event(
                partnership=partnership,
                status=status,
                effective=PartialDate.parse(on),
                kind=kind,
                citations=[cite(rng.choice([None, *licensed]))],
            )
