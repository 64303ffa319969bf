"""The partnership listings' FilterSet (the /partnerships/ and country pages, the map,
the API list, its CSV and GeoJSON, and the statistics), with its counts from the list
index."""

import copy

import django_filters
from django.db import connections, router
from django.db.models import F, Q
from django.http import QueryDict

from ..models import Partnership, PartnershipParty
from .fields import (
    ChoiceListFilter,
    CountryFilter,
    IdFilter,
    IsoDateFilter,
    NullsLastOrderingFilter,
    PartialDateFilter,
)


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
