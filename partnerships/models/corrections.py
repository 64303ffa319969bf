"""Correction requests: what members of the public say is wrong on a partnership or
locality page, kept for staff to moderate and never published."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .localities import Locality
from .partnerships import Partnership


class CorrectionRequest(models.Model):
    """A correction suggested by a member of the public on a partnership or locality page.

    It is never published: staff read it in the admin's moderation list and, where it
    holds, change the records themselves through the usual forms and services."""

    class Status(models.TextChoices):
        NEW = "new", "new – not yet read"
        ACCEPTED = "accepted", "accepted – the records were corrected"
        REJECTED = "rejected", "rejected – no change needed"

    MESSAGE_MAX_LENGTH = 2000

    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="correction_requests"
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.CASCADE, related_name="correction_requests"
    )
    message = models.CharField(
        max_length=MESSAGE_MAX_LENGTH, help_text="What the visitor says is wrong, in their words."
    )
    source_url = models.URLField(max_length=500, blank=True, help_text="Where the visitor says it is shown.")
    contact = models.CharField(
        max_length=200, blank=True, help_text="Optional e-mail or name, only for staff questions."
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    staff_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partnership__isnull=False, locality__isnull=True)
                | Q(partnership__isnull=True, locality__isnull=False),
                name="correction_one_target",
                violation_error_message="A correction is about one partnership or one locality.",
            ),
        ]
        indexes = [
            # The admin's moderation list: new requests first, newest on top.
            models.Index(fields=["status", "-created_at"], name="correction_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"Correction to {self.partnership or self.locality} ({self.get_status_display()})"

    @property
    def target(self) -> Partnership | Locality | None:
        return self.partnership or self.locality

    def clean(self) -> None:
        if (self.partnership_id is None) == (self.locality_id is None):
            raise ValidationError("A correction is about one partnership or one locality.")
