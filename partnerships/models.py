import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat, Greatest, Least, Left, NullIf
from django.db.models.lookups import Exact
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .dates import (
    DatePrecision,
    PartialDate,
    format_partial_date,
    partial_date_constraint,
    validate_partial_date,
)
from .fields import SearchKeyedModel, SearchKeyField, fill_search_keys
from .text import normalize_name
from .validators import (
    country_name,
    validate_country_code,
    validate_subdivision_code,
    validate_wikidata_id,
)

PRECISION_HELP = (
    "How much of the date the source gives: the day, only the month (enter the 1st), "
    "or only the year (enter 1 January). It is shown as given, e.g. “2002”, never “2002-01-01”."
)


def _precision_field(*, blank: bool = False) -> models.CharField:
    return models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=blank,
        default="" if blank else DatePrecision.DAY,
        help_text=PRECISION_HELP,
    )


def _partial(date, precision) -> PartialDate | None:
    return PartialDate(date, precision) if date is not None and precision else None


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# --------------------------------------------------------------------------- localities


class LocalityQuerySet(models.QuerySet):
    def matching(self, text: str):
        """Localities whose name, native name or any alias contains the text, ignoring
        case, diacritics and punctuation ("Kharkov", "KHARKIV", "Koln")."""
        key = normalize_name(text)
        if not key:
            return self.none()
        return self.filter(
            Q(name_key__contains=key)
            | Q(native_name_key__contains=key)
            | Exists(LocalityAlias.objects.filter(locality=OuterRef("pk"), name_key__contains=key))
        )

    def named(self, text: str):
        """Localities with exactly this name, native name or alias (normalised)."""
        key = normalize_name(text)
        if not key:
            return self.none()
        return self.filter(
            Q(name_key=key)
            | Q(native_name_key=key)
            | Exists(LocalityAlias.objects.filter(locality=OuterRef("pk"), name_key=key))
        )

    def in_country(self, *codes: str):
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

    name_key = SearchKeyField(populate_from="name")
    native_name_key = SearchKeyField(populate_from="native_name")

    objects = LocalityQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "localities"
        ordering = ["name", "country", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(models.functions.Length("country"), 2)
                & Exact(models.functions.Upper("country"), F("country")),
                name="locality_country_iso_alpha2",
                violation_error_message="The country must be a two-letter ISO code in capitals.",
            ),
            models.CheckConstraint(
                condition=Q(subdivision="") | Exact(Left("subdivision", 3), Concat(F("country"), Value("-"))),
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
        ]

    def __str__(self):
        return f"{self.name} ({self.country})"

    def get_absolute_url(self):
        return reverse("partnerships:locality-detail", kwargs={"pk": self.pk})

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    def clean(self):
        errors = {}
        if self.subdivision and self.country and not self.subdivision.startswith(f"{self.country}-"):
            errors["subdivision"] = f"{self.subdivision} is not a subdivision of {self.country}."
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = (
                "Give both coordinates or neither."
            )
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = "A locality cannot lie in itself."
        if errors:
            raise ValidationError(errors)


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
    valid_from = models.DateField(null=True, blank=True, help_text="When the name came into use, if known.")
    valid_from_precision = _precision_field(blank=True)
    valid_to = models.DateField(null=True, blank=True, help_text="When the name went out of use, if it did.")
    valid_to_precision = _precision_field(blank=True)

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
            partial_date_constraint(
                "valid_from",
                "valid_from_precision",
                name="alias_valid_from_precision",
                required=False,
            ),
            partial_date_constraint(
                "valid_to", "valid_to_precision", name="alias_valid_to_precision", required=False
            ),
        ]
        indexes = [
            # Search by any spelling: alias lookups by normalised name.
            models.Index(fields=["name_key"], name="alias_name_key_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def valid_from_partial(self):
        return _partial(self.valid_from, self.valid_from_precision)

    @property
    def valid_to_partial(self):
        return _partial(self.valid_to, self.valid_to_precision)

    def clean(self):
        fill_search_keys(self)
        errors = {}
        if (
            self.locality_id
            and LocalityAlias.objects.filter(locality_id=self.locality_id, name_key=self.name_key)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["name"] = "This locality already has this name (ignoring case and accents)."
        errors |= validate_partial_date(
            self.valid_from,
            self.valid_from_precision,
            field="valid_from",
            precision_field="valid_from_precision",
            required=False,
        )
        errors |= validate_partial_date(
            self.valid_to,
            self.valid_to_precision,
            field="valid_to",
            precision_field="valid_to_precision",
            required=False,
        )
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            errors["valid_to"] = "A name cannot go out of use before it came into use."
        if errors:
            raise ValidationError(errors)


# ------------------------------------------------------------------------ organizations


class OrganizationQuerySet(models.QuerySet):
    def matching(self, text: str):
        key = normalize_name(text)
        if not key:
            return self.none()
        return self.filter(Q(name_key__contains=key) | Q(abbreviation__iexact=text.strip()))


class Organization(SearchKeyedModel, TimestampedModel):
    """A body that facilitates partnerships or publishes figures about them."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", "association of cities"
        NONPROFIT = "nonprofit", "nonprofit or civic group"
        GOVERNMENT = "government", "government body or programme"
        BUSINESS = "business", "business or chamber of commerce"
        ACADEMIC = "academic", "university or school"
        OTHER = "other", "other"

    name = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=20, blank=True, help_text="e.g. SCI, URC, BISNIS")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NONPROFIT)
    country = models.CharField(max_length=2, blank=True, validators=[validate_country_code])
    url = models.URLField("web site", max_length=500, blank=True)
    description = models.TextField(blank=True)

    name_key = SearchKeyField(populate_from="name")

    objects = OrganizationQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_key"],
                name="organization_unique_name",
                violation_error_message="An organization with this name already exists.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    def get_absolute_url(self):
        return reverse("partnerships:organization-detail", kwargs={"pk": self.pk})

    def clean(self):
        fill_search_keys(self)
        if Organization.objects.filter(name_key=self.name_key).exclude(pk=self.pk).exists():
            raise ValidationError({"name": "An organization with this name already exists."})


class OrganizationRelationship(TimestampedModel):
    """Organizations have relationships too (SCI and the Union of Russian Cities)."""

    from_organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="relationships_from"
    )
    to_organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="relationships_to"
    )
    description = models.TextField(help_text="What the relationship is, in the source's terms.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_organization", "to_organization"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organization=F("to_organization")),
                name="orgrel_distinct_organizations",
                violation_error_message="An organization cannot have a relationship with itself.",
            ),
            models.UniqueConstraint(
                Least("from_organization", "to_organization"),
                Greatest("from_organization", "to_organization"),
                name="orgrel_unique_pair",
                violation_error_message="These two organizations already have a relationship record.",
            ),
        ]

    def __str__(self):
        return f"{self.from_organization} – {self.to_organization}"

    def get_absolute_url(self):
        return self.from_organization.get_absolute_url()


# ---------------------------------------------------------------------------- sources


class SourceQuerySet(models.QuerySet):
    def matching(self, text: str):
        """Sources whose title contains the text ignoring case and accents, or whose
        publisher, author or URL contains it."""
        key = normalize_name(text)
        text = text.strip()
        if not text:
            return self.none()
        condition = Q(publisher__icontains=text) | Q(author__icontains=text) | Q(url__icontains=text)
        if key:
            condition |= Q(title_key__contains=key)
        return self.filter(condition)


class Source(SearchKeyedModel, TimestampedModel):
    """A document that says something about partnerships."""

    class Kind(models.TextChoices):
        NEWS_ARTICLE = "news_article", "news article"
        OFFICIAL_DOCUMENT = "official_document", "official document"
        DIRECTORY = "directory", "directory or list"
        INTERVIEW = "interview", "interview"
        DATASET = "dataset", "data set"
        OTHER = "other", "other"

    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True, help_text="Publisher or outlet.")
    author = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    published_precision = _precision_field(blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    archived_url = models.URLField(
        "archived URL", max_length=1000, blank=True, help_text="A copy in a web archive."
    )
    accessed_on = models.DateField(null=True, blank=True, help_text="When staff last read it at its URL.")
    language = models.CharField(max_length=16, default="en", help_text="BCP 47 language tag, e.g. en, ru.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWS_ARTICLE)
    notes = models.TextField(blank=True, help_text="Anything readers should know about this source.")

    title_key = SearchKeyField(populate_from="title", max_length=500)

    objects = SourceQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_unique_url",
                violation_error_message="A source with this URL already exists.",
            ),
            partial_date_constraint(
                "published_on",
                "published_precision",
                name="source_published_precision",
                required=False,
            ),
        ]

    def __str__(self):
        published = format_partial_date(self.published_on, self.published_precision)
        bits = [b for b in (self.publisher, published) if b]
        return f"{self.title} ({', '.join(bits)})" if bits else self.title

    def get_absolute_url(self):
        return reverse("partnerships:source-detail", kwargs={"pk": self.pk})

    @property
    def published(self):
        return _partial(self.published_on, self.published_precision)

    def clean(self):
        errors = validate_partial_date(
            self.published_on,
            self.published_precision,
            field="published_on",
            precision_field="published_precision",
            required=False,
        )
        if self.accessed_on and self.accessed_on > datetime.date.today():
            errors["accessed_on"] = "The access date cannot be in the future."
        if errors:
            raise ValidationError(errors)


# ----------------------------------------------------------------------- partnerships


class FocusArea(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnershipQuerySet(models.QuerySet):
    def with_parties(self):
        return self.select_related("locality_a", "locality_b")

    def as_of(self, date: datetime.date | None = None):
        """Partnerships that existed on the date, each annotated with ``status``,
        ``status_since`` and ``status_since_precision`` as they were then.

        Without a date, the current status (stored on the row) is used. With one, the
        status is that of the latest event on or before it. A partnership is left out
        when it is known not to exist yet: its first event and its establishment date are
        both later (or one is later and the other unknown). One with no dated fact at all
        is kept, with an unknown (null) status, as is one established by then whose first
        status event is later. Either way it is one SQL query, whatever the number of rows."""
        if date is None:
            return self.annotate(
                status=NullIf(F("current_status"), Value("")),
                status_since=F("current_status_since"),
                status_since_precision=NullIf(F("current_status_since_precision"), Value("")),
            )
        events = StatusEvent.objects.filter(partnership=OuterRef("pk"))
        latest = events.filter(effective_on__lte=date).order_by("-effective_on", "-id")
        return self.annotate(
            status=Subquery(latest.values("status")[:1]),
            status_since=Subquery(latest.values("effective_on")[:1]),
            status_since_precision=Subquery(latest.values("effective_precision")[:1]),
        ).filter(
            Q(status__isnull=False)
            | Q(established_on__lte=date)
            | (Q(established_on__isnull=True) & ~Exists(events))
        )

    def active(self):
        return self.filter(current_status=Partnership.Status.ACTIVE)

    def in_country(self, *codes: str):
        """Partnerships with a party in any of the countries."""
        return self.filter(Q(locality_a__country__in=codes) | Q(locality_b__country__in=codes))

    def between(self, country_1: str, country_2: str):
        """Partnerships with one party in each of the two countries."""
        return self.filter(
            Q(locality_a__country=country_1, locality_b__country=country_2)
            | Q(locality_a__country=country_2, locality_b__country=country_1)
        )

    def involving(self, locality):
        return self.filter(Q(locality_a=locality) | Q(locality_b=locality))

    def matching(self, text: str):
        """Partnerships where either party's name or alias contains the text."""
        localities = Locality.objects.matching(text).values("pk")
        return self.filter(Q(locality_a__in=localities) | Q(locality_b__in=localities))

    def for_pair(self, locality_1, locality_2):
        """The partnership between two localities, whichever order they were entered in."""
        return self.filter(
            Q(locality_a=locality_1, locality_b=locality_2) | Q(locality_a=locality_2, locality_b=locality_1)
        )


class Partnership(TimestampedModel):
    """A partnership between two distinct localities. It is unordered: Seattle–Tashkent
    and Tashkent–Seattle are the same partnership."""

    class Level(models.TextChoices):
        SISTER_CITY = "sister_city", "sister city"
        SISTER_COUNTY = "sister_county", "sister county"
        SISTER_STATE = "sister_state", "sister state or region"
        FRIENDSHIP = "friendship", "friendship agreement"
        COOPERATION = "cooperation", "cooperation agreement"
        PARTNERSHIP = "partnership", "city partnership (kind not stated)"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "proposed"
        ACTIVE = "active", "active"
        SUSPENDED = "suspended", "suspended"
        TERMINATED = "terminated", "terminated"

    locality_a = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        related_name="partnerships_as_a",
        verbose_name="first party",
    )
    locality_b = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        related_name="partnerships_as_b",
        verbose_name="second party",
    )
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.SISTER_CITY)
    established_on = models.DateField(
        null=True,
        blank=True,
        help_text="When it was signed or founded, as precisely as a source says.",
    )
    established_precision = _precision_field(blank=True)
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="partnerships",
        help_text="Organizations that facilitate it.",
    )
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="partnerships")
    description = models.TextField(blank=True)

    # Derived from the status events and written only by services.record_status_event()
    # and its siblings; stored so that "current status" filters are a plain indexed column.
    current_status = models.CharField(max_length=10, choices=Status.choices, blank=True, editable=False)
    current_status_since = models.DateField(null=True, blank=True, editable=False)
    current_status_since_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True, editable=False
    )

    # Set by services.verify_partnership() when a reviewer has checked the record
    # against its sources; the review queue lists what was never or long ago verified.
    last_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = PartnershipQuerySet.as_manager()

    # Who changed what, when: every save through the admin, the API, imports and
    # bulk actions (bulk_create_with_history) lands in HistoricalPartnership.
    history = HistoricalRecords(m2m_fields=[organizations, focus_areas])

    class Meta:
        ordering = ["locality_a__name", "locality_b__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(locality_a=F("locality_b")),
                name="partnership_distinct_parties",
                violation_error_message="A partnership needs two different localities.",
            ),
            models.UniqueConstraint(
                Least("locality_a", "locality_b"),
                Greatest("locality_a", "locality_b"),
                name="partnership_unique_pair",
                violation_error_message="A partnership between these two localities already exists.",
            ),
            partial_date_constraint(
                "established_on",
                "established_precision",
                name="partnership_established_precision",
                required=False,
            ),
            partial_date_constraint(
                "current_status_since",
                "current_status_since_precision",
                name="partnership_status_since_precision",
                required=False,
            ),
            models.CheckConstraint(
                condition=Q(current_status="", current_status_since__isnull=True)
                | (
                    Q(current_status__in=["proposed", "active", "suspended", "terminated"])
                    & Q(current_status_since__isnull=False)
                ),
                name="partnership_current_status_dated",
                violation_error_message="A current status needs the date since when it holds.",
            ),
        ]
        indexes = [
            # Lists filtered by current status (status=active, the home page counts).
            models.Index(fields=["current_status"], name="partnership_status_idx"),
            # The change feed and updated_since filters.
            models.Index(fields=["updated_at"], name="partnership_updated_idx"),
            # The review queue: never verified first, then the oldest verifications.
            models.Index(fields=["last_verified_at"], name="partnership_verified_idx"),
        ]

    def __str__(self):
        a = self.locality_a.name if self.locality_a_id else "?"
        b = self.locality_b.name if self.locality_b_id else "?"
        return f"{a} – {b}"

    def get_absolute_url(self):
        return reverse("partnerships:partnership-detail", kwargs={"pk": self.pk})

    @property
    def established(self):
        return _partial(self.established_on, self.established_precision)

    @property
    def current_status_since_partial(self):
        return _partial(self.current_status_since, self.current_status_since_precision)

    @property
    def localities(self):
        return (self.locality_a, self.locality_b)

    def clean(self):
        errors = validate_partial_date(
            self.established_on,
            self.established_precision,
            field="established_on",
            precision_field="established_precision",
            required=False,
        )
        if self.locality_a_id and self.locality_b_id:
            if self.locality_a_id == self.locality_b_id:
                errors["locality_b"] = "A partnership needs two different localities."
            else:
                existing = (
                    Partnership.objects.for_pair(self.locality_a_id, self.locality_b_id)
                    .exclude(pk=self.pk)
                    .first()
                )
                if existing is not None:
                    errors["locality_b"] = (
                        f"A partnership between these two localities already exists: {existing} "
                        f"(record #{existing.pk}), whichever order they are entered in."
                    )
        if errors:
            raise ValidationError(errors)


