"""Sources and citations: the source list, the citation list, and the inlines that show
a claim's citations on its own page. Adding and correcting either goes through
services.create_source()/update_source() and add_citation()/update_citation(); a
citation is removed with services.remove_citation(), which keeps the one a claim needs."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.http import HttpRequest

from .. import services
from ..models import Citation, Source
from .base import (
    EVENT_PARTIES,
    PARTIES,
    URL_FIELDS,
    MatchingSearchMixin,
    RegistryAdmin,
    ServiceDeleteMixin,
    count_column,
    partial_date_column,
)
from .forms import RegistryModelForm, changed_values, model_values
from .formsets import CitationFormSet, PreloadedAutocompleteSelect, RequiredCitationFormSet
from .locking import VersionedInlineMixin


def _claim_label(target: str) -> str:
    field = Citation._meta.get_field(target)
    assert isinstance(field, models.ForeignKey)
    return str(field.verbose_name)


class ClaimFilter(admin.SimpleListFilter):
    title = "supports"
    parameter_name = "claim"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
        return [(name, _claim_label(name)) for name in Citation.TARGETS]

    def queryset(self, request: Any, queryset: Any) -> Any:
        if self.value() in Citation.TARGETS:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


# --------------------------------------------------------------------------- citations


class CitationInline(VersionedInlineMixin, admin.TabularInline):
    """A claim's citations, newest first. Partnership and locality citations are optional,
    so they can be removed freely. Each row carries its version (no lost updates)."""

    model = Citation
    formset = CitationFormSet
    fields = ["source", "quote", "locator"]
    autocomplete_fields = ["source"]
    ordering = ["-created_at", "-id"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("source")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "source":
            kwargs["widget"] = PreloadedAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RequiredCitationInline(CitationInline):
    """The citations of a claim that needs one: removed through services.remove_citation(),
    never the last one."""

    formset = RequiredCitationFormSet


@admin.register(Citation)
class CitationAdmin(ServiceDeleteMixin, RegistryAdmin):
    list_display = ["source", "claim", "short_quote", "locator"]
    list_filter = [ClaimFilter, "source__kind"]
    list_select_related = [
        "source",
        *[f"partnership__{party}" for party in PARTIES],
        *[f"status_event__{party}" for party in EVENT_PARTIES],
        *[f"activity__{party}" for party in EVENT_PARTIES],
        "reported_figure",
        "organization_relationship__from_organization",
        "organization_relationship__to_organization",
        "locality",
    ]
    search_fields = ["source__title", "source__publisher", "quote", "locator"]
    autocomplete_fields = ["source", *Citation.TARGETS]
    fieldsets = [
        (None, {"fields": ["source", "quote", "locator"]}),
        (
            "Supports",
            {
                "fields": list(Citation.TARGETS),
                "description": "Choose exactly one claim the source supports.",
            },
        ),
    ]

    def create(self, request: HttpRequest, obj: Citation, form: RegistryModelForm) -> Citation:
        claim = {name: getattr(obj, name) for name in Citation.TARGETS}
        cited = services.CitationInput(source=obj.source, quote=obj.quote, locator=obj.locator)
        return services.add_citation(citation=cited, **claim)

    def update(self, request: HttpRequest, obj: Citation, form: RegistryModelForm) -> Citation:
        return services.update_citation(citation=obj, **changed_values(obj, form))

    def delete(self, obj: Citation) -> None:
        services.remove_citation(citation=obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving a citation to another claim could leave the first without the citation
        # it needs: cite the other claim with a new citation instead.
        return list(Citation.TARGETS) if obj else []

    @admin.display(description="supports")
    def claim(self, obj: Citation) -> str:
        target = obj.target
        return f"{target._meta.verbose_name}: {target}" if target is not None else "—"

    @admin.display(description="quote")
    def short_quote(self, obj: Citation) -> str:
        return obj.quote if len(obj.quote) <= 80 else f"{obj.quote[:79]}…"


# ----------------------------------------------------------------------------- sources


@admin.register(Source)
class SourceAdmin(MatchingSearchMixin, RegistryAdmin):
    list_display = ["title", "publisher", "published", "kind", "language", "citation_count"]
    list_filter = ["kind", "language"]
    search_fields = ["title", "publisher", "author", "url"]
    formfield_overrides = URL_FIELDS

    published = partial_date_column("published_on", "published_precision", "published")
    citation_count = count_column("citation_count", "citations")

    def create(self, request: HttpRequest, obj: Source, form: RegistryModelForm) -> Source:
        dates = {"published": ("published_on", "published_precision")}
        return services.create_source(**model_values(obj, form, partial_dates=dates))

    def update(self, request: HttpRequest, obj: Source, form: RegistryModelForm) -> Source:
        return services.update_source(source=obj, **changed_values(obj, form))

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(citation_count=Count("citations"))
