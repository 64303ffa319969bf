"""Sources and citations: the source list, the citation list, and the inlines that
show a claim's citations on its own page."""

from django.contrib import admin
from django.db.models import Count

from .. import services
from ..models import (
    Citation,
    Source,
)
from .base import (
    EVENT_PARTIES,
    PARTIES,
    URL_FIELDS,
    RegistryAdmin,
    ServiceDeleteMixin,
    partial_date_column,
)
from .forms import (
    PreloadedAutocompleteSelect,
    RequiredCitationFormSet,
)


class ClaimFilter(admin.SimpleListFilter):
    title = "supports"
    parameter_name = "claim"

    def lookups(self, request, model_admin):
        return [(name, Citation._meta.get_field(name).verbose_name) for name in Citation.TARGETS]

    def queryset(self, request, queryset):
        if self.value() in Citation.TARGETS:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


# --------------------------------------------------------------------------- citations


class CitationInline(admin.TabularInline):
    """A claim's citations, newest first. Partnership and locality citations are optional,
    so they can be removed freely."""

    model = Citation
    fields = ["source", "quote", "locator"]
    autocomplete_fields = ["source"]
    ordering = ["-created_at", "-id"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source":
            kwargs["widget"] = PreloadedAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class CitationFormSet(formset):
            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                widget = form.fields["source"].widget
                widget = getattr(widget, "widget", widget)  # inside the add/change links
                if form.instance.source_id:
                    widget.preloaded = form.instance.source
                return form

        return CitationFormSet


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
    delete_service = services.remove_citation
    record_argument = "citation"

    def get_readonly_fields(self, request, obj=None):
        # Moving a citation to another claim could leave the first without the citation
        # it needs: cite the other claim with a new citation instead.
        return list(Citation.TARGETS) if obj else []

    @admin.display(description="supports")
    def claim(self, obj):
        target = obj.target
        return f"{target._meta.verbose_name}: {target}"

    @admin.display(description="quote")
    def short_quote(self, obj):
        return obj.quote if len(obj.quote) <= 80 else f"{obj.quote[:79]}…"


# ----------------------------------------------------------------------------- sources


@admin.register(Source)
class SourceAdmin(RegistryAdmin):
    list_display = ["title", "publisher", "published", "kind", "language", "citation_count"]
    list_filter = ["kind", "language"]
    search_fields = ["title", "publisher", "author", "url"]
    formfield_overrides = URL_FIELDS

    published = partial_date_column("published_on", "published_precision", "published")

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.matching(search_term), False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count