class StatusEvent(models.Model):
    """A dated change of a partnership's status, with its citations."""

    class DeclaredBy(models.TextChoices):
        LOCALITY_A = "locality_a", "the first party"
        LOCALITY_B = "locality_b", "the second party"
        BOTH = "both", "both parties"
        ORGANIZATION = "organization", "an organization"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(
        max_length=10,
        choices=Partnership.Status.choices,
        help_text=(
            "proposed: announced or being negotiated, not yet signed; active: signed and in force "
            "(also revived); suspended: put on hold, frozen, paused; terminated: ended."
        ),
    )
    effective_on = models.DateField(help_text="When the status took effect, as precisely as the source says.")
    effective_precision = _precision_field()
    note = models.TextField(blank=True)
    declared_by = models.CharField(
        max_length=12,
        choices=DeclaredBy.choices,
        blank=True,
        help_text="Who declared the change, if known.",
    )
    declaring_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declared_events",
    )
    is_internal_record = models.BooleanField(
        default=False,
        help_text="Tick only for a change staff know of without a citable source; it is flagged for review.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["effective_on", "id"]
        constraints = [
            partial_date_constraint(
                "effective_on",
                "effective_precision",
                name="event_effective_precision",
                required=True,
            ),
            models.CheckConstraint(
                condition=Q(declared_by="organization", declaring_organization__isnull=False)
                | (~Q(declared_by="organization") & Q(declaring_organization__isnull=True)),
                name="event_declaring_organization_iff_declared_by_organization",
                violation_error_message="Name the organization exactly when an organization declared the change.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "active", "suspended", "terminated"]),
                name="event_status_valid",
                violation_error_message="Unknown status.",
            ),
        ]
        indexes = [
            # as_of(date): the latest event on or before a date, per partnership.
            models.Index(fields=["partnership", "effective_on", "id"], name="event_timeline_idx"),
            # The home page's latest status changes.
            models.Index(fields=["-effective_on", "-id"], name="event_latest_idx"),
        ]

    def __str__(self):
        return f"{self.partnership}: {self.get_status_display()} since {self.effective}"

    def get_absolute_url(self):
        return self.partnership.get_absolute_url()

    @property
    def effective(self):
        return PartialDate(self.effective_on, self.effective_precision)

    def clean(self):
        errors = validate_partial_date(
            self.effective_on,
            self.effective_precision,
            field="effective_on",
            precision_field="effective_precision",
        )
        if self.declared_by == self.DeclaredBy.ORGANIZATION and not self.declaring_organization_id:
            errors["declaring_organization"] = "Name the organization that declared the change."
        if self.declaring_organization_id and self.declared_by != self.DeclaredBy.ORGANIZATION:
            errors["declared_by"] = "Choose “an organization” when naming the declaring organization."
        if errors:
            raise ValidationError(errors)


class Activity(TimestampedModel):
    """Something a partnership did: a visit, a call, aid sent, a business venture."""

    class Kind(models.TextChoices):
        VISIT = "visit", "visit or delegation"
        CONFERENCE = "conference", "conference or event"
        CALL = "call", "call or meeting"
        AID = "aid", "aid or donation"
        BUSINESS = "business", "business venture"
        EXCHANGE = "exchange", "exchange (students, professionals)"
        CULTURE = "culture", "cultural project"
        OTHER = "other", "other"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    occurred_on = models.DateField(
        null=True,
        blank=True,
        help_text="When it happened; leave empty when the source gives no date.",
    )
    occurred_precision = _precision_field(blank=True)
    is_planned = models.BooleanField(
        default=False, help_text="The source announces it; it had not happened yet."
    )
    description = models.TextField()

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["partnership", "occurred_on", "id"]
        constraints = [
            partial_date_constraint(
                "occurred_on",
                "occurred_precision",
                name="activity_occurred_precision",
                required=False,
            ),
        ]

    def __str__(self):
        when = format_partial_date(self.occurred_on, self.occurred_precision) or "undated"
        return f"{self.partnership}: {self.get_kind_display()} ({when})"

    def get_absolute_url(self):
        return self.partnership.get_absolute_url()

    @property
    def occurred(self):
        return _partial(self.occurred_on, self.occurred_precision)

    def clean(self):
        errors = validate_partial_date(
            self.occurred_on,
            self.occurred_precision,
            field="occurred_on",
            precision_field="occurred_precision",
            required=False,
            allow_future=self.is_planned,
        )
        if errors:
            raise ValidationError(errors)


class ReportedFigure(TimestampedModel):
    """A count that a source states ("more than 70 US–Russian sister relationships"),
    shown beside the registry's own count for the same scope and date."""

    class Qualifier(models.TextChoices):
        EXACTLY = "exactly", "exactly"
        ABOUT = "about", "about"
        MORE_THAN = "more_than", "more than"
        AT_LEAST = "at_least", "at least"
        UPWARD_OF = "upward_of", "upward of"
        FEWER_THAN = "fewer_than", "fewer than"

    class Measure(models.TextChoices):
        PARTNERSHIPS = "partnerships", "partnerships"
        LOCALITIES = "localities", "localities taking part"

    count = models.PositiveIntegerField()
    qualifier = models.CharField(max_length=10, choices=Qualifier.choices, default=Qualifier.EXACTLY)
    measure = models.CharField(max_length=12, choices=Measure.choices, default=Measure.PARTNERSHIPS)
    country_a = models.CharField(
        "country",
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text="The country the figure is about; empty for a worldwide figure. "
        "For a count of localities, the localities counted are in this country.",
    )
    country_b = models.CharField(
        "partner country",
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text="With a partner country, the figure counts partnerships between the two.",
    )
    status = models.CharField(
        max_length=10,
        choices=Partnership.Status.choices,
        blank=True,
        help_text="The status counted, if the figure counts only one (e.g. only suspended ones).",
    )
    as_of = models.DateField(help_text="The date the figure describes (usually the publication date).")
    as_of_precision = _precision_field()
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_figures",
        help_text="The organization the figure is about or comes from.",
    )
    description = models.TextField(blank=True, help_text="What exactly is counted, in the source's terms.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-as_of", "country_a", "country_b", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country_b="") | (~Q(country_a="") & ~Q(country_a=F("country_b"))),
                name="figure_scope_valid",
                violation_error_message="A partner country needs a different first country.",
            ),
            partial_date_constraint("as_of", "as_of_precision", name="figure_as_of_precision", required=True),
        ]
        indexes = [
            # Figures beside the registry's count for a country or a pair of countries.
            models.Index(fields=["country_a", "country_b", "as_of"], name="figure_scope_idx"),
        ]

    def __str__(self):
        scope = "–".join(c for c in (self.country_a, self.country_b) if c) or "worldwide"
        qualifier = "" if self.qualifier == self.Qualifier.EXACTLY else f"{self.get_qualifier_display()} "
        return f"{scope}: {qualifier}{self.count} {self.get_measure_display()} ({self.as_of_partial})"

    def get_absolute_url(self):
        return reverse("partnerships:figure-list") + f"#figure-{self.pk}"

    @property
    def as_of_partial(self):
        return PartialDate(self.as_of, self.as_of_precision)

    def clean(self):
        errors = validate_partial_date(
            self.as_of, self.as_of_precision, field="as_of", precision_field="as_of_precision"
        )
        if self.country_b and not self.country_a:
            errors["country_a"] = "Give the first country when giving a partner country."
        elif self.country_b and self.country_a == self.country_b:
            errors["country_b"] = "The partner country must differ from the first country."
        if errors:
            raise ValidationError(errors)


