"""The staff admin: every model, with search, filters and autocomplete, edit history
(django-simple-history) with restore for reviewers, optimistic locking against lost
updates, duplicate checks, the review queue and one form for a cited status change.

Writes that must obey rules beyond a model's own validation go through
partnerships.services: status events (recorded, corrected and deleted: the timeline and
the current status), activities, reported figures and relationships between
organizations (which need a citation, so removing one goes through the service too),
partnerships (whose current status and verification are derived, never typed), the
reviewers' verification and decisions on correction requests; see forms.py. The other
models' rules all live in their clean() methods and constraints, which the admin's
model forms run before saving.

Search ignores case and diacritics and finds localities by any of their names.
"""

import datetime

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, router, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange

from . import services
from .dates import format_partial_date
from .forms import (
    STATUS_EVENT_FIELDS,
    VERSION_FIELD,
    ActivityAddForm,
    LocalityAdminForm,
    LocalityAliasFormSet,
    OrganizationRelationshipAddForm,
    PartnershipAdminForm,
    PreloadedAutocompleteSelect,
    ReportedFigureAddForm,
    RequiredCitationFormSet,
    ServiceModelForm,
    StatusChangeForm,
    StatusEventAddForm,
    StatusEventChangeForm,
    restoring_form,
    versioned_form,
)
from .models import (
    Activity,
    Citation,
    CorrectionRequest,
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


# ---------------------------------------------------- edit history and lost updates

# Bookkeeping columns that change on every save; the history shows what staff changed.
HISTORY_HIDDEN_FIELDS = {"created_at", "updated_at", "name_key", "native_name_key", "title_key"}


class RegistryAdmin(SimpleHistoryAdmin):
    """The base of every admin here.

    Edit history: each record's History page lists who changed what and when, with each
    field's old and new value; changes made through the API, imports and services are
    there too (django-simple-history records every save and delete).

    Restore: an earlier version can be restored from the history by whoever may change
    the model's historical records (the Reviewers group: ``change_historical<model>``).

    No lost updates: every change form carries the version it was opened at and refuses
    to overwrite a later change (forms.VersionedFormMixin)."""

    object_history_list_template = "admin/object_history_list.html"

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = versioned_form(kwargs.get("form", self.form))
        form = super().get_form(request, obj, **kwargs)
        version = getattr(request, "restoring_version", None)
        return restoring_form(form, self.model, version) if version and obj is not None else form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        return [*fieldsets, (None, {"fields": [VERSION_FIELD], "classes": ["hidden"]})]

    # ---- history

    def has_view_history_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        """May restore an earlier version (reviewers)."""
        history_model = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        return request.user.has_perm(
            f"{history_model._meta.app_label}.change_{history_model._meta.model_name}"
        )

    def revert_disabled(self, request, obj=None):
        return not (
            self.has_change_history_permission(request, obj) and self.has_change_permission(request, obj)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history lets anyone who may view the history post a revert: only those
        # who may restore can.
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        request.restoring_version = version_id
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=HISTORY_HIDDEN_FIELDS,
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                # simple-history compares editable fields only; the derived ones (the
                # current status, the verification) are part of the history too.
                for field in previous.tracked_fields:
                    if field.editable or field.name in HISTORY_HIDDEN_FIELDS:
                        continue
                    old, new = getattr(current, field.attname), getattr(previous, field.attname)
                    if old != new:
                        if field.is_relation:
                            old, new = getattr(current, field.name), getattr(previous, field.name)
                        delta.changes.append(ModelChange(field.name, old, new))
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current


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


class ServiceFormAdmin(RegistryAdmin):
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


def refusal_redirect(modeladmin, request, object_id, what: str, error: ValidationError):
    """Back to the change page with the service's reason, when it refused a deletion."""
    modeladmin.message_user(request, f"{what} was not deleted. {' '.join(error.messages)}", messages.ERROR)
    opts = modeladmin.opts
    return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))


def all_or_nothing_delete(modeladmin, request, queryset):
    """Django's delete action, all or nothing: when a service refuses one deletion,
    nothing is deleted (nor logged) and the message says why."""
    try:
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            return delete_selected(modeladmin, request, queryset)
    except ValidationError as error:
        modeladmin.message_user(request, f"Nothing was deleted. {' '.join(error.messages)}", messages.ERROR)
        return None


all_or_nothing_delete.allowed_permissions = ("delete",)
all_or_nothing_delete.short_description = delete_selected.short_description


