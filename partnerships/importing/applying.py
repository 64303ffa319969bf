"""Writing a planned import, in one transaction: sources through the service; new
localities, partnerships, status events and citations bulk-created in batches with their
edit history; changed partnerships bulk-updated; a new status of a recorded partnership
through services.record_status_event. The bulk writes skip the history's signals, so
each says what it wrote to the change log (services.feed.record_bulk)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partnerships import services
from partnerships.gazetteer import check_coordinates
from partnerships.models import Citation, Locality, LocalityAlias, Partnership, Source, StatusEvent
from partnerships.services import feed

from .matching import Candidate, Place
from .planning import Planned, chunks
from .rows import Level, ParsedRow, SourceSpec, check_record, locality_for

BATCH_SIZE = 1000

RecordT = TypeVar("RecordT", bound=models.Model)
Progress = Callable[[str, int, int], None]


def change_reason(label: str, source: SourceSpec | None = None) -> str:
    reason = f"Imported from {label}" if label else "Imported"
    if source is not None:
        reason += f" (source: {source})"
    return reason[:100]


History = dict[str, Any]


@dataclass(frozen=True)
class NewAlias:
    """A row's spelling of a locality it matched by name key or gazetteer: kept as an alias."""

    candidate_id: int
    name: str
    provenance: str


@transaction.atomic
def apply_plan(
    planned: list[Planned],
    used: dict[int, Candidate],
    sources: dict[SourceSpec, Source | None],
    *,
    user: AbstractBaseUser | None,
    label: str,
    progress: Progress,
    aliases: list[NewAlias] | None = None,
) -> dict[int, int]:
    """Write the planned rows (see the module's docstring); ``used`` holds every locality
    the rows name, negative ids for those to create. Returns {candidate id: locality id}."""
    now = timezone.now()
    default_source = next((item.row.source for item in planned), None)
    history: History = {
        "default_user": user,
        "default_change_reason": change_reason(label, default_source),
        "default_date": now,
        "batch_size": BATCH_SIZE,
    }
    with feed.deferred_bulk():
        return _apply(
            planned,
            used,
            sources,
            user=user,
            label=label,
            progress=progress,
            history=history,
            now=now,
            aliases=aliases,
        )


def _apply(
    planned: list[Planned],
    used: dict[int, Candidate],
    sources: dict[SourceSpec, Source | None],
    *,
    user: AbstractBaseUser | None,
    label: str,
    progress: Progress,
    history: History,
    now: datetime.datetime,
    aliases: list[NewAlias] | None = None,
) -> dict[int, int]:
    total = len(planned)
    source_objects = _write_sources(planned, sources)

    def cite(row: ParsedRow, **target: Any) -> Citation:
        fields = {"quote": row.quote, "locator": row.locator, **target}
        return Citation(source=source_objects[row.source], **fields)

    # Localities new to the registry, each citing the source of the first row that named
    # it: that data set is the registry's only ground for the place's name, country and
    # coordinates. Matched localities are not cited again (the registry knew them before).
    new_localities = _write_localities(planned, used, history)
    progress("writing localities", len(new_localities), len(new_localities))
    real_ids = {pk: pk for pk in used if pk > 0}
    citations = []
    for candidate, (locality, first_row) in new_localities.items():
        real_ids[candidate] = locality.pk
        citations.append(cite(first_row, locality=locality, quote=""))

    # New partnerships, with their first status where the row gives one.
    new_items = [item for item in planned if item.existing is None]
    partnerships, events = _write_new_partnerships(new_items, real_ids, history, label=label, user=user)
    progress("writing partnerships", len(partnerships), total)
    for item, partnership in zip(new_items, partnerships, strict=True):
        citations.append(cite(item.row, partnership=partnership))
    citations.extend(cite(row, status_event=event) for row, event in events)

    # Partnerships already recorded: new values, a citation of this source, a status.
    _update_partnerships(
        [item for item in planned if item.existing is not None and item.changes], history, now
    )
    recorded = [item for item in planned if item.existing is not None]
    citations.extend(cite(item.row, partnership_id=item.recorded_pk) for item in recorded if item.cite)
    _bulk_create(citations, Citation, history)
    new_aliases = [
        LocalityAlias(
            locality_id=real_ids[alias.candidate_id],
            name=alias.name,
            kind=LocalityAlias.Kind.VARIANT,
            provenance=alias.provenance[:100],
        )
        for alias in aliases or []
        if alias.candidate_id in real_ids
    ]
    # Their uniqueness per locality was settled in memory (the locality's names are known):
    # only the fields are checked here, without a query per alias.
    for record in new_aliases:
        record.clean_fields(exclude=["locality", "name_key"])
    if new_aliases:
        bulk_create_with_history(new_aliases, LocalityAlias, **history)
        # A new name of a locality is an update of it (or part of its creation).
        feed.record_bulk(LocalityAlias, new_aliases, feed.CREATED)

    # A new status for a recorded partnership goes through the service, which checks it
    # against the whole timeline (checked already in the plan; rare in bulk files).
    for item in recorded:
        if item.status_event and item.row.status_date is not None:
            services.record_status_event(
                partnership=Partnership(pk=item.recorded_pk),
                status=item.row.status,
                effective=item.row.status_date,
                note=change_reason(label),
                citations=[
                    services.CitationInput(
                        source=source_objects[item.row.source], quote=item.row.quote, locator=item.row.locator
                    )
                ],
                recorded_by=user,
            )
    progress("done", total, total)
    return real_ids


