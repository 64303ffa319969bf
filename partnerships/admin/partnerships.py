"""Partnerships with their status timeline, focus areas and activities. The review
queue and the bulk actions (a cited status change, verification) live on the
partnership admin.

Writes go through the services: a partnership is added with services.create_partnership()
and saved with save_partnership() (its current status and verification are derived,
never typed); a status change is recorded, corrected and deleted with
record_status_change(), update_status_event() and delete_status_event(); activities with
add_activity()/update_activity(); focus areas with create_focus_area()/update_focus_area()."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import router, transaction
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .. import services
from ..models import Activity, Citation, FocusArea, Partnership, StatusEvent
from ..selectors import REVIEW_REASONS, needing_review, review_reasons
from ..wording import status_phrase
from .base import (
    CITATIONS_WITH_SOURCES,
    EVENT_PARTIES,
    PARTIES,
    CountryFilter,
    MatchingSearchMixin,
    PartnershipSearchMixin,
    RegistryAdmin,
    ServiceDeleteMixin,
    admin_add_url,
    admin_change_url,
    citation_list,
    count_column,
    partial_date_column,
)
from .forms import (
    STATUS_EVENT_FIELDS,
    ActivityAddForm,
    PartnershipAddForm,
    PartnershipAdminForm,
    RegistryModelForm,
    StatusChangeForm,
    StatusEventAddForm,
    StatusEventChangeForm,
    changed_values,
    model_values,
)
from .sources import CitationInline, RequiredCitationInline

# ------------------------------------------------------------------------ partnerships


@admin.register(FocusArea)
class FocusAreaAdmin(RegistryAdmin):
    list_display = ["name", "slug", "partnership_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    partnership_count = count_column("partnership_count", "partnerships")

    def create(self, request: HttpRequest, obj: FocusArea, form: RegistryModelForm) -> FocusArea:
        return services.create_focus_area(**model_values(obj, form))

    def update(self, request: HttpRequest, obj: FocusArea, form: RegistryModelForm) -> FocusArea:
        return services.update_focus_area(focus_area=obj, **changed_values(obj, form))

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(partnership_count=Count("partnerships"))


TIMELINE_COLUMNS = (
    "kind",
    "status",
    "effective",
    "reads_as",
    "declared_by",
    "declaring_organization",
    "is_internal_record",
    "sources",
)


class StatusEventInline(admin.TabularInline):
    """A partnership's timeline, newest first. Read-only: a status change is recorded,
    corrected or deleted on its own page, through the service."""

    model = StatusEvent
    fields = TIMELINE_COLUMNS
    readonly_fields = TIMELINE_COLUMNS
    ordering = ["-effective_on", "-id"]
    show_change_link = True
    extra = 0

    effective = partial_date_column("effective_on", "effective_precision", "effective")

    def get_queryset(self, request: HttpRequest) -> Any:
        # The parties too: each row's title names the event, and so its partnership.
        return (
            super()
            .get_queryset(request)
            .select_related("declaring_organization", *EVENT_PARTIES)
            .prefetch_related(CITATIONS_WITH_SOURCES)
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="sources")
    def sources(self, obj: StatusEvent) -> SafeString | str:
        return citation_list(obj.citations.all())

    @admin.display(description="reads as")
    def reads_as(self, obj: StatusEvent) -> str:
        # "reported active in July 2002" (an attestation) or "suspended on 4 March 2022".
        return obj.describe()


# ------------------------------------------------------------------------ review queue


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "needs review"
    parameter_name = "review"
    template = "admin/partnerships/partnership/needs_review_filter.html"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("any", "for any reason"), *REVIEW_REASONS.items()]

    def queryset(self, request: Any, queryset: Any) -> Any:
        if self.value() in ("any", *REVIEW_REASONS):
            return needing_review(queryset, str(self.value()))
        return queryset


# ------------------------------------------------------------------------ partnerships


@admin.register(Partnership)
class PartnershipAdmin(MatchingSearchMixin, RegistryAdmin):
    form = PartnershipAdminForm
    add_form = PartnershipAddForm
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
    # No second COUNT(*) of every partnership beside the filtered one.
    show_full_result_count = False
    # Required by the search box and autocomplete; get_search_results() does the matching.
    search_fields = ["locality_a__name", "locality_b__name"]
    search_help_text = "Any name of either party, including former names; case and accents are ignored."
    autocomplete_fields = [*PARTIES, "organizations", "focus_areas"]
    readonly_fields = ["current_status_display", "verification_display", "is_internal_record"]
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
        ("Review", {"fields": ["verification_display", "is_internal_record"]}),
    ]
    # The add page: the partnership and its first citation (or the internal-record mark).
    add_fieldsets = [
        (None, {"fields": [*PARTIES, "level", "established_on", "established_precision", "description"]}),
        (None, {"fields": ["organizations", "focus_areas"]}),
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
                "description": "Pick the source that reports this partnership, or describe a new "
                "one, and quote its words. Only when no source can be cited, tick “internal "
                "record” instead: it goes to the review queue.",
            },
        ),
    ]
    inlines = [StatusEventInline, CitationInline]
    # A new partnership has no timeline yet, and Citation.clean() refuses a citation of a
    # partnership that is not saved yet: both come once it is saved.
    add_inlines = []
    actions = ["record_status_change", "mark_verified"]

    established = partial_date_column("established_on", "established_precision", "established")
    status_since = partial_date_column("current_status_since", "current_status_since_precision", "since")

    def get_urls(self) -> list[URLPattern | URLResolver]:
        review = path(
            "review/",
            self.admin_site.admin_view(self.review_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_review",
        )
        return [review, *super().get_urls()]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.add_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        # Ticked (or not) on the add page only: afterwards it is what the partnership entered with.
        return fields if obj is not None else [name for name in fields if name != "is_internal_record"]

    def create(self, request: HttpRequest, obj: Partnership, form: PartnershipAddForm) -> Partnership:
        # The organizations and focus areas chosen are set by the form once it is saved.
        dates = {"established": ("established_on", "established_precision")}
        values = model_values(obj, form, partial_dates=dates)
        internal = values.pop("is_internal_record")
        return services.create_partnership(**values, citations=form.citations(), internal_record=internal)

    def update(self, request: HttpRequest, obj: Partnership, form: PartnershipAdminForm) -> Partnership:
        # Typed edits and restored versions alike: the derived fields stay derived.
        return services.save_partnership(partnership=obj)

    # ---- permissions of the actions

    def has_record_status_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.add_statusevent")

    def has_verify_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.verify_partnership")

    # ---- columns and read-only fields

    @admin.display(description="countries")
    def countries(self, obj: Partnership) -> str:
        return f"{obj.locality_a.country}–{obj.locality_b.country}"

    @admin.display(description="current status")
    def current_status_display(self, obj: Partnership) -> str:
        if obj.pk is None:
            return "Save the partnership, then record its status changes."
        link = format_html(
            "<a href='{}'>Record a status change</a>", admin_add_url(StatusEvent, partnership=obj.pk)
        )
        if not obj.current_status:
            return format_html("No status recorded yet. {}", link)
        words = status_phrase(
            obj.get_current_status_display(),
            obj.current_status_since,
            obj.current_status_since_precision,
            obj.current_status_reported,
            obj.current_status_reported_precision,
        )
        return format_html("{}. {}", words, link)

    @admin.display(description="last verified")
    def verification_display(self, obj: Partnership) -> str:
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
    def record_status_change(self, request: HttpRequest, queryset: Any) -> TemplateResponse | None:
        """One cited status change for all the selected partnerships (an intermediate page);
        all or nothing."""
        partnerships = list(queryset.select_related(*PARTIES).order_by("pk"))
        form = StatusChangeForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                events = services.record_status_change(
                    partnerships=partnerships, recorded_by=request.user, **form.change()
                )
            except ValidationError as error:
                form.add_service_error(error)  # and nothing was written
                events = []
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
            # AdminForm renders any form; the stubs ask for a ModelForm.
            "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),  # type: ignore[arg-type]
            "media": self.media + form.media,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/partnerships/partnership/record_status_change.html", context)

    @admin.action(description="Mark the selected partnerships verified", permissions=["verify"])
    def mark_verified(self, request: HttpRequest, queryset: Any) -> None:
        count = self._verify(request, queryset)
        self.message_user(request, f"Marked {count} partnership(s) verified.", messages.SUCCESS)

    def _verify(self, request: HttpRequest, queryset: Any) -> int:
        partnerships = list(queryset)
        for partnership in partnerships:
            services.verify_partnership(partnership=partnership, user=request.user)
            self.log_change(request, partnership, "Marked verified.")
        return len(partnerships)

    # ---- the review queue

    def review_view(self, request: HttpRequest) -> HttpResponse:
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
class StatusEventAdmin(ServiceDeleteMixin, PartnershipSearchMixin, RegistryAdmin):
    add_form = StatusEventAddForm
    form = StatusEventChangeForm
    list_display = [
        "partnership",
        "kind",
        "status",
        "effective",
        "declared_by",
        "is_internal_record",
        "recorded_by",
    ]
    list_filter = ["kind", "status", "is_internal_record", "declared_by", "effective_precision"]
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
        (None, {"fields": [*STATUS_EVENT_FIELDS]}),
        ("Citations", {"fields": ["is_internal_record", "citations_display"]}),
        ("Record", {"fields": ["recorded_by", "recorded_at"]}),
    ]

    effective = partial_date_column("effective_on", "effective_precision", "effective")

    def create(self, request: HttpRequest, obj: StatusEvent, form: StatusEventAddForm) -> StatusEvent:
        (recorded,) = services.record_status_change(
            partnerships=[obj.partnership],
            **self._event_values(obj),
            source=form.source_choice(),
            quote=form.cleaned_data["quote"],
            locator=form.cleaned_data["locator"],
            internal_record=obj.is_internal_record,
            recorded_by=request.user,
        )
        return recorded

    def update(self, request: HttpRequest, obj: StatusEvent, form: StatusEventChangeForm) -> StatusEvent:
        return services.update_status_event(event=obj, **self._event_values(obj))

    def _event_values(self, obj: StatusEvent) -> dict[str, Any]:
        """The change as typed, as the timeline services take it."""
        names = ["kind", "status", "note", "declared_by", "declaring_organization"]
        return {"effective": obj.effective, **{name: getattr(obj, name) for name in names}}

    def delete(self, obj: StatusEvent) -> None:
        services.delete_status_event(event=obj)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["partnership", "is_internal_record", "citations_display", "recorded_by", "recorded_at"]

    def deletion_order(self, queryset: Any) -> Any:
        # Newest first: removing the end of a timeline never breaks it.
        return queryset.order_by("-effective_on", "-id")

    def response_add(
        self, request: HttpRequest, obj: StatusEvent, post_url_continue: str | None = None
    ) -> HttpResponse:
        if any(key in request.POST for key in ("_addanother", "_continue", "_popup")):
            return super().response_add(request, obj, post_url_continue)
        # Back to the partnership, whose timeline now shows the change.
        self.message_user(request, f"Recorded: {obj}.", messages.SUCCESS)
        return HttpResponseRedirect(admin_change_url(obj.partnership))

    @admin.display(description="citations")
    def citations_display(self, obj: StatusEvent) -> SafeString | str:
        citations = obj.citations.select_related("source")
        return citation_list(citations, add_link=admin_add_url(Citation, status_event=obj.pk))


# ------------------------------------------------------------ activities and figures


@admin.register(Activity)
class ActivityAdmin(PartnershipSearchMixin, RegistryAdmin):
    add_form = ActivityAddForm
    list_display = ["partnership", "kind", "occurred", "is_planned", "description"]
    list_filter = ["kind", "is_planned"]
    list_select_related = EVENT_PARTIES
    search_fields = ["description"]
    search_help_text = "Either party's name (any name, ignoring case and accents) or the description."
    autocomplete_fields = ["partnership"]
    inlines = [RequiredCitationInline]
    add_inlines = []  # the add form carries the first citation

    occurred = partial_date_column("occurred_on", "occurred_precision", "occurred")

    def create(self, request: HttpRequest, obj: Activity, form: ActivityAddForm) -> Activity:
        dates = {"occurred": ("occurred_on", "occurred_precision")}
        return services.add_activity(
            citations=form.citations(), **model_values(obj, form, partial_dates=dates)
        )

    def update(self, request: HttpRequest, obj: Activity, form: RegistryModelForm) -> Activity:
        return services.update_activity(activity=obj, **changed_values(obj, form))
