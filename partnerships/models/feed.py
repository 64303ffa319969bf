"""FeedEntry: the append-only change log that the change feed (GET /api/v1/changes/) serves.

One row per committed change of a public record as a mirror sees it: the record's type and
id, what happened to it (created, updated, deleted; "merged" for a locality merged into
another, ``target_id`` naming the record it became) and when. Rows are written by
``partnerships.services.feed`` inside the transaction that makes the change, so a change
and its entry commit together; the id is the feed's cursor, assigned in commit order (see
that module). Nothing updates or deletes a committed row.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class FeedEntry(models.Model):
    class RecordType(models.TextChoices):
        PARTNERSHIP = "partnership", "partnership"
        LOCALITY = "locality", "locality"
        ORGANIZATION = "organization", "organization"
        SOURCE = "source", "source"
        REPORTED_FIGURE = "reported_figure", "reported figure"

    class Action(models.TextChoices):
        CREATED = "created", "created"
        UPDATED = "updated", "updated"
        DELETED = "deleted", "deleted"
        MERGED = "merged", "merged"  # into target_id; the record itself is gone

    id = models.BigAutoField(primary_key=True)
    committed_at = models.DateTimeField()
    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    record_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    target_id = models.BigIntegerField(
        null=True, blank=True, help_text="For a merge: the record of the same type it was merged into."
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "feed entry"
        verbose_name_plural = "feed entries"
        indexes = [
            # An old (time-based) cursor of the change feed is mapped to the first entry
            # at or after its time: feed.position_at(moment).
            models.Index(fields=["committed_at", "id"], name="feedentry_committed_at_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="merged", target_id__isnull=False)
                | (~Q(action="merged") & Q(target_id__isnull=True)),
                name="feedentry_target_only_for_merges",
                violation_error_message="A merge names the record it went into; no other entry does.",
            ),
            models.CheckConstraint(
                condition=Q(
                    record_type__in=["partnership", "locality", "organization", "source", "reported_figure"]
                )
                & Q(action__in=["created", "updated", "deleted", "merged"]),
                name="feedentry_known_type_and_action",
                violation_error_message="Unknown record type or action.",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.record_type} {self.record_id} {self.action}"
