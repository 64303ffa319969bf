"""Localities with their other names (aliases) and their citations. The add page warns
about namesakes in the same country (forms.LocalityAdminForm); adding and correcting go
through services.create_locality()/update_locality(), the aliases through
add_locality_alias()/update_locality_alias() (formsets.LocalityAliasFormSet).

The search box ranks (selectors.search_localities: exact names first); coordinates
outside the locality's country are flagged (a column, a filter, the note on the change
page); a merged record shows what it was merged into. The duplicate queue and the merge
pages are in duplicates.py."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.html import format_html

from .. import selectors, services
from ..gazetteer import check_coordinates
from ..models import Locality, LocalityAlias
from . import duplicates
from .base import CountryFilter, RegistryAdmin
from .forms import LocalityAdminForm, changed_values, model_values
from .formsets import LocalityAliasFormSet
from .locking import VersionedInlineMixin
from .sources import CitationInline


class RankedChangeList(ChangeList):
    """A search lists the best matches first, unless a column was chosen to sort by."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> Any:
        queryset = super().get_queryset(request, exclude_parameters)
        if self.query.strip() and ORDER_VAR not in self.params:
            return queryset.order_by("search_rank", "name", "country", "pk")
        return queryset


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
        "provenance",
    ]
    readonly_fields = ["provenance"]
    extra = 1


@admin.register(Locality)
class LocalityAdmin(RegistryAdmin):
    form = LocalityAdminForm
    list_display = [
        "name",
        "native_name",
        "other_names",
        "kind",
        "country",
        "subdivision",
        "parent",
        "coordinates_flag",
        "merged",
    ]
    list_filter = ["kind", CountryFilter, "coordinates_check"]
    readonly_fields = ["coordinates_flag", "identity_key", "merged_into"]
    actions = ["merge_two"]
    list_select_related = ["parent"]
    # No second COUNT(*) of every locality beside the filtered one.
    show_full_result_count = False
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

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        # The one ranked search of the pages and the API.
        if not search_term.strip():
            return queryset, False
        ranked = selectors.search_localities(search_term, queryset)
        if request.GET.get(ORDER_VAR) and queryset.query.order_by:
            # A column chosen to sort by (applied before the search) still sorts.
            ranked = ranked.order_by(*queryset.query.order_by)
        return ranked, False

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> Any:
        return RankedChangeList

    def get_urls(self) -> list[URLPattern | URLResolver]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name=f"{info}_duplicates",
            ),
            path("merge/", self.admin_site.admin_view(self.merge_view), name=f"{info}_merge"),
            *super().get_urls(),
        ]

    def duplicates_view(self, request: HttpRequest) -> HttpResponse:
        return duplicates.duplicates_view(self, request)

    def merge_view(self, request: HttpRequest) -> HttpResponse:
        return duplicates.merge_view(self, request)

    @admin.action(description="Merge the two selected localities (the later into the earlier)…")
    def merge_two(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        return duplicates.merge_selected(self, request, queryset)

    @admin.display(description="merged into")
    def merged(self, obj: Locality) -> str:
        if obj.merged_into_id is None:
            return ""
        url = reverse("admin:partnerships_locality_change", args=[obj.merged_into_id])
        return format_html('<a href="{}">#{}</a>', url, obj.merged_into_id)

    @admin.display(description="coordinates")
    def coordinates_flag(self, obj: Locality) -> str:
        if obj.coordinates_check != Locality.CoordinatesCheck.OUTSIDE:
            return obj.get_coordinates_check_display() if obj.coordinates_check else "—"
        note = check_coordinates(obj.latitude, obj.longitude, obj.country, obj.kind).note
        return format_html(
            '<strong class="coordinates-outside" title="{}">⚠ outside {}</strong>', note, obj.country
        )

    @admin.display(description="other names")
    def other_names(self, obj: Locality) -> str:
        return ", ".join(alias.name for alias in obj.aliases.all())
