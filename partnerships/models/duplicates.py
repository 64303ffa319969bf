""" "Not a duplicate" answers of the duplicate review queue (admin/duplicates.py): a pair of
localities or of partnerships that staff looked at and kept apart, so the queue does not
offer it again. Each pair is stored once, lower id first."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ..dates import raise_for


class _NotDuplicate(models.Model):
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        first, second = getattr(self, "first_id", None), getattr(self, "second_id", None)
        if first is not None and second is not None and first >= second:
            raise_for({"second": "Store the pair lower id first, two different records."})


class LocalityNotDuplicate(_NotDuplicate):
    """Two localities staff said are different places."""

    first = models.ForeignKey("Locality", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("Locality", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "localities kept apart"
        verbose_name_plural = "localities kept apart"
        constraints = [
            models.UniqueConstraint(
                fields=["first", "second"],
                name="locality_not_duplicate_unique_pair",
                violation_error_message="This pair is already marked as not a duplicate.",
            ),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")),
                name="locality_not_duplicate_ordered",
                violation_error_message="Store the pair lower id first, two different records.",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.first_id} and #{self.second_id} are different places"


class PartnershipNotDuplicate(_NotDuplicate):
    """Two partnerships staff said are different partnerships."""

    first = models.ForeignKey("Partnership", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("Partnership", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "partnerships kept apart"
        verbose_name_plural = "partnerships kept apart"
        constraints = [
            models.UniqueConstraint(
                fields=["first", "second"],
                name="partnership_not_duplicate_unique_pair",
                violation_error_message="This pair is already marked as not a duplicate.",
            ),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")),
                name="partnership_not_duplicate_ordered",
                violation_error_message="Store the pair lower id first, two different records.",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.first_id} and #{self.second_id} are different partnerships"
