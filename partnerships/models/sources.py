"""Sources: the documents that say something about partnerships, each claim of which a
citation ties to the record it supports (see ``citations``)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..dates import raise_for
from ..fields import SearchKeyedModel, SearchKeyField
from ..text import normalize_name
from .base import PartialDatePair, TimestampedModel, precision_field


class SourceQuerySet(models.QuerySet["Source"]):
    def matching(self, text: str) -> SourceQuerySet:
        """Sources whose title contains the text ignoring case and accents, or whose
        publisher, author or URL contains it."""
        key = normalize_name(text)
        text = text.strip()
        if not text:
            return self.none()
        condition = Q(publisher__icontains=text) | Q(author__icontains=text) | Q(url__icontains=text)
        if key:
            condition |= Q(title_key__contains=key)
        return self.filter(condition)


class Source(SearchKeyedModel, TimestampedModel):
    """A document that says something about partnerships."""

    class Kind(models.TextChoices):
        NEWS_ARTICLE = "news_article", "news article"
        OFFICIAL_DOCUMENT = "official_document", "official document"
        DIRECTORY = "directory", "directory or list"
        INTERVIEW = "interview", "interview"
        DATASET = "dataset", "data set"
        OTHER = "other", "other"

    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True, help_text="Publisher or outlet.")
    author = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    published_precision = precision_field(blank=True)
    published = PartialDatePair(
        "published_on", "published_precision", required=False, constraint="source_published_precision"
    )
    url = models.URLField("URL", max_length=1000, blank=True)
    archived_url = models.URLField(
        "archived URL", max_length=1000, blank=True, help_text="A copy in a web archive."
    )
    accessed_on = models.DateField(null=True, blank=True, help_text="When staff last read it at its URL.")
    language = models.CharField(max_length=16, default="en", help_text="BCP 47 language tag, e.g. en, ru.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWS_ARTICLE)
    notes = models.TextField(blank=True, help_text="Anything readers should know about this source.")

    title_key = SearchKeyField(populate_from="title", max_length=500)

    objects = SourceQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_unique_url",
                violation_error_message="A source with this URL already exists.",
            ),
        ]

    def __str__(self) -> str:
        bits = [b for b in (self.publisher, Source.published.display(self)) if b]
        return f"{self.title} ({', '.join(bits)})" if bits else self.title

    def get_absolute_url(self) -> str:
        return reverse("partnerships:source-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        errors = Source.published.errors(self)
        if self.accessed_on and self.accessed_on > datetime.date.today():
            errors["accessed_on"] = "The access date cannot be in the future."
        raise_for(errors)
