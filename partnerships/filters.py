"""The FilterSets behind every listing. The HTML pages and the API use the same ones, so a
query string means the same thing on /partnerships/ and on /api/v1/partnerships/.

Every parameter is validated: a bad value makes the FilterSet invalid with a message per
parameter (the API answers 400 with them, the pages show them) instead of reaching the
database. Form CharFields already refuse NUL characters, which PostgreSQL cannot store.
"""

import contextlib
import copy
import datetime

import django_filters
import pycountry
from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import F, Q
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from . import selectors
from .dates import PartialDate
from .models import Locality, Organization, Partnership, PartnershipParty, ReportedFigure, Source
from .text import normalize_name
from .validators import _EXTRA_COUNTRIES, validate_country_code

# The largest id a bigint column holds: a larger number is a 400, not a database error.
MAX_ID = 2**63 - 1


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# Everyday English names that ISO 3166 does not list (keys normalised by normalize_name).
# Deliberately small: a name that could mean two countries ("Congo", "Korea") or only part
# of one ("England") is not guessed but refused, with a message asking for the code.
COUNTRY_ALIASES = {
    "russia": "RU",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "usa": "US",
    "u s a": "US",
    "u s": "US",
    "u k": "GB",
    "america": "US",
    "united states of america": "US",
    "turkey": "TR",
    "ivory coast": "CI",
    "holland": "NL",
    "the netherlands": "NL",
    "czech republic": "CZ",
    "macedonia": "MK",
    "palestine": "PS",
    "burma": "MM",
    "cape verde": "CV",
    "east timor": "TL",
    "swaziland": "SZ",
    "vatican": "VA",
    "vatican city": "VA",
    "dr congo": "CD",
    "drc": "CD",
}


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a visitor's country means: a code in any case ("ru"),
    an ISO name, common or official name, alpha-3 code ("RUS"), or an everyday English name
    from COUNTRY_ALIASES ("Russia", "UK", "USA"), accents and case ignored. None when it
    names no country."""
    text = text.strip()
    key = normalize_name(text)
    if len(text) == 2 and text.isascii() and text.isalpha():
        code = text.upper()
        try:
            validate_country_code(code)
        except ValidationError:
            return COUNTRY_ALIASES.get(key)  # "UK"
        return code
    if not key or key.isdigit():
        return None
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    for code, name in _EXTRA_COUNTRIES.items():
        if normalize_name(name) == key:
            return code
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        pass
    return _COUNTRY_NAMES.get(key)


def _country_names() -> dict[str, str]:
    """Every ISO name, common and official name, normalised (so "Cote d'Ivoire" and
    "Türkiye" without accents match too) → its code."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.setdefault(normalize_name(value), country.alpha_2)
    return names


_COUNTRY_NAMES = _country_names()


class CountryListField(forms.CharField):
    """Countries, comma-separated: ISO 3166-1 alpha-2 codes (lower case is accepted) or
    country names ("Russia", "Germany"), cleaned to codes. A value naming no country is
    an error, never dropped: a listing filtered by country must not silently show every
    country's rows."""

    def __init__(self, *args, exactly: int | None = None, **kwargs):
        self.exactly = exactly
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        items = _split(value)
        if self.exactly is not None and len(items) != self.exactly:
            raise ValidationError(
                f"Give exactly {self.exactly} country codes separated by a comma, e.g. US,RU.",
                code="invalid",
            )
        codes = []
        for item in items:
            code = country_code(item)
            if code is None:
                # User input goes in params, never into the message itself: django-filter
                # formats messages with %, so a "%" in the input would otherwise crash it.
                raise ValidationError(
                    "“%(code)s” is not an ISO 3166-1 alpha-2 country code (e.g. US, RU, UA) "
                    "nor a country name the registry knows (e.g. Russia, Germany).",
                    code="invalid_country",
                    params={"code": item.upper() if len(item) == 2 else item},
                )
            codes.append(code)
        return codes


class ChoiceListField(forms.CharField):
    """Comma-separated values from a fixed list of choices."""

    def __init__(self, *args, choices=(), **kwargs):
        self.allowed = [value for value, _label in choices]
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        values = [item.lower() for item in _split(value)]
        unknown = [item for item in values if item not in self.allowed]
        if unknown:
            raise ValidationError(
                "Unknown value “%(value)s”; choose from %(allowed)s.",
                code="invalid_choice",
                params={"value": unknown[0], "allowed": ", ".join(self.allowed)},
            )
        return values


