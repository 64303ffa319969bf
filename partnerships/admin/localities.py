"""Localities with their other names (aliases) and their citations. The add page warns
about namesakes in the same country (forms.LocalityAdminForm); adding and correcting go
through services.create_locality()/update_locality(), the aliases through
add_locality_alias()/update_locality_alias() (formsets.LocalityAliasFormSet)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .. import services
from ..models import Locality, LocalityAlias
from .base import CountryFilter, MatchingSearchMixin, RegistryAdmin
from .forms import LocalityAdminForm, changed_values, model_values
from .formsets import LocalityAliasFormSet
from .locking import VersionedInlineMixin
from .sources import CitationInline


class LocalityAliasInline(VersionedInlineMixin, admin.TabularInline):
    """A locality's other names; each row carries its version (no lost updates)."""

    model = LocalityAlias
    formset = LocalityAliasFormSet
    fields = [
        "name",
        "kind",
        "language",
        "valid_from",
        "valid_from_precision",
        "valid_to",
        "valid_to_precision",
    ]
    extra = 1


@admin.register(Locality)
class LocalityAdmin(MatchingSearchMixin, RegistryAdmin):
    form = LocalityAdminForm
    list_display = ["name", "native_name", "other_names", "kind", "country", "subdivision", "parent"]
    list_filter = ["kind", CountryFilter]
    list_select_related = ["parent"]
    # Required by the search box and autocomplete; get_search_results() does the matching.
    search_fields = ["name"]
    search_help_text = "Any name of the locality, including former names; case and accents are ignored."
    autocomplete_fields = ["parent"]
    inlines = [LocalityAliasInline, CitationInline]
    # The add page keeps to the locality, its names and the duplicate warning; its
    # sources are cited once it is saved, as a partnership's are.
    add_inlines = [LocalityAliasInline]

    def create(self, request: HttpRequest, obj: Locality, form: LocalityAdminForm) -> Locality:
        return services.create_locality(**model_values(obj, form))

    def update(self, request: HttpRequest, obj: Locality, form: LocalityAdminForm) -> Locality:
        return services.update_locality(locality=obj, **changed_values(obj, form))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # "Save anyway" answers the duplicate warning, which only a new locality gets.
        fields = super().get_fields(request, obj)
        return fields if obj is None else [f for f in fields if f != "save_anyway"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="other names")
    def other_names(self, obj: Locality) -> str:
        return ", ".join(alias.name for alias in obj.aliases.all())
