"""The public's correction requests: the moderation list where staff read them, correct
the records through the usual forms, and mark each accepted or rejected (through
services.review_corrections())."""

from typing import Any

from django.contrib import admin, messages
from django.db import router, transaction
from django.http import HttpRequest
from django.utils.html import format_html

from .. import services
from ..models import CorrectionRequest
from .base import PARTIES, RegistryAdmin, admin_change_url
from .forms import RegistryModelForm


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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the public sends them, through the correction form

    def update(
        self, request: HttpRequest, obj: CorrectionRequest, form: RegistryModelForm
    ) -> CorrectionRequest:
        # Only the staff note is editable here; review_corrections() decides the status.
        return services.annotate_correction(correction=obj, staff_note=obj.staff_note)

    @admin.display(description="about")
    def target_links(self, obj: CorrectionRequest) -> str:
        target = obj.target
        if target is None:  # the CHECK constraint gives every correction one target
            return "—"
        return format_html(
            "{} (<a href='{}'>public page</a> · <a href='{}'>edit</a>)",
            target,
            target.get_absolute_url(),
            admin_change_url(target),
        )

    @admin.display(description="message")
    def short_message(self, obj: CorrectionRequest) -> str:
        return obj.message if len(obj.message) <= 100 else f"{obj.message[:99]}…"

    def _review(self, request: HttpRequest, queryset: Any, status: str) -> None:
        with transaction.atomic(using=router.db_for_write(self.model)):
            reviewed = services.review_corrections(corrections=queryset, status=status, user=request.user)
            for correction in reviewed:
                self.log_change(request, correction, f"Marked {status}.")
        self.message_user(
            request, f"Marked {len(reviewed)} correction request(s) {status}.", messages.SUCCESS
        )

    @admin.action(description="Mark accepted (the records were corrected)", permissions=["change"])
    def mark_accepted(self, request: HttpRequest, queryset: Any) -> None:
        self._review(request, queryset, CorrectionRequest.Status.ACCEPTED)

    @admin.action(description="Mark rejected (no change needed)", permissions=["change"])
    def mark_rejected(self, request: HttpRequest, queryset: Any) -> None:
        self._review(request, queryset, CorrectionRequest.Status.REJECTED)
