"""The seed fixtures: what the five seed documents support, each fact cited."""

import datetime
import re
from pathlib import Path

import pytest

from partnerships.models import (
    Citation,
    Locality,
    LocalityAlias,
    Organization,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)
from partnerships.seed import SOURCES
from partnerships.text import normalize_name

ROOT = Path(__file__).resolve().parent.parent
SEED_PAIRS = [
    ("Seattle", "Tashkent"),
    ("Iowa", "Cherkasy Oblast"),
    ("Duluth", "Petrozavodsk"),
    ("Boulder", "Dushanbe"),
    ("Rochester", "Veliky Novgorod"),
    ("Maryland", "Leningrad Oblast"),
    ("Montclair", "Cherepovets"),
    ("Portland", "Khabarovsk"),
    ("Minneapolis/St. Paul", "Novosibirsk"),
    ("Pittsburgh", "Astana"),
    ("North Carolina", "Moldova"),
    ("Houston", "Baku"),
    ("Tucson", "Almaty"),
    ("Colorado Springs", "Bishkek"),
    ("Cincinnati", "Kharkiv"),
    ("Columbia", "Kutaisi"),
    ("Tver Oblast", "Louisiana"),
    ("Kherson", "Worcester"),
]

pytestmark = pytest.mark.usefixtures("seed")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_seed_partnership_is_present_in_either_order():
    for a, b in SEED_PAIRS:
        la, lb = Locality.objects.get(name=a), Locality.objects.get(name=b)
        assert Partnership.objects.for_pair(lb, la).count() == 1, (a, b)
    assert Partnership.objects.count() == len(SEED_PAIRS)


def test_what_the_sources_do_not_support_is_not_recorded():
    # The St. Petersburgs' 300/100 anniversary is explicitly not a sister-city partnership,
    # and Philadelphia's business-school meetings are no partnership either.
    for name in ("St. Petersburg", "Saint Petersburg", "Philadelphia", "Nizhny Novgorod"):
        assert not Locality.objects.named(name).exists(), name
    # The unnamed US–Russian partnerships suspended or terminated after 2022 are a figure.
    assert not Partnership.objects.filter(current_status__in=["suspended", "terminated"]).exists()
    figure = ReportedFigure.objects.get(country_a="US", country_b="RU", as_of=datetime.date(2023, 6, 1))
    assert (figure.qualifier, figure.count) == ("more_than", 70)
    assert any("suspended them indefinitely" in c.quote for c in figure.citations.all())


def test_every_status_event_has_a_citation_with_a_quote():
    events = StatusEvent.objects.prefetch_related("citations")
    assert events.count() == len(SEED_PAIRS)
    for event in events:
        assert not event.is_internal_record
        assert event.citations.exists(), event
        assert all(c.quote for c in event.citations.all()), event


def test_every_activity_figure_and_relationship_is_cited():
    for citation_target in ("activity", "reported_figure", "organization_relationship"):
        model = Citation._meta.get_field(citation_target).related_model
        for record in model.objects.all():
            assert record.citations.exists(), record


def test_every_quote_is_verbatim_in_its_seed_document():
    documents = ROOT / "fixtures" / "seed-documents"
    texts = {
        fields["title"]: _squash((documents / filename).read_text(encoding="utf-8"))
        for filename, fields in SOURCES.items()
    }
    assert set(Source.objects.values_list("title", flat=True)) == set(texts)
    citations = Citation.objects.select_related("source")
    assert citations.count() > 50
    for citation in citations:
        assert citation.quote, citation.pk
        assert _squash(citation.quote) in texts[citation.source.title], citation.quote


def test_current_status_matches_the_latest_event():
    for partnership in Partnership.objects.all():
        latest = partnership.events.order_by("-effective_on", "-id").first()
        assert partnership.current_status == latest.status
        assert partnership.current_status_since == latest.effective_on
        assert partnership.current_status_since_precision == latest.effective_precision


def test_dates_keep_their_precision():
    tver = Partnership.objects.for_pair(
        Locality.objects.get(name="Tver Oblast"), Locality.objects.get(name="Louisiana")
    ).get()
    assert tver.current_status == "proposed"
    assert str(tver.current_status_since_partial) == "July 2002"
    kherson = Partnership.objects.matching("Kherson").get()
    assert str(kherson.current_status_since_partial) == "August 2025"
    assert str(Source.objects.get(author="Aidan G. Stretch").published) == "18 August 2025"
    rochester = Partnership.objects.matching("Velikiy Novgorod").get()
    assert [str(a.occurred) for a in rochester.activities.all()] == ["1993"]


def test_as_of_on_the_seed_data():
    assert not Partnership.objects.as_of(datetime.date(2002, 6, 30)).exists()
    in_july_2002 = Partnership.objects.as_of(datetime.date(2002, 7, 1))
    assert in_july_2002.count() == len(SEED_PAIRS) - 1  # all but Kherson–Worcester
    assert in_july_2002.filter(status="proposed").count() == 1
    assert Partnership.objects.as_of(datetime.date(2025, 8, 1)).count() == len(SEED_PAIRS)


def test_search_keys_in_the_fixture_are_normalised():
    # loaddata bypasses save(), so the fixture must carry correct keys itself.
    for locality in Locality.objects.all():
        assert locality.name_key == normalize_name(locality.name)
        assert locality.native_name_key == normalize_name(locality.native_name)
    for alias in LocalityAlias.objects.all():
        assert alias.name_key == normalize_name(alias.name)
    for organization in Organization.objects.all():
        assert organization.name_key == normalize_name(organization.name)
    assert Locality.objects.matching("Kharkov").get().name == "Kharkiv"
    assert Locality.objects.matching("Nur-Sultan").get().name == "Astana"
    assert Locality.objects.matching("alma ata").get().name == "Almaty"


def test_reported_figures_from_the_sources():
    sci_2002 = ReportedFigure.objects.filter(
        as_of=datetime.date(2002, 6, 1), organization__abbreviation="SCI"
    )
    assert sci_2002.count() == 12
    assert sum(f.count for f in sci_2002) == 145
    china = ReportedFigure.objects.get(country_b="CN")
    assert str(china) == "US–CN: upward of 100 partnerships (19 June 2023)"
    assert ReportedFigure.objects.get(country_b="UA", organization__name="Cities4Cities").count == 10
