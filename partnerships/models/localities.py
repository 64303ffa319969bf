"""Localities, the parties to partnerships, and their other names (aliases), with the
searches that find a locality by any spelling of any of its names."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat, Left, Length, Upper
from django.db.models.lookups import Exact
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..dates import raise_for
from ..fields import IdentityKeyField, SearchKeyedModel, SearchKeyField, fill_search_keys
from ..text import normalize_name
from ..validators import (
    country_name,
    validate_country_code,
    validate_subdivision_code,
    validate_wikidata_id,
)
from .base import PartialDatePair, TimestampedModel, precision_field


class LocalityQuerySet(models.QuerySet["Locality"]):
    def matching(self, text: str) -> LocalityQuerySet:
        """Localities whose name, native name or any alias contains the text, ignoring
        case, diacritics and punctuation ("Kharkov", "KHARKIV", "Koln")."""
        return self._by_name_key(text, "contains")

    def named(self, text: str) -> LocalityQuerySet:
        """Localities with exactly this name, native name or alias (normalised)."""
        return self._by_name_key(text, "exact")

    def _by_name_key(self, text: str, lookup: str) -> LocalityQuerySet:
        key = normalize_name(text)
        if not key:
            return self.none()
        aliases = LocalityAlias.objects.filter(locality=OuterRef("pk"), **{f"name_key__{lookup}": key})
        return self.filter(
            Q(**{f"name_key__{lookup}": key}) | Q(**{f"native_name_key__{lookup}": key}) | Exists(aliases)
        )

    def in_country(self, *codes: str) -> LocalityQuerySet:
        return self.filter(country__in=codes)


class Locality(SearchKeyedModel, TimestampedModel):
    """A party to a partnership: a city, a county, a state or region, or a whole country."""

    class Kind(models.TextChoices):
        CITY = "city", "city or town"
        COUNTY = "county", "county or district"
        REGION = "region", "state, province or region"
        COUNTRY = "country", "country"

    name = models.CharField(max_length=200, help_text="The usual English name today, e.g. “Kharkiv”.")
    native_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The name in the local language and script, e.g. “Харків”.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CITY)
    country = models.CharField(
        max_length=2,
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2 code of the country it lies in today, e.g. US, RU, UA.",
    )
    subdivision = models.CharField(
        max_length=6,
        blank=True,
        validators=[validate_subdivision_code],
        help_text="Optional ISO 3166-2 code of its state or region, e.g. US-WA.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The larger locality it lies in (Seattle lies in Washington).",
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    wikidata_id = models.CharField(
        "Wikidata id",
        max_length=16,
        blank=True,
        validators=[validate_wikidata_id],
        help_text="e.g. Q1490",
    )
    description = models.TextField(blank=True)

    class CoordinatesCheck(models.TextChoices):
        NOT_CHECKED = "", "not checked (no coordinates)"
        OK = "ok", "in its country"
        OUTSIDE = "outside", "outside its country"
        UNKNOWN = "unknown", "cannot be checked (no reference places in the country)"

    coordinates_check = models.CharField(
        max_length=10,
        choices=CoordinatesCheck.choices,
        blank=True,
        default="",
        editable=False,
        help_text="Whether the coordinates lie in the country, by the offline gazetteer (set by the services).",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_localities",
        editable=False,
        help_text="Set when this record was merged into another: it stays as a redirect.",
    )

    name_key = SearchKeyField(populate_from="name")
    native_name_key = SearchKeyField(populate_from="native_name")
    # Admin words, qualifiers and spelling variants folded (partnerships.identity).
    identity_key = IdentityKeyField(populate_from="name")

    objects = LocalityQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "localities"
        ordering = ["name", "country", "id"]
        constraints = [
            models.CheckConstraint(
                # A lookup joined with & or | becomes Q(lookup) anyway; written out for the types.
                condition=Q(Exact(Length("country"), 2)) & Q(Exact(Upper("country"), F("country"))),
                name="locality_country_iso_alpha2",
                violation_error_message="The country must be a two-letter ISO code in capitals.",
            ),
            models.CheckConstraint(
                condition=Q(subdivision="")
                | Q(Exact(Left("subdivision", 3), Concat(F("country"), Value("-")))),
                name="locality_subdivision_in_country",
                violation_error_message="The subdivision code must belong to the locality's country.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="locality_coordinates_valid",
                violation_error_message="Give both coordinates, latitude within ±90 and longitude within ±180.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="locality_not_own_parent",
                violation_error_message="A locality cannot lie in itself.",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")),
                name="locality_not_merged_into_itself",
                violation_error_message="A locality cannot be merged into itself.",
            ),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="locality_unique_wikidata_id",
                violation_error_message="Another locality already has this Wikidata id.",
            ),
        ]
        indexes = [
            # Exact-name matching within a country: imports and the duplicate warning.
            models.Index(fields=["country", "name_key"], name="locality_country_name_idx"),
            # Exact-name matching across countries (search by any spelling).
            models.Index(fields=["name_key"], name="locality_name_key_idx"),
            # Imports' name-key matching and the duplicate queue: same country, same identity key.
            models.Index(fields=["country", "identity_key"], name="locality_country_identity_idx"),
            # The admin's locality changelist in its default order (Meta.ordering): an
            # ordered index scan that stops after one page, not a sort of every locality.
            models.Index(fields=["name", "country", "id"], name="locality_name_order_idx"),
            # selectors.search_localities: "another name of the same place" by identity key,
            # in any country.
            models.Index(fields=["identity_key"], name="locality_identity_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:locality-detail", kwargs={"pk": self.pk})

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.subdivision and self.country and not self.subdivision.startswith(f"{self.country}-"):
            errors["subdivision"] = f"{self.subdivision} is not a subdivision of {self.country}."
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = (
                "Give both coordinates or neither."
            )
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = "A locality cannot lie in itself."
        if self.merged_into_id and self.pk and self.merged_into_id == self.pk:
            errors["merged_into"] = "A locality cannot be merged into itself."
        raise_for(errors)


class LocalityAlias(SearchKeyedModel):
    """Another name of a locality: a former name, another spelling or transliteration,
    a name in another language. Search finds a locality by any of them."""

    class Kind(models.TextChoices):
        FORMER = "former", "former name"
        VARIANT = "variant", "other spelling or transliteration"
        NATIVE = "native", "native name"
        TRANSLATION = "translation", "name in another language"

    locality = models.ForeignKey(Locality, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=16, blank=True, help_text="BCP 47 language tag, e.g. ru, uk, de.")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.VARIANT)
    provenance = models.CharField(
        max_length=100,
        default="curated",
        help_text="Where the name came from: curated (staff), gazetteer:<name version>, "
        "import:<data set>, merge:<locality merged in>.",
    )
    valid_from = models.DateField(null=True, blank=True, help_text="When the name came into use, if known.")
    valid_from_precision = precision_field(blank=True)
    valid_from_partial = PartialDatePair(
        "valid_from", "valid_from_precision", required=False, constraint="alias_valid_from_precision"
    )
    valid_to = models.DateField(null=True, blank=True, help_text="When the name went out of use, if it did.")
    valid_to_precision = precision_field(blank=True)
    valid_to_partial = PartialDatePair(
        "valid_to", "valid_to_precision", required=False, constraint="alias_valid_to_precision"
    )

    name_key = SearchKeyField(populate_from="name")

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "locality aliases"
        ordering = ["locality", "valid_from", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "name_key"],
                name="alias_unique_per_locality",
                violation_error_message="This locality already has this name.",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=F("valid_to")),
                name="alias_valid_period_ordered",
                violation_error_message="A name cannot go out of use before it came into use.",
            ),
        ]
        indexes = [
            # Search by any spelling: alias lookups by normalised name.
            models.Index(fields=["name_key"], name="alias_name_key_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        fill_search_keys(self)
        errors: dict[str, str] = {}
        if (
            self.locality_id
            and LocalityAlias.objects.filter(locality_id=self.locality_id, name_key=self.name_key)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["name"] = "This locality already has this name (ignoring case and accents)."
        errors |= LocalityAlias.valid_from_partial.errors(self)
        errors |= LocalityAlias.valid_to_partial.errors(self)
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            errors["valid_to"] = "A name cannot go out of use before it came into use."
        raise_for(errors)