def _bulk_create(objects: list[RecordT], model: type[RecordT], history: History) -> list[RecordT]:
    """Check each record as the row checks did (see rows.check_record), then write them
    all with their history. A record failing here is a bug in the plan: ValidationError
    rolls the whole import back."""
    for record in objects:
        check_record(record)
    created = list(bulk_create_with_history(objects, model, **history))
    feed.record_bulk(model, created, feed.CREATED)
    return created


def _write_sources(
    planned: list[Planned], sources: dict[SourceSpec, Source | None]
) -> dict[SourceSpec, Source]:
    """The sources the rows cite: few per import, created through the service (full validation)."""
    cited = {item.row.source for item in planned}
    return {
        spec: found or services.create_described_source(spec)
        for spec, found in sources.items()
        if spec in cited
    }


def _write_localities(
    planned: list[Planned], used: dict[int, Candidate], history: History
) -> dict[int, tuple[Locality, ParsedRow]]:
    """Create the localities new to the registry: {candidate id: (locality, first row naming it)}."""
    first_rows: dict[int, ParsedRow] = {}
    for item in planned:
        for candidate in (item.a, item.b):
            if candidate.id < 0:
                first_rows.setdefault(candidate.id, item.row)
    new_candidates = sorted((c for pk, c in used.items() if pk < 0), key=lambda c: -c.id)
    localities = []
    for c in new_candidates:
        check = check_coordinates(c.latitude, c.longitude, c.country, c.kind)
        place = Place(c.name, c.country, c.subdivision, c.kind, c.latitude, c.longitude, c.wikidata_id)
        localities.append(
            locality_for(replace(place, coordinates_check=check.result, coordinates_note=check.note))
        )
    created = _bulk_create(localities, Locality, history)
    return {c.id: (loc, first_rows[c.id]) for c, loc in zip(new_candidates, created, strict=True)}


def _write_new_partnerships(
    items: list[Planned],
    real_ids: dict[int, int],
    history: History,
    *,
    label: str,
    user: AbstractBaseUser | None,
) -> tuple[list[Partnership], list[tuple[ParsedRow, StatusEvent]]]:
    """Create a partnership for each item, and its first status event where the row gives
    one; the partnership's derived current status comes from that event by the
    services' own rule, as services.record_status_event would set it."""
    partnerships, first_events = [], []
    for item in items:
        row = item.row
        event = row.status_event(note=change_reason(label), recorded_by=user)
        partnerships.append(
            Partnership(
                locality_a_id=real_ids[item.a.id],
                locality_b_id=real_ids[item.b.id],
                level=row.level or Level.PARTNERSHIP,
                **Partnership.established.columns(row.established),
                **services.current_status_fields(event),
                status_steps=services.status_steps([event] if event else []),
            )
        )
        first_events.append(event)
    # Their own fields were checked with each row (rows.parse_row), the pairs in memory.
    partnerships = list(bulk_create_with_history(partnerships, Partnership, **history))
    feed.record_bulk(Partnership, partnerships, feed.CREATED)
    events = []
    for item, partnership, event in zip(items, partnerships, first_events, strict=True):
        if event is not None:
            event.partnership = partnership
            events.append((item.row, event))
    created = _bulk_create([event for _, event in events], StatusEvent, history)
    return partnerships, [(row, event) for (row, _), event in zip(events, created, strict=True)]


def _update_partnerships(items: list[Planned], history: History, now: datetime.datetime) -> None:
    """Write the new level and established date of partnerships already recorded."""
    by_pk: dict[int, Partnership] = {}
    for chunk in chunks([item.recorded_pk for item in items]):
        by_pk.update(Partnership.objects.in_bulk(chunk))
    changed = []
    for item in items:
        partnership = by_pk[item.recorded_pk]
        if "level" in item.changes:
            partnership.level = item.row.level
        if "established" in item.changes and item.row.established is not None:
            partnership.established = item.row.established
        partnership.updated_at = now
        changed.append(partnership)
    if changed:
        bulk_update_with_history(
            changed,
            Partnership,
            ["level", "established_on", "established_precision", "updated_at"],
            **history,
        )
        feed.record_bulk(Partnership, changed, feed.UPDATED)
