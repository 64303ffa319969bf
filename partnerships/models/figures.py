"""Reported figures: counts that sources state ("more than 70 US–Russian sister
relationships"), kept beside the registry's own count for the same scope and date."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..dates import raise_for
from ..validators import validate_country_code
from .base import PartialDatePair, TimestampedModel, precision_field
from .organizations import Organization
from .partnerships import Partnership


class ReportedFigure(TimestampedModel):
    """A count that a source states ("more than 70 US–Russian sister relationships"),
    shown beside the registry's own count for the same scope and date."""

    class Qualifier(models.TextChoices):
        EXACTLY = "exactly", "exactly"
        ABOUT = "about", "about"
        MORE_THAN = "more_than", "more than"
        AT_LEAST = "at_least", "at least"
        UPWARD_OF = "upward_of", "upward of"
        FEWER_THAN = "fewer_than", "fewer than"

    class Measure(models.TextChoices):
        PARTNERSHIPS = "partnerships", "partnerships"
        LOCALITIES = "localities", "localities taking part"

    count = models.PositiveIntegerField()
    qualifier = models.CharField(max_length=10, choices=Qualifier.choices, default=Qualifier.EXACTLY)
    measure = models.CharField(max_length=12, choices=Measure.choices, default=Measure.PARTNERSHIPS)
    country_a = models.CharField(
        "country",
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text="The country the figure is about; empty for a worldwide figure. "
        "For a count of localities, the localities counted are in this country.",
    )
    country_b = models.CharField(
        "partner country",
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text="With a partner country, the figure counts partnerships between the two.",
    )
    status = models.CharField(
        max_length=10,
        choices=Partnership.Status.choices,
        blank=True,
        help_text="The status counted, if the figure counts only one (e.g. only suspended ones).",
    )
    as_of = models.DateField(help_text="The date the figure describes (usually the publication date).")
    as_of_precision = precision_field()
    as_of_partial = PartialDatePair(
        "as_of", "as_of_precision", required=True, constraint="figure_as_of_precision"
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_figures",
        help_text="The organization the figure is about or comes from.",
    )
    description = models.TextField(blank=True, help_text="What exactly is counted, in the source's terms.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-as_of", "country_a", "country_b", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country_b="") | (~Q(country_a="") & ~Q(country_a=F("country_b"))),
                name="figure_scope_valid",
                violation_error_message="A partner country needs a different first country.",
            ),
        ]
        indexes = [
            # Figures beside the registry's count for a country or a pair of countries.
            models.Index(fields=["country_a", "country_b", "as_of"], name="figure_scope_idx"),
        ]

    def __str__(self) -> str:
        scope = "–".join(c for c in (self.country_a, self.country_b) if c) or "worldwide"
        qualifier = "" if self.qualifier == self.Qualifier.EXACTLY else f"{self.get_qualifier_display()} "
        as_of = ReportedFigure.as_of_partial.display(self)
        return f"{scope}: {qualifier}{self.count} {self.get_measure_display()} ({as_of})"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:figure-list") + f"#figure-{self.pk}"

    def clean(self) -> None:
        errors = ReportedFigure.as_of_partial.errors(self)
        if self.country_b and not self.country_a:
            errors["country_a"] = "Give the first country when giving a partner country."
        elif self.country_b and self.country_a == self.country_b:
            errors["country_b"] = "The partner country must differ from the first country."
        raise_for(errors)
