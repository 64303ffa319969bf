"""Organizations that facilitate partnerships or publish figures about them, and the
relationships between organizations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..fields import SearchKeyedModel, SearchKeyField, fill_search_keys
from ..text import normalize_name
from ..validators import validate_country_code
from .base import TimestampedModel


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def matching(self, text: str) -> OrganizationQuerySet:
        key = normalize_name(text)
        if not key:
            return self.none()
        return self.filter(Q(name_key__contains=key) | Q(abbreviation__iexact=text.strip()))


class Organization(SearchKeyedModel, TimestampedModel):
    """A body that facilitates partnerships or publishes figures about them."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", "association of cities"
        NONPROFIT = "nonprofit", "nonprofit or civic group"
        GOVERNMENT = "government", "government body or programme"
        BUSINESS = "business", "business or chamber of commerce"
        ACADEMIC = "academic", "university or school"
        OTHER = "other", "other"

    name = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=20, blank=True, help_text="e.g. SCI, URC, BISNIS")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NONPROFIT)
    country = models.CharField(max_length=2, blank=True, validators=[validate_country_code])
    url = models.URLField("web site", max_length=500, blank=True)
    description = models.TextField(blank=True)

    name_key = SearchKeyField(populate_from="name")

    objects = OrganizationQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_key"],
                name="organization_unique_name",
                violation_error_message="An organization with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:organization-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        fill_search_keys(self)
        if Organization.objects.filter(name_key=self.name_key).exclude(pk=self.pk).exists():
            raise ValidationError({"name": "An organization with this name already exists."})


class OrganizationRelationship(TimestampedModel):
    """Organizations have relationships too (SCI and the Union of Russian Cities)."""

    from_organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="relationships_from"
    )
    to_organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="relationships_to"
    )
    description = models.TextField(help_text="What the relationship is, in the source's terms.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_organization", "to_organization"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organization=F("to_organization")),
                name="orgrel_distinct_organizations",
                violation_error_message="An organization cannot have a relationship with itself.",
            ),
            models.UniqueConstraint(
                Least("from_organization", "to_organization"),
                Greatest("from_organization", "to_organization"),
                name="orgrel_unique_pair",
                violation_error_message="These two organizations already have a relationship record.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_organization} – {self.to_organization}"

    def get_absolute_url(self) -> str:
        return self.from_organization.get_absolute_url()