CITATION_TARGETS = (
    "partnership",
    "status_event",
    "activity",
    "reported_figure",
    "organization_relationship",
    "locality",
)


class Citation(models.Model):
    """Ties a source to a claim: a partnership's existence, a status event, an activity,
    a reported figure, a relationship between organizations or a locality's existence
    and details (an imported data set that created it, a gazetteer)."""

    TARGETS = CITATION_TARGETS

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(blank=True, help_text="The source's exact words that support the claim.")
    locator = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where in the source: a page, a paragraph, a section title.",
    )
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    status_event = models.ForeignKey(
        StatusEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    reported_figure = models.ForeignKey(
        ReportedFigure, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    organization_relationship = models.ForeignKey(
        OrganizationRelationship,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citations",
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    *[
                        Q(**{f"{target}__isnull": target != chosen for target in CITATION_TARGETS})
                        for chosen in CITATION_TARGETS
                    ],
                    _connector=Q.OR,
                ),
                name="citation_exactly_one_target",
                violation_error_message="A citation supports exactly one claim.",
            ),
        ]

    def __str__(self):
        return f"{self.source.title}: “{self.quote[:60]}”" if self.quote else self.source.title

    def get_absolute_url(self):
        return self.source.get_absolute_url()

    @property
    def target(self):
        for name in self.TARGETS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    def clean(self):
        # A target saved in the same request has no id yet, hence the object check.
        chosen = [
            name
            for name in self.TARGETS
            if getattr(self, f"{name}_id") is not None or getattr(self, name) is not None
        ]
        if len(chosen) != 1:
            raise ValidationError(
                "A citation supports exactly one claim: a partnership, a status event, "
                "an activity, a reported figure, an organizations' relationship or a locality."
            )


