"""Citations: each ties a source to one claim it supports, be it a partnership, a status
event, an activity, a reported figure, a relationship between organizations or a
locality."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .figures import ReportedFigure
from .localities import Locality
from .organizations import OrganizationRelationship
from .partnerships import Activity, Partnership, StatusEvent
from .sources import Source

# What a citation can support, by the name of its column (an id column <name>_id each).
CitationTarget = Partnership | StatusEvent | Activity | ReportedFigure | OrganizationRelationship | Locality

CITATION_TARGETS = (
    "partnership",
    "status_event",
    "activity",
    "reported_figure",
    "organization_relationship",
    "locality",
)


class Citation(models.Model):
    """Ties a source to a claim: a partnership's existence, a status event, an activity,
    a reported figure, a relationship between organizations or a locality's existence
    and details (an imported data set that created it, a gazetteer)."""

    TARGETS = CITATION_TARGETS

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(blank=True, help_text="The source's exact words that support the claim.")
    locator = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where in the source: a page, a paragraph, a section title.",
    )
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    status_event = models.ForeignKey(
        StatusEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    reported_figure = models.ForeignKey(
        ReportedFigure, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    organization_relationship = models.ForeignKey(
        OrganizationRelationship,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citations",
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    *[
                        Q(**{f"{target}__isnull": target != chosen for target in CITATION_TARGETS})
                        for chosen in CITATION_TARGETS
                    ],
                    _connector=Q.OR,
                ),
                name="citation_exactly_one_target",
                violation_error_message="A citation supports exactly one claim.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.title}: “{self.quote[:60]}”" if self.quote else self.source.title

    def get_absolute_url(self) -> str:
        return self.source.get_absolute_url()

    @property
    def target(self) -> CitationTarget | None:
        """The record the citation supports."""
        for name in self.TARGETS:
            if getattr(self, f"{name}_id"):
                target: CitationTarget = getattr(self, name)
                return target
        return None

    def clean(self) -> None:
        # A target saved in the same request has no id yet, hence the object check.
        chosen = [
            name
            for name in self.TARGETS
            if getattr(self, f"{name}_id") is not None or getattr(self, name) is not None
        ]
        if len(chosen) != 1:
            raise ValidationError(
                "A citation supports exactly one claim: a partnership, a status event, "
                "an activity, a reported figure, an organizations' relationship or a locality."
            )
