"""Localities with their other names (aliases) and their citations; the add page
warns about namesakes in the same country."""

from django.contrib import admin

from ..models import (
    Locality,
    LocalityAlias,
)
from .base import (
    CountryFilter,
    RegistryAdmin,
)
from .forms import (
    LocalityAdminForm,
    LocalityAliasFormSet,
)
from .sources import CitationInline

# -------------------------------------------------------------------------- localities


class LocalityAliasInline(admin.TabularInline):
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
class LocalityAdmin(RegistryAdmin):
    form = LocalityAdminForm
    list_display = ["name", "native_name", "other_names", "kind", "country", "subdivision", "parent"]
    list_filter = ["kind", CountryFilter]
    list_select_related = ["parent"]
    # Required by the search box and autocomplete; get_search_results() does the matching.
    search_fields = ["name"]
    search_help_text = "Any name of the locality, including former names; case and accents are ignored."
    autocomplete_fields = ["parent"]
    inlines = [LocalityAliasInline, CitationInline]

    def get_inlines(self, request, obj):
        # The add page keeps to the locality, its names and the duplicate warning; its
        # sources are cited once it is saved, as a partnership's are.
        return self.inlines if obj else [LocalityAliasInline]

    def get_fields(self, request, obj=None):
        # "Save anyway" answers the duplicate warning, which only a new locality gets.
        fields = super().get_fields(request, obj)
        return fields if obj is None else [f for f in fields if f != "save_anyway"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.matching(search_term), False

    @admin.display(description="other names")
    def other_names(self, obj):
        return ", ".join(alias.name for alias in obj.aliases.all())