# --------------------------------------------------------------------------- corrections


class CorrectionRequest(models.Model):
    """A correction suggested by a member of the public on a partnership or locality page.

    It is never published: staff read it in the admin's moderation list and, where it
    holds, change the records themselves through the usual forms and services."""

    class Status(models.TextChoices):
        NEW = "new", "new – not yet read"
        ACCEPTED = "accepted", "accepted – the records were corrected"
        REJECTED = "rejected", "rejected – no change needed"

    MESSAGE_MAX_LENGTH = 2000

    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="correction_requests"
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.CASCADE, related_name="correction_requests"
    )
    message = models.CharField(
        max_length=MESSAGE_MAX_LENGTH, help_text="What the visitor says is wrong, in their words."
    )
    source_url = models.URLField(max_length=500, blank=True, help_text="Where the visitor says it is shown.")
    contact = models.CharField(
        max_length=200, blank=True, help_text="Optional e-mail or name, only for staff questions."
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    staff_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partnership__isnull=False, locality__isnull=True)
                | Q(partnership__isnull=True, locality__isnull=False),
                name="correction_one_target",
                violation_error_message="A correction is about one partnership or one locality.",
            ),
        ]
        indexes = [
            # The admin's moderation list: new requests first, newest on top.
            models.Index(fields=["status", "-created_at"], name="correction_queue_idx"),
        ]

    def __str__(self):
        return f"Correction to {self.partnership or self.locality} ({self.get_status_display()})"

    @property
    def target(self):
        return self.partnership or self.locality

    def clean(self):
        if (self.partnership_id is None) == (self.locality_id is None):
            raise ValidationError("A correction is about one partnership or one locality.")
