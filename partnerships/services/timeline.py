"""A partnership's status timeline: which status may follow which, recording, correcting
and deleting dated events, one cited change for many partnerships, and the derived
current status stored on the partnership."""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ..dates import PartialDate
from ..models import Organization, Partnership, Source, StatusEvent
from ..steps import status_steps
from .changes import save_valid
from .inputs import Actor, CitationInput, SourceInput, acting_user
from .sources import _add_citations, create_described_source

Status = Partnership.Status


# --------------------------------------------------------------- status transitions

# Which status may follow which. None is "no event yet": a partnership comes into the
# record proposed or active. A terminated one comes back only by an explicit "active".
ALLOWED_TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({Status.PROPOSED, Status.ACTIVE}),
    Status.PROPOSED: frozenset({Status.ACTIVE, Status.TERMINATED}),
    Status.ACTIVE: frozenset({Status.SUSPENDED, Status.TERMINATED}),
    Status.SUSPENDED: frozenset({Status.ACTIVE, Status.TERMINATED}),
    Status.TERMINATED: frozenset({Status.ACTIVE}),
}


def transition_error(previous: StatusEvent | None, new_status: str) -> str | None:
    """Why ``new_status`` cannot follow ``previous`` (None when it can)."""
    prev_status = previous.status if previous else None
    if new_status in ALLOWED_TRANSITIONS[prev_status]:
        return None
    label = Status(new_status).label
    if previous is None:
        return (
            f"A partnership's first recorded status must be proposed or active: it cannot be {label} "
            "before it existed. Record when it was proposed or became active first."
        )
    if prev_status == new_status:
        if previous.kind == StatusEvent.Kind.ATTESTATION:
            return (
                f"It is already reported {label} (on {previous.effective}), so it cannot become {label} "
                "later. If the source says it became active earlier, date the change then; if it only "
                "reports the status, record it as an attestation."
            )
        return (
            f"It is already {label} (since {previous.effective}). To confirm that with another source, "
            "add the source as a citation of that event, or record the report as an attestation, "
            "instead of recording the same change again."
        )
    if prev_status == Status.TERMINATED:
        return (
            f"A terminated partnership cannot become {label} (terminated since {previous.effective}). "
            "Only an explicit “active” event re-establishes it."
        )
    return (
        f"A {Status(previous.status).label} partnership (since {previous.effective}) cannot become {label}."
    )


def attestation_error(previous: StatusEvent | None, reported_status: str) -> str | None:
    """Why an attestation of ``reported_status`` contradicts the timeline before it (None
    when it agrees). An attestation reports the status on its date: it must be the status
    the timeline gives then; with nothing recorded before it, it tells the status then."""
    if previous is None or previous.status == reported_status:
        return None
    label = Status(reported_status).label
    before = Status(previous.status).label
    if previous.kind == StatusEvent.Kind.ATTESTATION:
        known = f"it was reported {before} on {previous.effective} and no change is recorded since"
    else:
        known = f"it was {before} then (since {previous.effective})"
    return (
        f"A source reporting it {label} contradicts the timeline: {known}. If the status changed, "
        f"record that change (kind “change”) with its date; otherwise check the date or the status."
    )


def _sort_key(event: StatusEvent) -> tuple[datetime.date, bool, int]:
    # An event not saved yet goes after saved ones of the same date.
    return (event.effective_on, event.pk is None, event.pk or 0)


def validate_timeline(events: Iterable[StatusEvent]) -> None:
    """Check a partnership's events in date order: each change against the status before
    it (ALLOWED_TRANSITIONS), each attestation for agreeing with it. An attestation with
    nothing before it sets the status the following changes start from."""
    previous = None
    for event in sorted(events, key=_sort_key):
        if event.kind == StatusEvent.Kind.ATTESTATION:
            error = attestation_error(previous, event.status)
        else:
            error = transition_error(previous, event.status)
        if error:
            raise ValidationError({"status": f"On {event.effective}: {error}"})
        previous = event


