"""Matching imported names to localities: spellings, disambiguators, coordinates."""

from decimal import Decimal

import pytest

from partnerships import services
from partnerships.importing.countries import CountryMatch, resolve_country, subdivision_code
from partnerships.importing.matching import LocalityIndex, Place, split_disambiguator
from partnerships.models import Locality


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DE", CountryMatch("DE")),
        ("Germany", CountryMatch("DE")),
        ("England, United Kingdom", CountryMatch("GB", "GB-ENG")),
        ("England", CountryMatch("GB", "GB-ENG")),
        ("Scotland, United Kingdom", CountryMatch("GB", "GB-SCT")),
        ("Russia", CountryMatch("RU")),
        ("Turkey", CountryMatch("TR")),
        ("Georgia (country)", CountryMatch("GE")),
        ("Réunion, France", CountryMatch("RE")),
        ("Reunion", CountryMatch("RE")),
        ("New York, United States", CountryMatch("US", "US-NY")),
        ("Brandenburg, Germany", CountryMatch("DE", "DE-BB")),
        ("Rauma, Norway", CountryMatch("NO")),
        ("Kosovo", CountryMatch("XK")),
        ("Zaire", CountryMatch("CD")),
        ("  united states  ", CountryMatch("US")),
    ],
)
def test_country_names_resolve_to_iso_codes(text, expected):
    assert resolve_country(text) == expected


@pytest.mark.parametrize("text", ["", "Atlantis", "XX", "Narnia, Middle Earth"])
def test_unknown_countries_resolve_to_nothing(text):
    assert resolve_country(text) is None


def test_subdivisions_by_code_or_name():
    assert subdivision_code("US", "US-WA") == "US-WA"
    assert subdivision_code("US", "wa") == "US-WA"
    assert subdivision_code("DE", "Bayern") == "DE-BY"
    assert subdivision_code("DE", "Texas") == ""


def test_disambiguators_are_split_off():
    assert split_disambiguator("Setagaya (Tokyo)") == ("setagaya", "tokyo")
    assert split_disambiguator("Köln") == ("koln", "")
    assert split_disambiguator("(Tokyo)") == ("tokyo", "")


@pytest.fixture
def kharkiv(db):
    return services.create_locality(
        name="Kharkiv",
        native_name="Харків",
        country="UA",
        latitude=Decimal("49.99350"),
        longitude=Decimal("36.23040"),
        aliases=[services.AliasInput(name="Kharkov", kind="former")],
    )


@pytest.mark.parametrize(
    "name", ["Kharkiv", "KHARKIV", "kharkov", "Харків", "Kharkiv (Kharkiv Oblast)", "Khárkiv"]
)
def test_a_name_matches_by_any_spelling_alias_or_disambiguator(kharkiv, name):
    match = LocalityIndex.load(["UA"]).match(Place(name=name, country="UA"))
    assert match.candidate is not None and match.candidate.id == kharkiv.pk


@pytest.mark.parametrize("name", ["Saint Petersburg", "St Petersburg", "Sankt-Peterburg", "ST. PETERSBURG"])
def test_abbreviated_saints_match_either_way(db, name):
    petersburg = services.create_locality(
        name="St. Petersburg", country="RU", aliases=[services.AliasInput(name="Sankt-Peterburg")]
    )
    assert LocalityIndex.load(["RU"]).match(Place(name=name, country="RU")).candidate.id == petersburg.pk


def test_the_country_must_be_the_same(kharkiv):
    assert LocalityIndex.load(["RU"]).match(Place(name="Kharkov", country="RU")).candidate is None


def test_a_disambiguated_record_matches_the_plain_name(db):
    setagaya = services.create_locality(name="Setagaya (Tokyo)", country="JP")
    assert LocalityIndex.load(["JP"]).match(Place(name="Setagaya", country="JP")).candidate.id == setagaya.pk


def test_different_disambiguators_are_different_places(db):
    services.create_locality(name="Behringen (Bispingen)", country="DE")
    match = LocalityIndex.load(["DE"]).match(Place(name="Behringen (Stadtilm)", country="DE"))
    assert match.candidate is None and not match.ambiguous


def test_coordinates_break_ties_and_rule_out_distant_namesakes(db):
    frankfurt_main = services.create_locality(
        name="Frankfurt", country="DE", latitude=Decimal("50.11"), longitude=Decimal("8.68")
    )
    frankfurt_oder = services.create_locality(
        name="Frankfurt", country="DE", latitude=Decimal("52.35"), longitude=Decimal("14.55")
    )
    index = LocalityIndex.load(["DE"])
    near_oder = index.match(Place("Frankfurt", "DE", latitude=Decimal("52.34"), longitude=Decimal("14.50")))
    assert near_oder.candidate.id == frankfurt_oder.pk
    near_main = index.match(Place("Frankfurt", "DE", latitude=Decimal("50.10"), longitude=Decimal("8.70")))
    assert near_main.candidate.id == frankfurt_main.pk
    # Far from both: another Frankfurt, to be created.
    elsewhere = index.match(Place("Frankfurt", "DE", latitude=Decimal("48.0"), longitude=Decimal("11.0")))
    assert elsewhere.candidate is None and not elsewhere.ambiguous


def test_without_coordinates_namesakes_are_ambiguous(db):
    for lat in ("50.11", "52.35"):
        services.create_locality(
            name="Frankfurt", country="DE", latitude=Decimal(lat), longitude=Decimal("9")
        )
    match = LocalityIndex.load(["DE"]).match(Place("Frankfurt", "DE"))
    assert match.candidate is None
    assert len(match.ambiguous) == 2


def test_a_district_is_not_the_town_it_is_named_after(db):
    services.create_locality(name="Aachen (Kreis)", country="DE", kind=Locality.Kind.COUNTY)
    match = LocalityIndex.load(["DE"]).match(Place("Aachen", "DE", kind=Locality.Kind.CITY))
    assert match.candidate is None


def test_loading_candidates_takes_two_queries(db, django_assert_num_queries):
    for n in range(30):
        services.create_locality(
            name=f"Town {n}", country="FR", aliases=[services.AliasInput(name=f"Ville {n}")]
        )
    with django_assert_num_queries(2):
        index = LocalityIndex.load(["FR", "DE"])
    assert index.match(Place("ville 7", "FR")).candidate.name == "Town 7"