class PartialDateField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return PartialDate.parse(value)
        except ValueError:
            raise ValidationError(
                "“%(value)s” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD.",
                code="invalid_date",
                params={"value": value},
            ) from None


class IsoDateField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        parsed = None
        if len(value) == 10:
            with contextlib.suppress(ValueError):
                parsed = datetime.date.fromisoformat(value)
        if parsed is None:
            raise ValidationError(
                "“%(value)s” is not a date of the form YYYY-MM-DD.",
                code="invalid_date",
                params={"value": value},
            )
        return parsed


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _filter(field_class: type[forms.Field], schema_type: OpenApiTypes) -> type[django_filters.Filter]:
    """A Filter that cleans its value with ``field_class`` and is a ``schema_type`` parameter
    in the OpenAPI schema."""
    attributes = {"field_class": field_class, "__module__": __name__}
    filter_class = type(f"{field_class.__name__}Filter", (django_filters.Filter,), attributes)
    annotated: type[django_filters.Filter] = extend_schema_field(schema_type)(filter_class)
    return annotated


CountryFilter = _filter(CountryListField, OpenApiTypes.STR)
ChoiceListFilter = _filter(ChoiceListField, OpenApiTypes.STR)
PartialDateFilter = _filter(PartialDateField, OpenApiTypes.STR)
IdFilter = _filter(IdField, OpenApiTypes.INT)
IsoDateFilter = _filter(IsoDateField, OpenApiTypes.DATE)


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Undated rows sort last either way, on PostgreSQL and SQLite alike (their defaults differ)."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = F(self.param_map[param.lstrip("-")])
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)


def _index_count(statuses: list[str] | None = None, **equal: str) -> int:
    """How many country rows of the list index have these column values (and one of the
    ``statuses``, if given): an index-only scan of ``party_country_order_idx``,
    ``party_between_order_idx`` or their ``_status_idx`` twins. Plain SQL (the ORM's
    building and compiling of this COUNT cost more than the scan), on the database the
    router picks for PartnershipParty."""
    table = PartnershipParty._meta.db_table
    where = "".join(f' AND "{column}" = %s' for column in equal)
    params: list[str] = list(equal.values())
    if statuses:
        where += f' AND "status" IN ({", ".join(["%s"] * len(statuses))})'
        params += statuses
    alias = router.db_for_read(PartnershipParty)
    with connections[alias].cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "is_country_row"{where}', params)
        (count,) = cursor.fetchone()
    return int(count)


def _copy_filter(filter_: django_filters.Filter) -> django_filters.Filter:
    """A shallow copy of a filter, its ``method`` bound to the copy (to the copy's parent)."""
    copied = copy.copy(filter_)
    if filter_.method is not None:
        copied.method = filter_.method  # the setter binds a new FilterMethod to the copy
    return copied