def _lock(partnership: Partnership) -> Partnership:
    # Serialises timeline writes to one partnership: two concurrent events cannot both
    # be validated against the same, stale timeline.
    locked: Partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    return locked


# ------------------------------------------------------------ the derived current status

# The partnership's stored copy of its latest event: written only from
# current_status_fields(), by refresh_current_status() and the import's bulk path.
CURRENT_STATUS_FIELDS = ("current_status", "current_status_since", "current_status_since_precision")


def current_status_fields(latest: StatusEvent | None) -> dict[str, Any]:
    """The rule for the derived current status: the values a partnership stores when
    ``latest`` is its latest *change* (by effective date, then id), or when it has none
    (and no attestation either: see reported_status_fields for a timeline with them)."""
    return {
        "current_status": latest.status if latest else "",
        **Partnership.current_status_since_partial.columns(latest.effective if latest else None),
    }


# When the current status was last reported: stored beside CURRENT_STATUS_FIELDS.
REPORTED_STATUS_FIELDS = ("current_status_reported", "current_status_reported_precision")


def reported_status_fields(events: Iterable[StatusEvent]) -> dict[str, Any]:
    """The derived current status of a whole timeline: the status of its latest event;
    since the latest change (since the latest attestation when no change is recorded);
    reported on the latest attestation later than that change (the attestation's own
    date when no change is recorded, so that "since" and "reported" are then equal); and
    its ``status_steps``."""
    ordered = sorted(events, key=lambda event: (event.effective_on, event.pk or 0))
    changes = [event for event in ordered if event.kind == StatusEvent.Kind.CHANGE]
    reports = [event for event in ordered if event.kind == StatusEvent.Kind.ATTESTATION]
    change = changes[-1] if changes else None
    report = reports[-1] if reports else None
    if report is not None and change is not None and report.effective_on <= change.effective_on:
        report = None
    fields = current_status_fields(change or report)
    if ordered:
        fields["current_status"] = ordered[-1].status
    fields.update(Partnership.current_status_reported_partial.columns(report.effective if report else None))
    fields["status_steps"] = status_steps(ordered)
    return fields


# The timeline in years, stored for the country page's chart (Partnership.status_steps):
# written beside the current status, by the same functions.
STATUS_STEPS_FIELDS = ("status_steps",)


def _set_current_status(partnership: Partnership) -> None:
    for name, value in reported_status_fields(partnership.events.all()).items():
        setattr(partnership, name, value)


def refresh_current_status(partnership: Partnership) -> None:
    """Recompute the partnership's current status from its events and store it; every
    service that changes a timeline calls this."""
    _set_current_status(partnership)
    partnership.save(
        update_fields=[*CURRENT_STATUS_FIELDS, *REPORTED_STATUS_FIELDS, *STATUS_STEPS_FIELDS, "updated_at"]
    )


def _require_citations(citations: Sequence[CitationInput], internal_record: bool) -> None:
    if internal_record and citations:
        raise ValidationError(
            {"is_internal_record": "An internal record has no citation: untick it or drop the citation."}
        )
    if not internal_record and not citations:
        raise ValidationError(
            {
                "citations": "A status change needs a citation: pick or add the source that says so "
                "(or mark it explicitly as an internal record)."
            }
        )


@transaction.atomic
def record_status_event(
    *,
    partnership: Partnership,
    status: str,
    effective: PartialDate,
    kind: str = StatusEvent.Kind.CHANGE,
    note: str = "",
    declared_by: str = "",
    declaring_organization: Organization | None = None,
    citations: Sequence[CitationInput] = (),
    internal_record: bool = False,
    recorded_by: Actor = None,
) -> StatusEvent:
    """Record a dated status change (or, with ``kind`` attestation, a source's report of
    the status on its date) with its citations and update the current status."""
    partnership = _lock(partnership)
    _require_citations(citations, internal_record)
    event = StatusEvent(
        partnership=partnership,
        kind=kind,
        status=status,
        **StatusEvent.effective.columns(effective),
        note=note,
        declared_by=declared_by,
        declaring_organization=declaring_organization,
        is_internal_record=internal_record,
        recorded_by=acting_user(recorded_by),
    )
    event.full_clean()
    validate_timeline([*partnership.events.all(), event])
    event.save()
    _add_citations(citations, status_event=event)
    refresh_current_status(partnership)
    return event


