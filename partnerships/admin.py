"""The staff admin: every model, with search, filters and autocomplete.

Writes that must obey rules beyond a model's own validation go through
partnerships.services: status events (recorded, corrected and deleted: the timeline and
the current status) and new activities, reported figures and relationships between
organizations (which need a citation); see forms.py. The other models' rules all live in
their clean() methods and constraints, which the admin's model forms run before saving.

Search ignores case and diacritics and finds localities by any of their names.
"""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Count, Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from . import services
from .dates import format_partial_date
from .forms import (
    STATUS_EVENT_FIELDS,
    ActivityAddForm,
    LocalityAliasFormSet,
    OrganizationRelationshipAddForm,
    ReportedFigureAddForm,
    ServiceModelForm,
    StatusEventAddForm,
    StatusEventChangeForm,
)
from .models import (
    Activity,
    Citation,
    FocusArea,
    Locality,
    LocalityAlias,
    Organization,
    OrganizationRelationship,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)
from .validators import country_name

PARTIES = ["locality_a", "locality_b"]
EVENT_PARTIES = ["partnership__locality_a", "partnership__locality_b"]
# A web address typed without its scheme is taken to be https (Django 6's default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}
CITATIONS_WITH_SOURCES = Prefetch("citations", queryset=Citation.objects.select_related("source"))


def partial_date_column(date_field: str, precision_field: str, description: str):
    """A list or read-only column showing a date as precisely as it is known ("2002")."""

    @admin.display(description=description, ordering=date_field)
    def column(self, obj):
        return format_partial_date(getattr(obj, date_field), getattr(obj, precision_field))

    return column


def admin_change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def admin_add_url(model, **initial) -> str:
    """The add page, with initial values for its form."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add") + f"?{urlencode(initial)}"


def citation_list(citations, *, add_link: str = ""):
    """Citations as a list of linked sources with their quotes and locators."""
    items = format_html_join(
        "",
        "<li><a href='{}'>{}</a>{}{}</li>",
        (
            (
                admin_change_url(citation),
                citation.source,
                format_html(" — “{}”", citation.quote) if citation.quote else "",
                format_html(" ({})", citation.locator) if citation.locator else "",
            )
            for citation in citations
        ),
    )
    link = format_html("<p><a href='{}'>Add a citation</a></p>", add_link) if add_link else ""
    return format_html("<ul>{}</ul>{}", items, link) if items else link or "—"


class CountryFilter(admin.SimpleListFilter):
    """Localities in a country, or partnerships with a party in it (``in_country``)."""

    title = "country"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = Locality.objects.order_by("country").values_list("country", flat=True).distinct()
        return [(code, f"{country_name(code)} ({code})") for code in codes]

    def queryset(self, request, queryset):
        return queryset.in_country(self.value()) if self.value() else queryset


class ClaimFilter(admin.SimpleListFilter):
    title = "supports"
    parameter_name = "claim"

    def lookups(self, request, model_admin):
        return [(name, Citation._meta.get_field(name).verbose_name) for name in Citation.TARGETS]

    def queryset(self, request, queryset):
        if self.value() in Citation.TARGETS:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


class PartnershipSearchMixin:
    """Search also finds the rows of the partnerships one of whose parties has a
    matching name (any of its names, ignoring case and accents)."""

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            partnerships = Partnership.objects.matching(search_term).values("pk")
            results |= queryset.filter(partnership__in=partnerships)
        return results, may_have_duplicates


class ServiceFormAdmin(admin.ModelAdmin):
    """An admin whose add form (``add_form``), and maybe its change form (``form``), is a
    forms.ServiceModelForm: the service has written by the time such a form is valid, so
    save_model() has nothing left to do for it, and its page has no inlines."""

    add_form: type[ServiceModelForm]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_inlines(self, request, obj):
        form = self.form if obj else self.add_form
        return [] if issubclass(form, ServiceModelForm) else super().get_inlines(request, obj)

    def save_model(self, request, obj, form, change):
        if not isinstance(form, ServiceModelForm):
            super().save_model(request, obj, form, change)


# --------------------------------------------------------------------------- citations


class CitationInline(admin.TabularInline):
    """A claim's citations. Partnership citations are optional, so they can be removed."""

    model = Citation
    fields = ["source", "quote", "locator"]
    autocomplete_fields = ["source"]
    extra = 0