class ServiceDeleteMixin:
    """Deletion (one record, or the delete action) through a service that may refuse."""

    delete_service = None  # a function taking the record as ``record_argument``
    record_argument = ""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions[name] = (all_or_nothing_delete, name, description)
        return actions

    def delete_model(self, request, obj):
        type(self).delete_service(**{self.record_argument: obj})

    def delete_queryset(self, request, queryset):
        for obj in self.deletion_order(queryset):
            try:
                type(self).delete_service(**{self.record_argument: obj})
            except ValidationError as error:
                raise ValidationError(f"{obj}: {' '.join(error.messages)}") from error

    def deletion_order(self, queryset):
        return queryset

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            # The service refused; the view's transaction has rolled back its log entry.
            return refusal_redirect(self, request, object_id, f"The {self.opts.verbose_name}", error)


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


# ----------------------------------------------------------------------- organizations


@admin.register(Organization)
class OrganizationAdmin(RegistryAdmin):
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


def changed_values(obj, form) -> dict:
    """The model fields the form changed, with their new values (for update services)."""
    names = {field.name for field in obj._meta.concrete_fields}
    return {name: getattr(obj, name) for name in form.changed_data if name in names}


@admin.register(OrganizationRelationship)
class OrganizationRelationshipAdmin(ServiceFormAdmin):
    add_form = OrganizationRelationshipAddForm
    list_display = ["from_organization", "to_organization", "description"]
    list_select_related = ["from_organization", "to_organization"]
    search_fields = ["from_organization__name", "to_organization__name", "description"]
    autocomplete_fields = ["from_organization", "to_organization"]
    inlines = [RequiredCitationInline]

    def save_model(self, request, obj, form, change):
        if change:
            services.update_organization_relationship(relationship=obj, **changed_values(obj, form))
        else:
            super().save_model(request, obj, form, change)


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


# ------------------------------------------------------------------------ partnerships


