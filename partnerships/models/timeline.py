"""A partnership's timeline: its dated status events, each a change or an attestation (from
which its current status is derived: partnerships.services.timeline), and its activities."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..dates import raise_for
from ..wording import event_phrase
from .base import PartialDatePair, TimestampedModel, precision_field
from .organizations import Organization
from .partnerships import Partnership


class StatusEvent(models.Model):
    """A dated status of a partnership, with its citations: either a *change* (it became
    active in 1973, was suspended on 4 March 2022) or an *attestation* (a source of July
    2002 reports it active). The transition rules apply to changes; an attestation must
    agree with the status the changes give on its date, and where no change is recorded
    before it, it tells the status then (partnerships.services.timeline)."""

    class Kind(models.TextChoices):
        CHANGE = "change", "change"
        ATTESTATION = "attestation", "attestation (a source reports the status then)"

    class DeclaredBy(models.TextChoices):
        LOCALITY_A = "locality_a", "the first party"
        LOCALITY_B = "locality_b", "the second party"
        BOTH = "both", "both parties"
        ORGANIZATION = "organization", "an organization"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(
        max_length=11,
        choices=Kind.choices,
        default=Kind.CHANGE,
        help_text=(
            "change: the status took effect on this date; attestation: a source reports the "
            "status on this date (e.g. a directory listing it active), not when it began."
        ),
    )
    status = models.CharField(
        max_length=10,
        choices=Partnership.Status.choices,
        help_text=(
            "proposed: announced or being negotiated, not yet signed; active: signed and in force "
            "(also revived); suspended: put on hold, frozen, paused; terminated: ended."
        ),
    )
    effective_on = models.DateField(help_text="When the status took effect, as precisely as the source says.")
    effective_precision = precision_field()
    effective = PartialDatePair(
        "effective_on", "effective_precision", required=True, constraint="event_effective_precision"
    )
    note = models.TextField(blank=True)
    declared_by = models.CharField(
        max_length=12,
        choices=DeclaredBy.choices,
        blank=True,
        help_text="Who declared the change, if known.",
    )
    declaring_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declared_events",
    )
    is_internal_record = models.BooleanField(
        default=False,
        help_text="Tick only for a change staff know of without a citable source; it is flagged for review.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["effective_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(declared_by="organization", declaring_organization__isnull=False)
                | (~Q(declared_by="organization") & Q(declaring_organization__isnull=True)),
                name="event_declaring_organization_iff_declared_by_organization",
                violation_error_message="Name the organization exactly when an organization declared the change.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "active", "suspended", "terminated"]),
                name="event_status_valid",
                violation_error_message="Unknown status.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["change", "attestation"]),
                name="event_kind_valid",
                violation_error_message="Unknown kind of status event.",
            ),
        ]
        indexes = [
            # as_of(date): the latest event on or before a date, per partnership.
            models.Index(fields=["partnership", "effective_on", "id"], name="event_timeline_idx"),
            # The home page's latest status changes.
            models.Index(fields=["-effective_on", "-id"], name="event_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.describe()}"

    def get_absolute_url(self) -> str:
        return self.partnership.get_absolute_url()

    @property
    def is_attestation(self) -> bool:
        return self.kind == self.Kind.ATTESTATION

    def describe(self) -> str:
        """The event in words: "reported active in July 2002", "became active in 1973",
        "suspended on 4 March 2022"."""
        return event_phrase(self.kind, self.status, self.effective_on, self.effective_precision)

    def clean(self) -> None:
        errors = StatusEvent.effective.errors(self)
        if self.declared_by == self.DeclaredBy.ORGANIZATION and not self.declaring_organization_id:
            errors["declaring_organization"] = "Name the organization that declared the change."
        if self.declaring_organization_id and self.declared_by != self.DeclaredBy.ORGANIZATION:
            errors["declared_by"] = "Choose “an organization” when naming the declaring organization."
        raise_for(errors)


class Activity(TimestampedModel):
    """Something a partnership did: a visit, a call, aid sent, a business venture."""

    class Kind(models.TextChoices):
        VISIT = "visit", "visit or delegation"
        CONFERENCE = "conference", "conference or event"
        CALL = "call", "call or meeting"
        AID = "aid", "aid or donation"
        BUSINESS = "business", "business venture"
        EXCHANGE = "exchange", "exchange (students, professionals)"
        CULTURE = "culture", "cultural project"
        OTHER = "other", "other"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    occurred_on = models.DateField(
        null=True,
        blank=True,
        help_text="When it happened; leave empty when the source gives no date.",
    )
    occurred_precision = precision_field(blank=True)
    occurred = PartialDatePair(
        "occurred_on", "occurred_precision", required=False, constraint="activity_occurred_precision"
    )
    is_planned = models.BooleanField(
        default=False, help_text="The source announces it; it had not happened yet."
    )
    description = models.TextField()

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["partnership", "occurred_on", "id"]
        # The CHECK on occurred_on and its precision comes with the occurred pair.

    def __str__(self) -> str:
        when = Activity.occurred.display(self) or "undated"
        return f"{self.partnership}: {self.get_kind_display()} ({when})"

    def get_absolute_url(self) -> str:
        return self.partnership.get_absolute_url()

    def clean(self) -> None:
        raise_for(Activity.occurred.errors(self, allow_future=self.is_planned))