class RequiredCitationInline(CitationInline):
    # The services require a citation for these claims and none removes one yet, so
    # citations are added or corrected here, never removed.
    can_delete = False


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
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

    @admin.display(description="supports")
    def claim(self, obj):
        target = obj.target
        return f"{target._meta.verbose_name}: {target}"

    @admin.display(description="quote")
    def short_quote(self, obj):
        return obj.quote if len(obj.quote) <= 80 else f"{obj.quote[:79]}…"


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
class LocalityAdmin(admin.ModelAdmin):
    list_display = ["name", "native_name", "other_names", "kind", "country", "subdivision", "parent"]
    list_filter = ["kind", CountryFilter]
    list_select_related = ["parent"]
    # Required by the search box and autocomplete; get_search_results() does the matching.
    search_fields = ["name"]
    search_help_text = "Any name of the locality, including former names; case and accents are ignored."
    autocomplete_fields = ["parent"]
    inlines = [LocalityAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.matching(search_term), False

    @admin.display(description="other names")
    def other_names(self, obj):
        return ", ".join(alias.name for alias in obj.aliases.all())


# ----------------------------------------------------------------------- organizations


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "kind", "country", "url"]
    list_filter = ["kind", "country"]
    # Required by the search box and autocomplete; get_search_results() does the matching.
    search_fields = ["name"]
    search_help_text = "Name (case and accents are ignored) or abbreviation."
    formfield_overrides = URL_FIELDS

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.matching(search_term), False


@admin.register(OrganizationRelationship)
class OrganizationRelationshipAdmin(ServiceFormAdmin):
    add_form = OrganizationRelationshipAddForm
    list_display = ["from_organization", "to_organization", "description"]
    list_select_related = ["from_organization", "to_organization"]
    search_fields = ["from_organization__name", "to_organization__name", "description"]
    autocomplete_fields = ["from_organization", "to_organization"]
    inlines = [RequiredCitationInline]


# ----------------------------------------------------------------------------- sources


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
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


# ------------------------------------------------------------------------ partnerships


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "partnership_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(partnership_count=Count("partnerships"))

    @admin.display(description="partnerships", ordering="partnership_count")
    def partnership_count(self, obj):
        return obj.partnership_count


class StatusEventInline(admin.TabularInline):
    """A partnership's timeline, newest first. Read-only: a status change is recorded,
    corrected or deleted on its own page, through the service."""

    model = StatusEvent
    fields = ["status", "effective", "declared_by", "declaring_organization", "is_internal_record", "sources"]
    readonly_fields = fields
    ordering = ["-effective_on", "-id"]
    show_change_link = True
    extra = 0

    effective = partial_date_column("effective_on", "effective_precision", "effective")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("declaring_organization")
            .prefetch_related(CITATIONS_WITH_SOURCES)
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="sources")
    def sources(self, obj):
        return citation_list(obj.citations.all())


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["__str__", "countries", "level", "current_status", "status_since", "established"]
    list_filter = ["current_status", "level", CountryFilter, "organizations", "focus_areas"]
    list_select_related = PARTIES
    # Required by the search box and autocomplete; get_search_results() does the matching.
    search_fields = ["locality_a__name", "locality_b__name"]
    search_help_text = "Any name of either party, including former names; case and accents are ignored."
    autocomplete_fields = [*PARTIES, "organizations", "focus_areas"]
    readonly_fields = ["current_status_display"]
    fieldsets = [
        (None, {"fields": [*PARTIES, "level", "established_on", "established_precision", "description"]}),
        (
            "Status",
            {
                "fields": ["current_status_display"],
                "description": "Derived from the status events below; record a status change to change it.",
            },
        ),
        (None, {"fields": ["organizations", "focus_areas"]}),
    ]
    inlines = [StatusEventInline, CitationInline]

    established = partial_date_column("established_on", "established_precision", "established")
    status_since = partial_date_column("current_status_since", "current_status_since_precision", "since")

    def get_inlines(self, request, obj):
        # A new partnership has no timeline yet, and Citation.clean() refuses a citation
        # of a partnership that is not saved yet: both come once it is saved.
        return self.inlines if obj else []

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.matching(search_term), False

    @admin.display(description="countries")
    def countries(self, obj):
        return f"{obj.locality_a.country}–{obj.locality_b.country}"

    @admin.display(description="current status")
    def current_status_display(self, obj):
        if obj.pk is None:
            return "Save the partnership, then record its status changes."
        link = format_html(
            "<a href='{}'>Record a status change</a>", admin_add_url(StatusEvent, partnership=obj.pk)
        )
        if not obj.current_status:
            return format_html("No status recorded yet. {}", link)
        since = format_partial_date(obj.current_status_since, obj.current_status_since_precision)
        return format_html("{} since {}. {}", obj.get_current_status_display(), since, link)