@admin.register(FocusArea)
class FocusAreaAdmin(RegistryAdmin):
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
        # The parties too: each row's title names the event, and so its partnership.
        return (
            super()
            .get_queryset(request)
            .select_related("declaring_organization", *EVENT_PARTIES)
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


# ------------------------------------------------------------------------ review queue

VERIFICATION_TERM = datetime.timedelta(days=365)

REVIEW_REASONS = {
    "never": "never verified",
    "stale": "verified over a year ago",
    "disagree": "sources disagree: different statuses on the same date",
    "internal": "status change recorded as internal (no citation)",
}


def with_review_reasons(queryset, *, now=None):
    """Annotate ``review_<reason>`` for each reason in REVIEW_REASONS. Status events count
    only when recorded after the last verification: a reviewer's verification clears
    them until new ones are recorded."""
    now = now or timezone.now()
    unreviewed_events = StatusEvent.objects.filter(partnership=OuterRef("pk")).filter(
        Q(partnership__last_verified_at__isnull=True) | Q(recorded_at__gt=F("partnership__last_verified_at"))
    )
    contradicted = StatusEvent.objects.filter(
        partnership=OuterRef("partnership"), effective_on=OuterRef("effective_on")
    ).exclude(status=OuterRef("status"))
    return queryset.annotate(
        review_never=ExpressionWrapper(Q(last_verified_at__isnull=True), output_field=BooleanField()),
        review_stale=ExpressionWrapper(
            Q(last_verified_at__lt=now - VERIFICATION_TERM), output_field=BooleanField()
        ),
        review_disagree=Exists(unreviewed_events.filter(Exists(contradicted))),
        review_internal=Exists(unreviewed_events.filter(is_internal_record=True)),
    )


def needing_review(queryset, reason: str = ""):
    """The partnerships to review, for one reason or (by default) any."""
    reasons = [reason] if reason in REVIEW_REASONS else list(REVIEW_REASONS)
    condition = Q()
    for name in reasons:
        condition |= Q(**{f"review_{name}": True})
    return with_review_reasons(queryset).filter(condition)


def review_reasons(partnership) -> list[str]:
    return [label for name, label in REVIEW_REASONS.items() if getattr(partnership, f"review_{name}", False)]


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "needs review"
    parameter_name = "review"
    template = "admin/partnerships/partnership/needs_review_filter.html"

    def lookups(self, request, model_admin):
        return [("any", "for any reason"), *REVIEW_REASONS.items()]

    def queryset(self, request, queryset):
        if self.value() in ("any", *REVIEW_REASONS):
            return needing_review(queryset, self.value())
        return queryset


# ------------------------------------------------------------------------ partnerships


@admin.register(Partnership)
class PartnershipAdmin(RegistryAdmin):
    form = PartnershipAdminForm
    list_display = [
        "__str__",
        "countries",
        "level",
        "current_status",
        "status_since",
        "established",
        "last_verified_at",
    ]
    list_filter = [
        NeedsReviewFilter,
        "current_status",
        "level",
        CountryFilter,
        "organizations",
        "focus_areas",
    ]
    list_select_related = PARTIES
    # Required by the search box and autocomplete; get_search_results() does the matching.
    search_fields = ["locality_a__name", "locality_b__name"]
    search_help_text = "Any name of either party, including former names; case and accents are ignored."
    autocomplete_fields = [*PARTIES, "organizations", "focus_areas"]
    readonly_fields = ["current_status_display", "verification_display"]
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
        ("Review", {"fields": ["verification_display"]}),
    ]
    inlines = [StatusEventInline, CitationInline]
    actions = ["record_status_change", "mark_verified"]

    established = partial_date_column("established_on", "established_precision", "established")
    status_since = partial_date_column("current_status_since", "current_status_since_precision", "since")

    def get_urls(self):
        review = path(
            "review/",
            self.admin_site.admin_view(self.review_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_review",
        )
        return [review, *super().get_urls()]

    def get_inlines(self, request, obj):
        # A new partnership has no timeline yet, and Citation.clean() refuses a citation
        # of a partnership that is not saved yet: both come once it is saved.
        return self.inlines if obj else []

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj else [fs for fs in fieldsets if fs[0] != "Review"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.matching(search_term), False

    def save_model(self, request, obj, form, change):
        if change:
            # Typed edits and restored versions alike: the derived fields stay derived.
            services.save_partnership(partnership=obj)
        else:
            super().save_model(request, obj, form, change)

    # ---- permissions of the actions

    def has_record_status_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.add_statusevent")

    def has_verify_permission(self, request, obj=None):
        return request.user.has_perm(f"{self.opts.app_label}.verify_partnership")

    # ---- columns and read-only fields

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

    @admin.display(description="last verified")
    def verification_display(self, obj):
        queue = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_review")
        if obj.last_verified_at is None:
            verified = "Never verified against its sources."
        else:
            verified = format_html(
                "Verified {} by {}.",
                timezone.localtime(obj.last_verified_at).strftime("%Y-%m-%d %H:%M"),
                obj.last_verified_by or "a former user",
            )
        return format_html(
            "{} Reviewers mark it verified in the <a href='{}'>review queue</a>.", verified, queue
        )

    # ---- actions

    @admin.action(
        description="Record a status change for the selected partnerships", permissions=["record_status"]
    )
    def record_status_change(self, request, queryset):
        """One cited status change for all the selected partnerships (an intermediate page);
        all or nothing."""
        partnerships = list(queryset.select_related(*PARTIES).order_by("pk"))
        form = StatusChangeForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            events = form.record(partnerships=partnerships, recorded_by=request.user)
            if events:
                for event in events:
                    self.log_addition(request, event, [{"added": {}}])
                self.message_user(
                    request,
                    f"Recorded “{events[0].get_status_display()} since {events[0].effective}” "
                    f"for {len(events)} partnership(s).",
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Record a status change for the selected partnerships",
            "opts": self.opts,
            "partnerships": partnerships,
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
            "media": self.media + form.media,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/partnerships/partnership/record_status_change.html", context)

    @admin.action(description="Mark the selected partnerships verified", permissions=["verify"])
    def mark_verified(self, request, queryset):
        count = self._verify(request, queryset)
        self.message_user(request, f"Marked {count} partnership(s) verified.", messages.SUCCESS)

    def _verify(self, request, queryset) -> int:
        partnerships = list(queryset)
        for partnership in partnerships:
            services.verify_partnership(partnership=partnership, user=request.user)
            self.log_change(request, partnership, "Marked verified.")
        return len(partnerships)

    # ---- the review queue

    def review_view(self, request):
        """What needs review, with the reasons; reviewers mark records verified here."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_verify_permission(request):
                raise PermissionDenied
            selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            with transaction.atomic(using=router.db_for_write(self.model)):
                count = self._verify(request, self.get_queryset(request).filter(pk__in=selected))
            self.message_user(request, f"Marked {count} partnership(s) verified.", messages.SUCCESS)
            return HttpResponseRedirect(request.get_full_path())
        reason = request.GET.get("reason", "")
        queue = (
            needing_review(self.get_queryset(request), reason)
            .select_related(*PARTIES)
            .order_by(F("last_verified_at").asc(nulls_first=True), "pk")
        )
        page = Paginator(queue, 100).get_page(request.GET.get("p"))
        for partnership in page.object_list:
            partnership.reasons = review_reasons(partnership)
        context = {
            **self.admin_site.each_context(request),
            "title": "Review queue",
            "subtitle": "Partnerships to check against their sources",
            "opts": self.opts,
            "page": page,
            "reasons": REVIEW_REASONS,
            "reason": reason,
            "can_verify": self.has_verify_permission(request),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/partnerships/partnership/review_queue.html", context)


# ----------------------------------------------------------------------- status events


@admin.register(StatusEvent)
class StatusEventAdmin(ServiceDeleteMixin, PartnershipSearchMixin, ServiceFormAdmin):
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
        (
            "Citation",
            {
                "fields": [
                    "source",
                    "new_source_title",
                    "new_source_publisher",
                    "new_source_url",
                    ("new_source_published_on", "new_source_published_precision"),
                    "quote",
                    "locator",
                    "is_internal_record",
                ],
                "description": "Pick the source that says so, or describe a new one, and quote its "
                "words. Only when no source can be cited, tick “internal record” instead: it "
                "goes to the review queue.",
            },
        ),
    ]
    fieldsets = [
        (None, {"fields": STATUS_EVENT_FIELDS}),
        ("Citations", {"fields": ["is_internal_record", "citations_display"]}),
        ("Record", {"fields": ["recorded_by", "recorded_at"]}),
    ]
    delete_service = services.delete_status_event
    record_argument = "event"

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

    def deletion_order(self, queryset):
        # Newest first: removing the end of a timeline never breaks it.
        return queryset.order_by("-effective_on", "-id")

    def response_add(self, request, obj, post_url_continue=None):
        if any(key in request.POST for key in ("_addanother", "_continue", "_popup")):
            return super().response_add(request, obj, post_url_continue)
        # Back to the partnership, whose timeline now shows the change.
        self.message_user(request, f"Recorded: {obj}.", messages.SUCCESS)
        return HttpResponseRedirect(admin_change_url(obj.partnership))

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

    def save_model(self, request, obj, form, change):
        if change:
            services.update_activity(activity=obj, **changed_values(obj, form))
        else:
            super().save_model(request, obj, form, change)


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

    def save_model(self, request, obj, form, change):
        if change:
            services.update_reported_figure(figure=obj, **changed_values(obj, form))
        else:
            super().save_model(request, obj, form, change)


# ------------------------------------------------------------------------ corrections


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(RegistryAdmin):
    """The moderation list of corrections the public suggested: newest first; staff
    read them, correct the records through the usual forms, and mark each accepted or
    rejected."""

    list_display = ["created_at", "target_links", "short_message", "status", "reviewed_by", "reviewed_at"]
    list_filter = ["status"]
    list_select_related = [*[f"partnership__{party}" for party in PARTIES], "locality", "reviewed_by"]
    search_fields = ["message", "contact", "staff_note"]
    ordering = ["-created_at", "-id"]
    readonly_fields = [
        "target_links",
        "message",
        "source_url",
        "contact",
        "status",
        "created_at",
        "reviewed_by",
        "reviewed_at",
    ]
    fields = [*readonly_fields, "staff_note"]
    actions = ["mark_accepted", "mark_rejected"]

    def has_add_permission(self, request):
        return False  # the public sends them, through the correction form

    @admin.display(description="about")
    def target_links(self, obj):
        target = obj.target
        return format_html(
            "{} (<a href='{}'>public page</a> · <a href='{}'>edit</a>)",
            target,
            target.get_absolute_url(),
            admin_change_url(target),
        )

    @admin.display(description="message")
    def short_message(self, obj):
        return obj.message if len(obj.message) <= 100 else f"{obj.message[:99]}…"

    def _review(self, request, queryset, status):
        with transaction.atomic(using=router.db_for_write(self.model)):
            reviewed = services.review_corrections(corrections=queryset, status=status, user=request.user)
            for correction in reviewed:
                self.log_change(request, correction, f"Marked {status}.")
        self.message_user(
            request, f"Marked {len(reviewed)} correction request(s) {status}.", messages.SUCCESS
        )

    @admin.action(description="Mark accepted (the records were corrected)", permissions=["change"])
    def mark_accepted(self, request, queryset):
        self._review(request, queryset, CorrectionRequest.Status.ACCEPTED)

    @admin.action(description="Mark rejected (no change needed)", permissions=["change"])
    def mark_rejected(self, request, queryset):
        self._review(request, queryset, CorrectionRequest.Status.REJECTED)
