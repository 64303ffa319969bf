"""Rules on partnerships and localities, enforced both by validation and by the database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Citation, Locality, Partnership
from partnerships.validators import (
    country_name,
    validate_country_code,
    validate_subdivision_code,
    validate_wikidata_id,
)
from tests.factories import LocalityFactory, SourceFactory, cite

pytestmark = pytest.mark.django_db


@pytest.fixture
def seattle():
    return services.create_locality(name="Seattle", country="US", subdivision="US-WA")


@pytest.fixture
def tashkent():
    return services.create_locality(name="Tashkent", country="UZ")


@pytest.fixture
def existing(seattle, tashkent):
    return services.create_partnership(locality_a=seattle, locality_b=tashkent, citations=[cite()])


# ------------------------------------------------------------ pair uniqueness


def test_create_partnership_stores_the_pair_and_its_citation(seattle, tashkent):
    source = SourceFactory()
    partnership = services.create_partnership(
        locality_a=seattle,
        locality_b=tashkent,
        established=PartialDate.parse("1973"),
        focus_areas=["Culture"],
        citations=[services.CitationInput(source=source, quote="  sister cities since 1973 ")],
    )
    partnership.refresh_from_db()
    assert (partnership.locality_a, partnership.locality_b) == (seattle, tashkent)
    assert partnership.established == PartialDate.parse("1973")
    assert list(partnership.focus_areas.values_list("slug", flat=True)) == ["culture"]
    citation = Citation.objects.get(partnership=partnership)
    assert (citation.source, citation.quote) == (source, "sister cities since 1973")


@pytest.mark.parametrize("reverse", [False, True], ids=["same-order", "reverse-order"])
def test_service_refuses_an_existing_pair_in_either_order(existing, seattle, tashkent, reverse):
    a, b = (tashkent, seattle) if reverse else (seattle, tashkent)
    with pytest.raises(ValidationError) as exc:
        services.create_partnership(locality_a=a, locality_b=b)
    messages = exc.value.message_dict["locality_b"]
    assert any(
        "already exists" in m and f"#{existing.pk}" in m and "Seattle – Tashkent" in m for m in messages
    )
    assert Partnership.objects.count() == 1


def test_service_refused_pair_writes_nothing(existing, seattle, tashkent):
    citations_before = Citation.objects.count()
    with pytest.raises(ValidationError):
        services.create_partnership(
            locality_a=tashkent, locality_b=seattle, focus_areas=["Trade"], citations=[cite()]
        )
    assert Partnership.objects.count() == 1
    assert Citation.objects.count() == citations_before


def test_full_clean_of_the_existing_partnership_does_not_flag_itself(existing, seattle, tashkent):
    existing.full_clean()  # its own pair is not "a partnership that already exists"
    assert list(Partnership.objects.for_pair(seattle, tashkent)) == [existing]
    assert (existing.locality_a, existing.locality_b) == (seattle, tashkent)
    # ...while the same pair in a new record, in either order, is still flagged.
    with pytest.raises(ValidationError) as exc:
        Partnership(locality_a=tashkent, locality_b=seattle).full_clean()
    assert any(f"#{existing.pk}" in m for m in exc.value.message_dict["locality_b"])


@pytest.mark.parametrize("reverse", [False, True], ids=["same-order", "reverse-order"])
def test_db_refuses_an_existing_pair_in_either_order(existing, seattle, tashkent, reverse):
    a, b = (tashkent, seattle) if reverse else (seattle, tashkent)
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(locality_a=a, locality_b=b)
    assert Partnership.objects.count() == 1


def test_db_refuses_a_reversed_pair_in_bulk_create(seattle, tashkent):
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.bulk_create(
            [
                Partnership(locality_a=seattle, locality_b=tashkent),
                Partnership(locality_a=tashkent, locality_b=seattle),
            ]
        )
    assert Partnership.objects.count() == 0


def test_db_refuses_a_reversed_pair_of_an_existing_one_in_bulk_create(existing, seattle, tashkent):
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.bulk_create([Partnership(locality_a=tashkent, locality_b=seattle)])
    assert Partnership.objects.count() == 1


def test_a_locality_can_have_many_partners(existing, seattle):
    other = LocalityFactory(country="JP")
    services.create_partnership(locality_a=other, locality_b=seattle, citations=[cite()])
    assert Partnership.objects.involving(seattle).count() == 2


# -------------------------------------------------------------- self-partnership


def test_service_refuses_a_self_partnership(seattle):
    with pytest.raises(ValidationError) as exc:
        services.create_partnership(locality_a=seattle, locality_b=seattle)
    assert any("two different localities" in m for m in exc.value.message_dict["locality_b"])
    assert not Partnership.objects.exists()


def test_db_refuses_a_self_partnership(seattle):
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(locality_a=seattle, locality_b=seattle)
    assert not Partnership.objects.exists()


# ---------------------------------------------------- locality check constraints


def test_db_refuses_a_lowercase_country_code():
    with pytest.raises(IntegrityError), transaction.atomic():
        Locality.objects.create(name="Springfield", country="us")
    assert not Locality.objects.exists()


@pytest.mark.parametrize("code", ["U", "USA", ""])
def test_db_refuses_a_country_code_of_the_wrong_length(code):
    # PostgreSQL refuses a third character by the column type (DataError), SQLite by the CHECK.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Locality.objects.create(name="Springfield", country=code)
    assert not Locality.objects.exists()


def test_db_refuses_a_subdivision_of_another_country():
    with pytest.raises(IntegrityError), transaction.atomic():
        Locality.objects.create(name="Tver", country="RU", subdivision="US-WA")
    assert not Locality.objects.exists()


def test_db_accepts_a_subdivision_of_the_country():
    Locality.objects.create(name="Tver", country="RU", subdivision="RU-TVE")
    assert Locality.objects.get().subdivision == "RU-TVE"


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("90.5", "0"), ("-90.5", "0"), ("0", "180.5"), ("0", "-180.5"), ("91", "181")],
)
def test_db_refuses_coordinates_out_of_range(latitude, longitude):
    with pytest.raises(IntegrityError), transaction.atomic():
        Locality.objects.create(
            name="Nowhere", country="US", latitude=Decimal(latitude), longitude=Decimal(longitude)
        )
    assert not Locality.objects.exists()


def test_db_accepts_coordinates_at_the_limits():
    Locality.objects.create(name="Pole", country="US", latitude=Decimal("90"), longitude=Decimal("-180"))
    assert Locality.objects.filter(name="Pole").exists()


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(Decimal("47.60621"), None), (None, Decimal("-122.33207"))],
    ids=["latitude-only", "longitude-only"],
)
def test_db_refuses_only_one_coordinate(latitude, longitude):
    with pytest.raises(IntegrityError), transaction.atomic():
        Locality.objects.create(name="Seattle", country="US", latitude=latitude, longitude=longitude)
    assert not Locality.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [(Decimal("47.6"), None, "longitude"), (None, Decimal("-122.3"), "latitude")],
)
def test_clean_refuses_only_one_coordinate(latitude, longitude, field):
    with pytest.raises(ValidationError) as exc:
        services.create_locality(name="Seattle", country="US", latitude=latitude, longitude=longitude)
    assert field in exc.value.message_dict
    assert not Locality.objects.exists()


def test_clean_refuses_a_subdivision_of_another_country():
    with pytest.raises(ValidationError) as exc:
        services.create_locality(name="Tver", country="RU", subdivision="US-WA")
    assert any("not a subdivision of RU" in m for m in exc.value.message_dict["subdivision"])


def test_db_refuses_a_locality_that_is_its_own_parent(seattle):
    seattle.parent_id = seattle.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        seattle.save()


def test_clean_refuses_a_locality_that_is_its_own_parent(seattle):
    seattle.parent = seattle
    with pytest.raises(ValidationError) as exc:
        seattle.full_clean()
    assert "parent" in exc.value.message_dict


# -------------------------------------------------------------------- validators


@pytest.mark.parametrize("code", ["US", "RU", "UA", "XK"])
def test_country_validator_accepts_known_codes_and_kosovo(code):
    validate_country_code(code)
    assert country_name(code) != code  # a country the registry can name
    locality = services.create_locality(name="Somewhere", country=code)
    assert Locality.objects.get(pk=locality.pk).country == code


@pytest.mark.parametrize("code", ["XX", "us", "Us", "USA", "U", "", "ZZ"])
def test_country_validator_rejects_unknown_or_malformed_codes(code):
    with pytest.raises(ValidationError) as exc:
        validate_country_code(code)
    assert exc.value.code == "invalid_country"


def test_country_name_knows_kosovo():
    assert country_name("XK") == "Kosovo"
    assert country_name("DE") == "Germany"


def test_service_refuses_an_unknown_country():
    with pytest.raises(ValidationError) as exc:
        services.create_locality(name="Atlantis", country="XX")
    assert "country" in exc.value.message_dict
    assert not Locality.objects.exists()


def test_service_accepts_kosovo():
    locality = services.create_locality(name="Pristina", country="XK")
    assert locality.country_name == "Kosovo"


@pytest.mark.parametrize("code", ["US-WA", "RU-TVE", "DE-NW"])
def test_subdivision_validator_accepts_iso_3166_2_codes(code):
    validate_subdivision_code(code)
    locality = services.create_locality(name="Somewhere", country=code.split("-")[0], subdivision=code)
    assert Locality.objects.get(pk=locality.pk).subdivision == code


@pytest.mark.parametrize("code", ["US-XX", "WA", "RU-", "XX-AB", "US-WA-1"])
def test_subdivision_validator_rejects_unknown_codes(code):
    with pytest.raises(ValidationError) as exc:
        validate_subdivision_code(code)
    assert exc.value.code == "invalid_subdivision"


def test_service_refuses_a_lowercase_subdivision():
    with pytest.raises(ValidationError) as exc:
        services.create_locality(name="Seattle", country="US", subdivision="us-wa")
    assert "subdivision" in exc.value.message_dict
    assert not Locality.objects.exists()


def test_service_refuses_an_unknown_subdivision():
    with pytest.raises(ValidationError) as exc:
        services.create_locality(name="Seattle", country="US", subdivision="US-XX")
    assert "subdivision" in exc.value.message_dict


@pytest.mark.parametrize("value", ["Q1", "Q1490", "Q123456789"])
def test_wikidata_validator_accepts_item_ids(value):
    validate_wikidata_id(value)
    locality = services.create_locality(name="Somewhere", country="US", wikidata_id=value)
    assert Locality.objects.get(pk=locality.pk).wikidata_id == value


@pytest.mark.parametrize("value", ["Q", "Q0", "Q01", "q1490", "P31", "1490", "Q14 90", "Q1490x"])
def test_wikidata_validator_rejects_other_strings(value):
    with pytest.raises(ValidationError) as exc:
        validate_wikidata_id(value)
    assert exc.value.code == "invalid_wikidata"


def test_service_refuses_a_duplicate_wikidata_id():
    services.create_locality(name="Tokyo", country="JP", wikidata_id="Q1490")
    with pytest.raises(ValidationError) as exc:
        services.create_locality(name="Tokio", country="JP", wikidata_id="Q1490")
    assert "Another locality already has this Wikidata id." in str(exc.value)
    assert Locality.objects.count() == 1


def test_db_refuses_a_duplicate_wikidata_id():
    Locality.objects.create(name="Tokyo", country="JP", wikidata_id="Q1490")
    with pytest.raises(IntegrityError), transaction.atomic():
        Locality.objects.create(name="Tokio", country="JP", wikidata_id="Q1490")
    assert Locality.objects.count() == 1


def test_many_localities_may_have_no_wikidata_id():
    Locality.objects.create(name="A", country="JP", wikidata_id="")
    Locality.objects.create(name="B", country="JP", wikidata_id="")
    assert Locality.objects.filter(wikidata_id="").count() == 2