# ----------------------------------------------------------------------- status events


def delete_selected_events(modeladmin, request, queryset):
    """Django's delete action, all or nothing: when the service refuses one deletion,
    nothing is deleted (nor logged) and the message says why."""
    try:
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            return delete_selected(modeladmin, request, queryset)
    except ValidationError as error:
        modeladmin.message_user(request, f"Nothing was deleted. {' '.join(error.messages)}", messages.ERROR)
        return None


@admin.register(StatusEvent)
class StatusEventAdmin(PartnershipSearchMixin, ServiceFormAdmin):
    add_form = StatusEventAddForm
    form = StatusEventChangeForm
    list_display = ["partnership", "status", "effective", "declared_by", "is_internal_record", "recorded_by"]
    list_filter = ["status", "is_internal_record", "declared_by", "effective_precision"]
    list_select_related = [*EVENT_PARTIES, "recorded_by"]
    search_fields = ["note"]
    search_help_text = "Either party's name (any name, ignoring case and accents) or the note."
    autocomplete_fields = ["partnership", "declaring_organization"]
    ordering = ["-effective_on", "-id"]
    add_fieldsets = [
        (None, {"fields": STATUS_EVENT_FIELDS}),
        ("Citation", {"fields": ["source", "quote", "locator", "is_internal_record"]}),
    ]
    fieldsets = [
        (None, {"fields": STATUS_EVENT_FIELDS}),
        ("Citations", {"fields": ["is_internal_record", "citations_display"]}),
        ("Record", {"fields": ["recorded_by", "recorded_at"]}),
    ]

    effective = partial_date_column("effective_on", "effective_precision", "effective")

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["partnership", "is_internal_record", "citations_display", "recorded_by", "recorded_at"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form = type(form.__name__, (form,), {"recorded_by": request.user})
        return form

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions[name] = (delete_selected_events, name, description)
        return actions

    def delete_model(self, request, obj):
        services.delete_status_event(event=obj)

    def delete_queryset(self, request, queryset):
        # Newest first: removing the end of a timeline never breaks it.
        for event in queryset.order_by("-effective_on", "-id"):
            try:
                services.delete_status_event(event=event)
            except ValidationError as error:
                raise ValidationError(f"{event.partnership}, {event}: {' '.join(error.messages)}") from error

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            # The service refused; the view's transaction has rolled back its log entry.
            self.message_user(
                request, f"The status event was not deleted. {' '.join(error.messages)}", messages.ERROR
            )
            change_url = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
            return HttpResponseRedirect(reverse(change_url, args=[object_id]))

    @admin.display(description="citations")
    def citations_display(self, obj):
        citations = obj.citations.select_related("source")
        return citation_list(citations, add_link=admin_add_url(Citation, status_event=obj.pk))


# ------------------------------------------------------------ activities and figures


@admin.register(Activity)
class ActivityAdmin(PartnershipSearchMixin, ServiceFormAdmin):
    add_form = ActivityAddForm
    list_display = ["partnership", "kind", "occurred", "is_planned", "description"]
    list_filter = ["kind", "is_planned"]
    list_select_related = EVENT_PARTIES
    search_fields = ["description"]
    search_help_text = "Either party's name (any name, ignoring case and accents) or the description."
    autocomplete_fields = ["partnership"]
    inlines = [RequiredCitationInline]

    occurred = partial_date_column("occurred_on", "occurred_precision", "occurred")


@admin.register(ReportedFigure)
class ReportedFigureAdmin(ServiceFormAdmin):
    add_form = ReportedFigureAddForm
    list_display = [
        "__str__",
        "count",
        "qualifier",
        "measure",
        "country_a",
        "country_b",
        "dated",
        "organization",
    ]
    list_filter = ["measure", "qualifier", "status", "country_a"]
    list_select_related = ["organization"]
    search_fields = ["description", "organization__name", "=country_a", "=country_b"]
    autocomplete_fields = ["organization"]
    inlines = [RequiredCitationInline]

    dated = partial_date_column("as_of", "as_of_precision", "as of")
