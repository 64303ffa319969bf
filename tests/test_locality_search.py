"""Finding localities by any spelling: case, diacritics, scripts and aliases."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerships import services
from partnerships.models import Locality, LocalityAlias
from partnerships.text import normalize_name
from tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kharkiv():
    return services.create_locality(
        name="Kharkiv",
        native_name="Харків",
        country="UA",
        aliases=[services.AliasInput(name="Kharkov", kind=LocalityAlias.Kind.FORMER, language="ru")],
    )


@pytest.fixture
def koln():
    return services.create_locality(name="Köln", country="DE")


@pytest.fixture
def others():
    # Localities that must never turn up in the searches below.
    return [
        services.create_locality(name="Kharkiv Oblast Village", country="RU"),
        services.create_locality(name="Cincinnati", country="US"),
        services.create_locality(name="Kolomna", country="RU"),
    ]


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("Köln", "koln"),
        ("KHARKIV", "kharkiv"),
        ("Харків", "kharkiv"),
        ("St. Petersburg", "st petersburg"),
        ("  Saint-Étienne  ", "saint etienne"),
        ("", ""),
    ],
)
def test_normalize_name(value, key):
    assert normalize_name(value) == key


# -------------------------------------------------------------------- matching


@pytest.mark.parametrize("text", ["Kharkov", "KHARKIV", "kharkiv", "Харків", "  kharKOV "])
def test_matching_finds_kharkiv_by_any_spelling(kharkiv, text):
    assert list(Locality.objects.matching(text)) == [kharkiv]


@pytest.mark.parametrize("text", ["Koln", "KÖLN", "köln", "Köln"])
def test_matching_ignores_case_and_diacritics(koln, others, text):
    assert list(Locality.objects.matching(text)) == [koln]


def test_matching_finds_partial_names(kharkiv, others):
    found = set(Locality.objects.matching("khark"))
    assert kharkiv in found
    # "Kharkiv Oblast Village" also contains "khark".
    assert {loc.name for loc in found} == {"Kharkiv", "Kharkiv Oblast Village"}


def test_matching_by_alias_does_not_duplicate_rows(kharkiv):
    services.add_locality_alias(locality=kharkiv, alias=services.AliasInput(name="Kharkov (old)"))
    assert list(Locality.objects.matching("kharkov")) == [kharkiv]


def test_matching_does_not_find_unrelated_localities(kharkiv, koln, others):
    assert list(Locality.objects.matching("Kyiv")) == []


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "--", "!!"])
def test_matching_with_empty_text_finds_nothing(kharkiv, koln, text):
    assert list(Locality.objects.matching(text)) == []


# ----------------------------------------------------------------------- named


@pytest.mark.parametrize("text", ["Kharkov", "KHARKIV", "kharkiv", "Харків", "Kharkiv "])
def test_named_finds_exact_names_by_any_spelling(kharkiv, others, text):
    assert list(Locality.objects.named(text)) == [kharkiv]


@pytest.mark.parametrize("text", ["Koln", "KÖLN"])
def test_named_ignores_case_and_diacritics(koln, text):
    assert list(Locality.objects.named(text)) == [koln]


@pytest.mark.parametrize("text", ["Khark", "harkiv", "Kharkovo", "Харк", "Kharkiv Oblast"])
def test_named_does_not_match_partial_names(kharkiv, text):
    assert list(Locality.objects.named(text)) == []


@pytest.mark.parametrize("text", ["", "   "])
def test_named_with_empty_text_finds_nothing(kharkiv, text):
    assert list(Locality.objects.named(text)) == []


def test_in_country_filters_by_country(kharkiv, koln, others):
    assert set(Locality.objects.in_country("UA", "DE")) == {kharkiv, koln}


# ------------------------------------------------------------------ search keys


def test_search_keys_are_filled_on_save():
    locality = Locality(name="Saint-Étienne", native_name="Sainté", country="FR")
    locality.save()
    stored = Locality.objects.get(pk=locality.pk)
    assert stored.name_key == "saint etienne"
    assert stored.native_name_key == "sainte"


def test_search_keys_follow_a_renamed_locality():
    locality = LocalityFactory(name="Leningrad", country="RU")
    locality.name = "Sankt-Peterburg"
    locality.save()
    assert Locality.objects.get(pk=locality.pk).name_key == "sankt peterburg"
    assert list(Locality.objects.named("sankt peterburg")) == [locality]
    assert list(Locality.objects.named("leningrad")) == []


def test_search_keys_follow_a_rename_saved_with_update_fields():
    # SearchKeyField promises to stay in step "on every save"; a save limited to the
    # renamed field is still a save, and search must find the new name.
    locality = LocalityFactory(name="Leningrad", country="RU")
    locality.name = "Sankt-Peterburg"
    locality.save(update_fields=["name"])
    assert Locality.objects.get(pk=locality.pk).name_key == "sankt peterburg"
    assert list(Locality.objects.named("Sankt-Peterburg")) == [locality]


def test_search_keys_are_filled_on_bulk_create():
    Locality.objects.bulk_create(
        [
            Locality(name="Köln", native_name="Kölle", country="DE"),
            Locality(name="Zürich", country="CH"),
        ]
    )
    assert dict(Locality.objects.values_list("name", "name_key")) == {"Köln": "koln", "Zürich": "zurich"}
    assert Locality.objects.get(name="Köln").native_name_key == "kolle"
    assert list(Locality.objects.matching("ZURICH").values_list("name", flat=True)) == ["Zürich"]


def test_alias_search_keys_are_filled_on_bulk_create():
    locality = LocalityFactory(name="Volgograd", country="RU")
    LocalityAlias.objects.bulk_create(
        [
            LocalityAlias(locality=locality, name="Stalingrad"),
            LocalityAlias(locality=locality, name="Царицын"),
        ]
    )
    assert set(locality.aliases.values_list("name_key", flat=True)) == {"stalingrad", "tsaritsyn"}
    assert list(Locality.objects.named("Tsaritsyn")) == [locality]


# ------------------------------------------------------------- alias uniqueness


def test_alias_clean_refuses_the_same_name_ignoring_case_and_accents(kharkiv):
    duplicate = LocalityAlias(locality=kharkiv, name="KHARKÖV")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "name" in exc.value.message_dict
    assert any("ignoring case and accents" in m for m in exc.value.message_dict["name"])


def test_add_locality_alias_refuses_a_duplicate_and_writes_nothing(kharkiv):
    with pytest.raises(ValidationError):
        services.add_locality_alias(locality=kharkiv, alias=services.AliasInput(name="kharkov"))
    assert list(kharkiv.aliases.values_list("name", flat=True)) == ["Kharkov"]


def test_alias_clean_allows_resaving_the_same_alias(kharkiv):
    alias = kharkiv.aliases.get()
    alias.language = "uk"
    alias.full_clean()  # must not count itself as a duplicate
    alias.save()
    assert list(kharkiv.aliases.values_list("name", "language")) == [("Kharkov", "uk")]
    assert list(Locality.objects.named("Kharkov")) == [kharkiv]


def test_same_alias_is_allowed_on_different_localities(kharkiv):
    other = LocalityFactory(name="Kharkiv Village", country="RU")
    alias = services.add_locality_alias(locality=other, alias=services.AliasInput(name="Kharkov"))
    assert alias.pk is not None
    assert set(Locality.objects.named("Kharkov")) == {kharkiv, other}


def test_db_refuses_a_duplicate_alias_ignoring_case_and_accents(kharkiv):
    with pytest.raises(IntegrityError), transaction.atomic():
        LocalityAlias.objects.create(locality=kharkiv, name="KHARKÓV")
    assert kharkiv.aliases.count() == 1


def test_db_refuses_a_duplicate_alias_in_bulk_create(kharkiv):
    with pytest.raises(IntegrityError), transaction.atomic():
        LocalityAlias.objects.bulk_create(
            [LocalityAlias(locality=kharkiv, name="Charkow"), LocalityAlias(locality=kharkiv, name="CHARKÓW")]
        )
    assert kharkiv.aliases.count() == 1
