"""The review queue: partnerships needing a curator's look, and why."""

import datetime

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from ..models import (
    Partnership,
    StatusEvent,
)

VERIFICATION_TERM = datetime.timedelta(days=365)

REVIEW_REASONS = {
    "never": "never verified",
    "stale": "verified over a year ago",
    "disagree": "sources disagree: different statuses on the same date",
    "internal": "status change recorded as internal (no citation)",
    "uncited": "partnership recorded as internal (no citation)",
}


def with_review_reasons(
    queryset: QuerySet[Partnership], *, now: datetime.datetime | None = None
) -> QuerySet[Partnership]:
    """Annotate ``review_<reason>`` for each reason in REVIEW_REASONS. Status events count
    only when recorded after the last verification: a reviewer's verification clears
    them until new ones are recorded."""
    now = now or timezone.now()
    unreviewed_events = StatusEvent.objects.filter(partnership=OuterRef("pk")).filter(
        Q(partnership__last_verified_at__isnull=True) | Q(recorded_at__gt=F("partnership__last_verified_at"))
    )
    contradicted = StatusEvent.objects.filter(
        partnership=OuterRef("partnership"), effective_on=OuterRef("effective_on")
    ).exclude(status=OuterRef("status"))
    return queryset.annotate(
        review_never=ExpressionWrapper(Q(last_verified_at__isnull=True), output_field=BooleanField()),
        review_stale=ExpressionWrapper(
            Q(last_verified_at__lt=now - VERIFICATION_TERM), output_field=BooleanField()
        ),
        review_disagree=Exists(unreviewed_events.filter(Exists(contradicted))),
        review_internal=Exists(unreviewed_events.filter(is_internal_record=True)),
        # An internal record, until a reviewer has verified the partnership.
        review_uncited=ExpressionWrapper(
            Q(is_internal_record=True, last_verified_at__isnull=True), output_field=BooleanField()
        ),
    )


def needing_review(queryset: QuerySet[Partnership], reason: str = "") -> QuerySet[Partnership]:
    """The partnerships to review, for one reason or (by default) any."""
    reasons = [reason] if reason in REVIEW_REASONS else list(REVIEW_REASONS)
    condition = Q()
    for name in reasons:
        condition |= Q(**{f"review_{name}": True})
    return with_review_reasons(queryset).filter(condition)


def review_reasons(partnership: Partnership) -> list[str]:
    """The labels of the reasons a partnership annotated by with_review_reasons() needs review."""
    return [label for name, label in REVIEW_REASONS.items() if getattr(partnership, f"review_{name}", False)]