@transaction.atomic
def update_status_event(
    *,
    event: StatusEvent,
    status: str | None = None,
    effective: PartialDate | None = None,
    kind: str | None = None,
    note: str | None = None,
    declared_by: str | None = None,
    declaring_organization: Organization | None = None,
) -> StatusEvent:
    """Correct an event; the whole timeline must still make sense afterwards. Arguments
    left at None keep their value; ``declared_by`` and ``declaring_organization`` are
    replaced together when either is given."""
    partnership = _lock(event.partnership)
    event = StatusEvent.objects.get(pk=event.pk)
    if status is not None:
        event.status = status
    if kind is not None:
        event.kind = kind
    if effective is not None:
        event.effective = effective
    if note is not None:
        event.note = note
    if declared_by is not None or declaring_organization is not None:
        event.declared_by = declared_by if declared_by is not None else StatusEvent.DeclaredBy.ORGANIZATION
        event.declaring_organization = declaring_organization
    event.full_clean()
    validate_timeline([event if e.pk == event.pk else e for e in partnership.events.all()])
    event.save()
    refresh_current_status(partnership)
    return event


@transaction.atomic
def delete_status_event(*, event: StatusEvent) -> None:
    """Remove an event (with its citations) if the remaining timeline still makes sense."""
    partnership = _lock(event.partnership)
    validate_timeline([e for e in partnership.events.all() if e.pk != event.pk])
    event.delete()
    refresh_current_status(partnership)


@transaction.atomic
def record_status_change(
    *,
    partnerships: Sequence[Partnership],
    status: str,
    effective: PartialDate,
    kind: str = StatusEvent.Kind.CHANGE,
    note: str = "",
    declared_by: str = "",
    declaring_organization: Organization | None = None,
    source: Source | SourceInput | None = None,
    quote: str = "",
    locator: str = "",
    internal_record: bool = False,
    recorded_by: Actor = None,
) -> list[StatusEvent]:
    """Record one status change, with one citation, for each of the partnerships (a news
    report that many were suspended). ``source`` is an existing source or a SourceInput to
    create on the spot. All or nothing: if any transition is refused nothing is written,
    and for several partnerships the errors name each one refused."""
    if isinstance(source, SourceInput):
        # Created once, then cited by every partnership's event.
        source = create_described_source(source)
    citations = [CitationInput(source=source, quote=quote, locator=locator)] if source else []
    events, refusals = [], []
    for partnership in partnerships:
        try:
            with transaction.atomic():
                events.append(
                    record_status_event(
                        partnership=partnership,
                        status=status,
                        effective=effective,
                        kind=kind,
                        note=note,
                        declared_by=declared_by,
                        declaring_organization=declaring_organization,
                        citations=citations,
                        internal_record=internal_record,
                        recorded_by=recorded_by,
                    )
                )
        except ValidationError as error:
            if len(partnerships) == 1:
                raise
            refusals.append(f"{partnership}: {' '.join(error.messages)}")
    if refusals:
        raise ValidationError(refusals)
    return events


DERIVED_PARTNERSHIP_FIELDS = (
    *CURRENT_STATUS_FIELDS,
    *REPORTED_STATUS_FIELDS,
    *STATUS_STEPS_FIELDS,
    "last_verified_at",
    "last_verified_by",
)


@transaction.atomic
def save_partnership(*, partnership: Partnership) -> Partnership:
    """Save staff edits of a partnership's own fields, or an earlier version restored from
    its history. The derived fields are never taken from the edited object: the current
    status is recomputed from the events and the verification is kept as stored, so a
    restored version cannot contradict the timeline."""
    stored = _lock(partnership)
    for name in DERIVED_PARTNERSHIP_FIELDS:
        setattr(partnership, name, getattr(stored, name))
    _set_current_status(partnership)
    return save_valid(partnership)