class PartnershipFilterSet(django_filters.FilterSet):
    """Filters for partnership listings (the /partnerships/ page, the API list, its CSV and
    GeoJSON, and the statistics). ``as_of`` is not a filter like the others: it decides
    which status every other filter and every row sees, so it is applied first."""

    as_of = IsoDateFilter(
        method="filter_nothing",
        label="As of",
        help_text="YYYY-MM-DD: statuses as they were on that date; later partnerships are left out.",
    )
    country = CountryFilter(
        method="filter_country",
        label="Country",
        help_text=(
            "ISO 3166-1 alpha-2 code(s) or English country name(s), comma-separated "
            "(RU, Russia, UK): a party lies in any of them. A value naming no country is a 400."
        ),
    )
    between = CountryFilter(
        method="filter_between",
        exactly=2,
        label="Between countries",
        help_text="Two codes or names, e.g. US,RU or USA,Russia: one party in each.",
    )
    status = ChoiceListFilter(
        method="filter_status",
        choices=Partnership.Status.choices,
        label="Status",
        help_text="proposed, active, suspended, terminated; comma-separated.",
    )
    kind = ChoiceListFilter(
        field_name="level",
        lookup_expr="in",
        choices=Partnership.Level.choices,
        label="Kind",
        help_text="The level, e.g. sister_city; comma-separated.",
    )
    locality = IdFilter(method="filter_locality", label="Locality id", help_text="Either party.")
    organization = IdFilter(field_name="organizations", label="Organization id")
    # Strictly "true" or "false" (a BooleanFilter would read any other word as "no filter").
    domestic = django_filters.ChoiceFilter(
        method="filter_domestic",
        choices=[("true", "true"), ("false", "false")],
        label="Domestic",
        help_text="true: both parties in one country; false: in two countries.",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=200,
        label="Name",
        help_text="A name or alias of either party; case and accents are ignored.",
    )
    established_after = PartialDateFilter(
        method="filter_established_after",
        label="Established from",
        help_text="YYYY, YYYY-MM or YYYY-MM-DD, from the start of that period.",
    )
    established_before = PartialDateFilter(
        method="filter_established_before",
        label="Established until",
        help_text="YYYY, YYYY-MM or YYYY-MM-DD, to the end of that period.",
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Updated since",
        help_text="ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z.",
    )
    ordering = NullsLastOrderingFilter(
        fields=(
            ("established_on", "established"),
            ("updated_at", "updated_at"),
            ("sort_name_a", "name"),
        ),
        label="Order by",
    )

    class Meta:
        model = Partnership
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # As django-filter's, less its per-request costs (about a millisecond of the API
        # list): each filter is copied shallowly, not deep-copied with its field, widget and
        # choices (nothing mutates them: the form deep-copies its fields itself), and the
        # form class is built once per FilterSet class (get_form_class), not per request.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _copy_filter(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._form_class = form_class
        return form_class

    #: the default order through the list index's join (models/parties.py): the same
    #: names as Partnership's own sort keys, so the same order, read from the index that
    #: also filters
    INDEX_ORDER = ("parties__sort_name_a", "parties__sort_name_b", "id")

    def filter_queryset(self, queryset):
        self.index_join = False
        # The conditions on the list index's country row (one country, a pair, then the
        # current status), applied together at the end: in one join, so one index serves
        # them all (filter_country, filter_between, filter_status collect them).
        self.index_row: dict[str, object] | None = None
        queryset = queryset.as_of(self.form.cleaned_data.get("as_of"))
        queryset = super().filter_queryset(queryset)
        if self.index_row is not None:
            queryset = queryset.on_index(**self.index_row)
        # A stable order, so that pages never repeat or skip a row.
        order = list(queryset.query.order_by)
        if not order:
            order = list(self.INDEX_ORDER if self.index_join else Partnership._meta.ordering or ())
        if "id" not in order and "-id" not in order:
            order.append("id")
        return queryset.order_by(*order)

    def count(self) -> int:
        """How many partnerships ``qs`` has, exactly: ``index_count()`` when the filters
        allow it, else ``qs.count()``."""
        found = self.index_count()
        return self.qs.count() if found is None else found

    def index_count(self, *, within: str = "") -> int | None:
        """The count from the list index alone (an index-only scan) when the only filters
        are one country or a pair of countries, with or without the current status; None
        otherwise. ``within``: the queryset filtered is already that country's partnerships
        (the country page's list), whose count without any other filter is the country's."""
        data = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", [])}
        data.pop("ordering", None)
        if within:
            return None if data else _index_count(country=within)
        statuses = data.pop("status", None)
        if set(data) == {"country"} and len(data["country"]) == 1:
            return _index_count(statuses, country=data["country"][0])
        if set(data) == {"between"}:
            first, second = data["between"]
            return _index_count(statuses, country=first, other_country=second)
        return None

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_country(self, queryset, name, value):
        if not value:
            return queryset
        if len(value) == 1 and self.index_row is None:
            self.index_join = True
            self.index_row = {"country": value[0]}
            return queryset
        return queryset.in_country(*value)

    def filter_between(self, queryset, name, value):
        if not value:
            return queryset
        self.index_join = True
        if self.index_row is None:
            self.index_row = {"country": value[0], "other_country": value[1]}
            return queryset
        return queryset.between(*value)

    def filter_status(self, queryset, name, value):
        # ``status`` is the annotation made by as_of(): current, or on the as-of date.
        if not value:
            return queryset
        if self.form.cleaned_data.get("as_of") is None:
            if self.index_row is not None:
                # The current status as the list index's row has it (a copy kept by the
                # triggers): the country row's index pages and counts it alone.
                self.index_row["status__in"] = value
                return queryset
            # The current status is the stored column itself (the annotation only turns ""
            # into null): a plain comparison the planner can estimate and index.
            return queryset.filter(current_status__in=value)
        return queryset.filter(status__in=value)

    def filter_locality(self, queryset, name, value):
        return queryset.involving(value)

    def filter_domestic(self, queryset, name, value: str):
        same = Q(locality_a__country=F("locality_b__country"))
        return queryset.filter(same) if value == "true" else queryset.exclude(same)

    def filter_q(self, queryset, name, value):
        return queryset.matching(value) if value.strip() else queryset

    def filter_established_after(self, queryset, name, value):
        return queryset.filter(established_on__gte=value.date)

    def filter_established_before(self, queryset, name, value):
        return queryset.filter(established_on__lte=value.last_day)


class LocalityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=200,
        label="Name",
        help_text="A name or alias; case and accents ignored.",
    )
    country = CountryFilter(method="filter_country", label="Country")
    kind = ChoiceListFilter(field_name="kind", lookup_expr="in", choices=Locality.Kind.choices, label="Kind")

    class Meta:
        model = Locality
        fields: list[str] = []

    def filter_queryset(self, queryset):
        filtered = super().filter_queryset(queryset)
        if (self.form.cleaned_data.get("q") or "").strip():
            return filtered  # ranked by selectors.search_localities
        return filtered.order_by(F("name").asc(), "country", "id")

    def filter_q(self, queryset, name, value):
        # The one ranked search (exact names, other names, prefixes, substrings).
        return selectors.search_localities(value, queryset) if value.strip() else queryset

    def filter_country(self, queryset, name, value):
        return queryset.in_country(*value) if value else queryset


# ----------------------------------------------------------------- API-only listings


class OrganizationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=200,
        label="Name",
        help_text="Name or abbreviation; case and accents ignored.",
    )
    country = CountryFilter(method="filter_country", label="Country")
    kind = ChoiceListFilter(
        field_name="kind", lookup_expr="in", choices=Organization.Kind.choices, label="Kind"
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by("name", "id")

    def filter_q(self, queryset, name, value):
        return queryset.matching(value) if value.strip() else queryset

    def filter_country(self, queryset, name, value):
        return queryset.filter(country__in=value) if value else queryset


class SourceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", max_length=200, label="Text", help_text="In the title, publisher, author or URL."
    )
    kind = ChoiceListFilter(field_name="kind", lookup_expr="in", choices=Source.Kind.choices, label="Kind")
    partnership = IdFilter(
        method="filter_partnership", label="Partnership id", help_text="Sources cited on it."
    )
    published_after = PartialDateFilter(method="filter_published_after", label="Published from")
    published_before = PartialDateFilter(method="filter_published_before", label="Published until")

    class Meta:
        model = Source
        fields: list[str] = []

    def filter_queryset(self, queryset):
        return (
            super().filter_queryset(queryset).order_by(F("published_on").desc(nulls_last=True), "title", "id")
        )

    def filter_q(self, queryset, name, value):
        return queryset.matching(value) if value.strip() else queryset

    def filter_partnership(self, queryset, name, value):
        cited = (
            Q(citations__partnership=value)
            | Q(citations__status_event__partnership=value)
            | Q(citations__activity__partnership=value)
        )
        return queryset.filter(pk__in=Source.objects.filter(cited).values("pk"))

    def filter_published_after(self, queryset, name, value):
        return queryset.filter(published_on__gte=value.date)

    def filter_published_before(self, queryset, name, value):
        return queryset.filter(published_on__lte=value.last_day)


class ReportedFigureFilterSet(django_filters.FilterSet):
    country = CountryFilter(
        method="filter_country", label="Country", help_text="Figures about any of these countries."
    )
    between = CountryFilter(
        method="filter_between", exactly=2, label="Between countries", help_text="Two codes, e.g. US,RU."
    )
    status = ChoiceListFilter(
        field_name="status", lookup_expr="in", choices=Partnership.Status.choices, label="Status counted"
    )
    measure = ChoiceListFilter(
        field_name="measure", lookup_expr="in", choices=ReportedFigure.Measure.choices, label="Measure"
    )
    organization = IdFilter(field_name="organization", label="Organization id")
    as_of_after = PartialDateFilter(method="filter_as_of_after", label="Describes a date from")
    as_of_before = PartialDateFilter(method="filter_as_of_before", label="Describes a date until")

    class Meta:
        model = ReportedFigure
        fields: list[str] = []

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by("-as_of", "country_a", "country_b", "id")

    def filter_country(self, queryset, name, value):
        return queryset.filter(Q(country_a__in=value) | Q(country_b__in=value)) if value else queryset

    def filter_between(self, queryset, name, value):
        if not value:
            return queryset
        first, second = value
        return queryset.filter(Q(country_a=first, country_b=second) | Q(country_a=second, country_b=first))

    def filter_as_of_after(self, queryset, name, value):
        return queryset.filter(as_of__gte=value.date)

    def filter_as_of_before(self, queryset, name, value):
        return queryset.filter(as_of__lte=value.last_day)
