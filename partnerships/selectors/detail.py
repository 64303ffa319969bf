"""The one loader of a partnership with its parties, timeline, citations and activities.

The page, the API detail and the events endpoint all load through it.
"""

import datetime
from collections.abc import Sequence

from django.db.models import (
    Model,
    Prefetch,
    Q,
    QuerySet,
)

from ..models import (
    Activity,
    Citation,
    FocusArea,
    Organization,
    Partnership,
    PartnershipQuerySet,
    StatusEvent,
)
from .changes import PUBLIC_MODELS, _history_models, registry_changed_expression
from .precompiled import Precompiled


def citations_with_sources() -> "Prefetch[str, QuerySet[Citation], str]":
    """``citations``, each with its source, in the order they were added."""
    return Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("id"))


def partnership_rows() -> PartnershipQuerySet:
    """Partnerships as lists show them: both parties, the organizations (by name) and the
    focus areas, each row annotated with ``registry_changed``."""
    rows: PartnershipQuerySet = (
        Partnership.objects.with_parties()
        .prefetch_related(
            Prefetch("organizations", Organization.objects.order_by("name", "id")), "focus_areas"
        )
        .annotate(registry_changed=registry_changed_expression())
    )
    return rows


def _set_prefetched(instance: Model, **related: Sequence[Model]) -> None:
    """Hand the rows to ``instance`` as ``prefetch_related`` would: afterwards
    ``instance.<name>.all()`` returns them without a query."""
    cache: dict[str, Sequence[Model]] = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.update(related)


def citation_targets(partnership_id: int, events: Sequence[StatusEvent], activities: Sequence[Activity]) -> Q:
    """The citations of a partnership, its events and its activities, by the citation's
    own indexed columns only (``test_detail_citations_use_indexes`` checks the plan)."""
    targets = Q(partnership_id=partnership_id)
    if events:
        targets |= Q(status_event_id__in=[event.pk for event in events])
    if activities:
        targets |= Q(activity_id__in=[activity.pk for activity in activities])
    return targets


# The largest id a bigint column holds (a larger one finds nothing, as the ORM answers).
MAX_ID = 2**63 - 1


def _partnership_row(pk: int, as_of: datetime.date | None) -> Partnership | None:
    # No ORDER BY (``first()`` would order the one row by the list's sort keys): compiling
    # that order against the annotations cost a third of the query's compiling.
    found = (
        partnership_rows()
        .select_related("locality_a__parent", "locality_b__parent")
        .as_of(as_of)
        .filter(pk=pk)
        .order_by()[:1]
    )
    return next(iter(found), None)


def _events(pk: int) -> "QuerySet[StatusEvent]":
    return (
        StatusEvent.objects.filter(partnership_id=pk)
        .select_related("declaring_organization")
        .order_by("effective_on", "id")
    )


def _activities(pk: int) -> "QuerySet[Activity]":
    return Activity.objects.filter(partnership_id=pk).order_by("occurred_on", "id")


_PARTNERSHIP = Precompiled(
    lambda pk: (
        partnership_rows()
        .select_related("locality_a__parent", "locality_b__parent")
        .as_of(None)
        .filter(pk=pk)
        .order_by()
    )
)
# As ``partnership_rows()`` prefetches them: organizations by name, focus areas in their
# model's order.
_ORGANIZATIONS = Precompiled(lambda pk: Organization.objects.filter(partnerships=pk).order_by("name", "id"))
_FOCUS_AREAS = Precompiled(lambda pk: FocusArea.objects.filter(partnerships=pk))
_EVENTS = Precompiled(_events)
_ACTIVITIES = Precompiled(_activities)


def partnership_detail(pk: int, *, as_of: datetime.date | None = None) -> Partnership | None:
    """A partnership with everything its page and its API detail show, or None when there
    is none (or none yet on ``as_of``): its parties and their parents, organizations, focus
    areas, status events (with the declaring organization), activities and the citations of
    all three with their sources. Six queries whatever the number of rows: the
    partnership, organizations, focus areas, events, activities, and every citation at once.

    ``status``, ``status_since`` and ``status_since_precision`` are as of ``as_of`` (else
    current); ``registry_changed`` is when the registry last changed."""
    if as_of is None and isinstance(pk, int) and 0 < pk <= MAX_ID:
        # The current detail (the API's and the page's usual question): its queries'
        # SQL compiled once per process (selectors.precompiled), the same rows.
        found = _PARTNERSHIP.objects(pk)
        if not found:
            return None
        partnership: Partnership = found[0]
        _set_prefetched(
            partnership, organizations=_ORGANIZATIONS.objects(pk), focus_areas=_FOCUS_AREAS.objects(pk)
        )
        events = _EVENTS.objects(pk)
        activities = _ACTIVITIES.objects(pk)
    else:
        row = _partnership_row(pk, as_of)
        if row is None:
            return None
        partnership = row
        events = list(_events(partnership.pk))
        activities = list(_activities(partnership.pk))
    # The events' and activities' ids are known by now, so the OR compares the citation's
    # own foreign-key columns, each indexed: a BitmapOr of three index scans on PostgreSQL
    # (through the relations' joins it was a scan of every citation).
    citations = (
        Citation.objects.filter(citation_targets(partnership.pk, events, activities))
        .select_related("source")
        .order_by("id")
    )
    by_event: dict[int, list[Citation]] = {event.pk: [] for event in events}
    by_activity: dict[int, list[Citation]] = {activity.pk: [] for activity in activities}
    own: list[Citation] = []
    for citation in citations:
        if citation.status_event_id:
            by_event[citation.status_event_id].append(citation)
        elif citation.activity_id:
            by_activity[citation.activity_id].append(citation)
        else:
            citation.partnership = partnership
            own.append(citation)
    # Each row knows its parent too, as prefetch_related would have told it.
    for event in events:
        event.partnership = partnership
        for citation in by_event[event.pk]:
            citation.status_event = event
        _set_prefetched(event, citations=by_event[event.pk])
    for activity in activities:
        activity.partnership = partnership
        for citation in by_activity[activity.pk]:
            citation.activity = activity
        _set_prefetched(activity, citations=by_activity[activity.pk])
    _set_prefetched(partnership, events=events, activities=activities, citations=own)
    return partnership


def partnership_changed_at(partnership: Partnership) -> datetime.datetime | None:
    """When the partnership's own record last changed: its newest edit-history row."""
    history = _history_models()[PUBLIC_MODELS.index(Partnership)]
    changed: datetime.datetime | None = (
        history._default_manager.filter(id=partnership.pk)
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return changed
