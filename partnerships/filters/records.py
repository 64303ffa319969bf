"""The other listings' FilterSets: localities, organizations, sources and reported
figures (the API's lists)."""

import django_filters
from django.db.models import F, Q

from .. import selectors
from ..models import Locality, Organization, Partnership, ReportedFigure, Source
from .fields import ChoiceListFilter, CountryFilter, IdFilter, PartialDateFilter


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
