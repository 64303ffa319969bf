"""The change log behind the change feed: which committed change of which public record a
mirror must hear about, written as ``FeedEntry`` rows inside the transaction that makes
the change.

**Where entries come from.** Every write the registry records in its edit history — a
service's save, an admin delete and its cascade, a many-to-many change — makes
django-simple-history send ``post_create_historical_record`` in the same transaction;
``on_history_row`` turns that row into entries by the rule table ``RULES``, so no write
path can forget its entry. Writes that bypass the history's signals say so explicitly:
the bulk paths of imports (``record_bulk``), fixtures loaded raw (``on_raw_save``, e.g.
``loaddata``), and a locality merge (``record_merge``, for the merging service). A
snapshot restore brings the log back as it was exported (it is one of the snapshot's
tables), so a mirror of the exported registry can follow the restored one.

**The rule table.** A public record's own change is its entry (created/updated/deleted);
a change of one of its parts — a status event, activity or citation of a partnership, an
alias of a locality, a relationship of organizations — is an "updated" of the record(s) it
belongs to; and a change of a record whose data others repeat (a locality's name in its
partnerships and in its partners' lists, a source's title in every citation, an
organization or focus area named in partnerships and figures) is also an "updated" of
those others (``Rule.echo``, looked up when the record is updated or about to be deleted).

**One entry per change as the client sees it.** Within one transaction (the outermost
atomic block that is not a test case's), entries are deduplicated: a record gets at most
one entry per transaction — "created" absorbs later updates, "deleted" (or "merged")
replaces an earlier "updated", and a record created and deleted in the same transaction
leaves no entry. The map of what the transaction has written lives on the connection;
a hit is checked against the table (a rolled-back savepoint takes its entries with it).

**Cursor order is commit order.** On PostgreSQL every insert of entries first takes the
transaction-level advisory lock ``FEED_LOCK``: from its first entry to its commit a
transaction holds it, so entry ids are handed out in commit order and a reader never sees
entry N+1 committed while N is still to come. SQLite serialises writers anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import (
    Activity,
    Citation,
    FeedEntry,
    FocusArea,
    Locality,
    LocalityAlias,
    Organization,
    OrganizationRelationship,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)

#: The key of the advisory lock that orders feed inserts by commit (any fixed bigint).
FEED_LOCK = 0x5EED_F00D

CREATED = FeedEntry.Action.CREATED.value
UPDATED = FeedEntry.Action.UPDATED.value
DELETED = FeedEntry.Action.DELETED.value
MERGED = FeedEntry.Action.MERGED.value
HISTORY_ACTIONS = {"+": CREATED, "~": UPDATED, "-": DELETED}

Key = tuple[str, int]  # (record type, record id)


# ----------------------------------------------------------------------- the rules


def _partnership_of_claim(citation: Any) -> int | None:
    if citation.partnership_id:
        return int(citation.partnership_id)
    for name, model in (("status_event_id", StatusEvent), ("activity_id", Activity)):
        claim_id = getattr(citation, name)
        relation: Any = Citation._meta.get_field(name.removesuffix("_id"))
        if claim_id and relation.is_cached(citation):  # e.g. a bulk import's new event
            claim: Any = relation.get_cached_value(citation)
            return int(claim.partnership_id)
        if claim_id:
            found = model._base_manager.filter(pk=claim_id).values_list("partnership_id", flat=True).first()
            return int(found) if found is not None else None  # gone: its own deletion reports it
    return None


def _citation_parts(citation: Any) -> list[Key]:
    keys: list[Key] = [("source", citation.source_id)]
    partnership = _partnership_of_claim(citation)
    if partnership is not None:
        keys.append(("partnership", partnership))
    if citation.locality_id:
        keys.append(("locality", citation.locality_id))
    if citation.reported_figure_id:
        keys.append(("reported_figure", citation.reported_figure_id))
    return keys


def _locality_echo(pk: int) -> list[Key]:
    keys: list[Key] = []
    rows = Partnership._base_manager.filter(Q(locality_a_id=pk) | Q(locality_b_id=pk))
    for partnership, a, b in rows.values_list("pk", "locality_a_id", "locality_b_id"):
        keys += [("partnership", partnership), ("locality", b if a == pk else a)]
    return keys


def _organization_echo(pk: int) -> list[Key]:
    through = Partnership.organizations.through
    partnerships = set(through.objects.filter(organization_id=pk).values_list("partnership_id", flat=True))
    partnerships |= set(
        StatusEvent._base_manager.filter(declaring_organization_id=pk).values_list(
            "partnership_id", flat=True
        )
    )
    figures = ReportedFigure._base_manager.filter(organization_id=pk).values_list("pk", flat=True)
    return [("partnership", p) for p in sorted(partnerships)] + [("reported_figure", f) for f in figures]


def _focus_area_echo(pk: int) -> list[Key]:
    through = Partnership.focus_areas.through
    return [
        ("partnership", p)
        for p in through.objects.filter(focusarea_id=pk).values_list("partnership_id", flat=True)
    ]


def _source_echo(pk: int) -> list[Key]:
    keys: list[Key] = []
    rows = Citation._base_manager.filter(source_id=pk).values_list(
        "partnership_id",
        "status_event__partnership_id",
        "activity__partnership_id",
        "locality_id",
        "reported_figure_id",
    )
    for direct, of_event, of_activity, locality, figure in rows:
        partnership = direct or of_event or of_activity
        if partnership:
            keys.append(("partnership", partnership))
        if locality:
            keys.append(("locality", locality))
        if figure:
            keys.append(("reported_figure", figure))
    return keys


@dataclass(frozen=True)
class Rule:
    """What a change of one model means for the feed."""

    own: str | None = None  # the public record type this model is, if it is one
    parts: Callable[[Any], list[Key]] = lambda record: []  # records it is a part of: "updated"
    echo: Callable[[int], list[Key]] | None = None  # records repeating its data: "updated"


RULES: dict[type[models.Model], Rule] = {
    Partnership: Rule(
        own="partnership",
        # A locality's detail lists its partnerships with their status.
        parts=lambda p: [("locality", p.locality_a_id), ("locality", p.locality_b_id)],
    ),
    StatusEvent: Rule(parts=lambda e: [("partnership", e.partnership_id)]),
    Activity: Rule(parts=lambda a: [("partnership", a.partnership_id)]),
    Citation: Rule(parts=_citation_parts),
    Locality: Rule(own="locality", echo=_locality_echo),
    LocalityAlias: Rule(parts=lambda a: [("locality", a.locality_id)]),
    Organization: Rule(own="organization", echo=_organization_echo),
    OrganizationRelationship: Rule(
        parts=lambda r: [("organization", r.from_organization_id), ("organization", r.to_organization_id)]
    ),
    FocusArea: Rule(echo=_focus_area_echo),
    Source: Rule(own="source", echo=_source_echo),
    ReportedFigure: Rule(own="reported_figure"),
}


def changes_for(model: type[models.Model], record: Any, action: str) -> list[tuple[Key, str]]:
    """The entries (key, action) one change of ``record`` makes, by the rule table; the
    echo is looked up elsewhere (``on_history_row``, ``on_pre_delete``)."""
    rule = RULES.get(model)
    if rule is None:
        return []
    entries: list[tuple[Key, str]] = []
    if rule.own is not None:
        entries.append(((rule.own, int(record.pk)), action))
    entries += [((kind, int(pk)), UPDATED) for kind, pk in rule.parts(record) if pk is not None]
    return entries


# ----------------------------------------------------------- the transaction's map


@dataclass
class _Scope:
    """What the current transaction has written: {key: {action: entry id}}."""

    block: Any
    savepoint: str | None
    written: dict[Key, dict[str, int]] = field(default_factory=dict)
    echoed: set[Key] = field(default_factory=set)


def _current_block(connection: Any) -> tuple[Any, str | None, bool] | None:
    """(block, savepoint id, is outermost) of the outermost atomic block that is not a test
    case's, or None outside any such block (each statement commits on its own)."""
    if not connection.in_atomic_block:
        return None
    for index, block in enumerate(connection.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            savepoint = connection.savepoint_ids[index - 1] if index else None
            return block, savepoint, index == 0
    return None


def _scope(connection: Any) -> _Scope | None:
    current = _current_block(connection)
    if current is None:
        return None
    block, savepoint, outermost = current
    scope: _Scope | None = getattr(connection, "_feed_scope", None)
    if scope is not None and scope.block is block and scope.savepoint == savepoint:
        return scope
    scope = _Scope(block=block, savepoint=savepoint)
    connection._feed_scope = scope
    if outermost:
        # The next transaction starts afresh; after a rollback the map is stale, but every
        # hit is checked against the table (see _live).
        transaction.on_commit(lambda: _forget(connection, scope), using=connection.alias)
    return scope


def _forget(connection: Any, scope: _Scope) -> None:
    if getattr(connection, "_feed_scope", None) is scope:
        connection._feed_scope = None


def _live(ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(ids))
    live: set[int] = set()
    for start in range(0, len(wanted), 900):  # within SQLite's limit of query parameters
        chunk = wanted[start : start + 900]
        live.update(FeedEntry.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return live


def _lock(connection: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])


# -------------------------------------------------------------------------- writing


def record_changes(
    changes: Iterable[tuple[Key, str]],
    *,
    targets: dict[Key, int] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> list[FeedEntry]:
    """Write the entries for these changes ((type, id), action), deduplicated within the
    transaction (see the module's docstring); returns the entries written."""
    changes = list(changes)
    connection: Any = connections[using]
    buffer = getattr(connection, "_feed_buffer", None)
    if buffer is not None and not targets:
        buffer.extend(changes)  # written when the bulk block ends (deferred_bulk)
        return []
    targets = targets or {}
    with transaction.atomic(using=using, savepoint=False):
        scope = _scope(connection)
        written: dict[Key, dict[str, int]] = scope.written if scope is not None else {}
        # What this transaction wrote for these keys: still there, or rolled back since?
        # A "created" entry needs no check: had its savepoint been rolled back, the record
        # would have gone with it (ids are never handed out twice).
        keys = {key for key, _ in changes}
        earlier = {pk for key in keys for a, pk in written.get(key, {}).items() if a != CREATED}
        live = _live(earlier)
        for key in keys & set(written):
            written[key] = {a: pk for a, pk in written[key].items() if a == CREATED or pk in live}
        pending: dict[Key, str] = {}  # in the order the changes came; a replaced one moves last
        superseded: list[int] = []
        for key, action in changes:
            done = written.get(key, {})
            have = set(done) | ({pending[key]} if key in pending else set())
            if action == UPDATED and have:
                continue  # its created, updated, deleted or merged entry tells it already
            if action == CREATED:
                if CREATED in have:
                    continue
                superseded += [pk for a, pk in done.items() if a == UPDATED]
            elif action in (DELETED, MERGED):
                if have & {DELETED, MERGED}:
                    continue
                if CREATED in have:  # created and gone in one transaction: no client saw it
                    superseded += list(done.values())
                    written.pop(key, None)
                    pending.pop(key, None)
                    continue
                superseded += [pk for a, pk in done.items() if a == UPDATED]
            if key in written:
                written[key] = {a: pk for a, pk in written[key].items() if pk not in superseded}
            pending.pop(key, None)
            pending[key] = action
        if superseded:
            FeedEntry.objects.filter(pk__in=superseded).delete()
        if not pending:
            return []
        now = timezone.now()
        entries = [
            FeedEntry(
                committed_at=now,
                record_type=kind,
                record_id=pk,
                action=action,
                target_id=targets.get((kind, pk)) if action == MERGED else None,
            )
            for (kind, pk), action in pending.items()
        ]
        _lock(connection)
        created = FeedEntry.objects.bulk_create(entries, batch_size=1000)
        if scope is not None:
            for entry in created:
                written.setdefault((entry.record_type, int(entry.record_id)), {})[entry.action] = entry.pk
        return created


def record_change(record_type: str, record_id: int, action: str, *, target_id: int | None = None) -> None:
    """One change of one public record (see ``record_changes``)."""
    targets = {(record_type, record_id): target_id} if target_id is not None else None
    record_changes([((record_type, int(record_id)), action)], targets=targets)


def _echo(model: type[models.Model], pk: int, scope_echoed: set[Key] | None) -> list[tuple[Key, str]]:
    rule = RULES.get(model)
    if rule is None or rule.echo is None:
        return []
    marker = (model._meta.label_lower, pk)
    if scope_echoed is not None:
        if marker in scope_echoed:
            return []
        scope_echoed.add(marker)
    return [(key, UPDATED) for key in rule.echo(pk)]


def record_bulk(model: type[models.Model], records: Iterable[Any], action: str) -> None:
    """Entries for records a bulk path wrote without the history's signals (imports'
    bulk_create_with_history / bulk_update_with_history): the same rule table, the echo
    of an update included."""
    changes: list[tuple[Key, str]] = []
    scope = _scope(connections[DEFAULT_DB_ALIAS])
    for record in records:
        changes += changes_for(model, record, action)
        if action == UPDATED:
            changes += _echo(model, int(record.pk), scope.echoed if scope else None)
    if changes:
        record_changes(changes)


@contextmanager
def deferred_bulk() -> Iterator[None]:
    """Within this block every change (``record_bulk``'s, and the history's of the service
    calls inside) is collected and written in one pass when the block ends: fewer, fuller
    inserts, and the feed lock is taken only then, so a long import does not hold up other
    writers' entries while it runs. Use inside the bulk path's transaction."""
    connection: Any = connections[DEFAULT_DB_ALIAS]
    if getattr(connection, "_feed_buffer", None) is not None:
        yield
        return
    buffer: list[tuple[Key, str]] = []
    connection._feed_buffer = buffer
    try:
        yield
    finally:
        connection._feed_buffer = None
    if buffer:
        record_changes(buffer)


def record_merge(*, record_type: str, merged_id: int, into_id: int) -> None:
    """A record merged into another of the same type (a locality merge): one "merged"
    entry naming the target, and an "updated" of the target (its data grew). For the
    merging service; the records that pointed at the merged one announce themselves
    through their own saves."""
    record_changes(
        [((record_type, int(merged_id)), MERGED), ((record_type, int(into_id)), UPDATED)],
        targets={(record_type, int(merged_id)): int(into_id)},
    )


# ----------------------------------------------------------------------- the hooks


def on_history_row(
    sender: Any, instance: Any, history_instance: Any, using: str | None = None, **kwargs: Any
) -> None:
    """post_create_historical_record: the history row just written, as feed entries."""
    model = instance._meta.concrete_model
    if model not in RULES:
        return
    action = HISTORY_ACTIONS[history_instance.history_type]
    changes = changes_for(model, instance, action)
    if action == UPDATED:
        scope = _scope(connections[using or DEFAULT_DB_ALIAS])
        changes += _echo(model, int(instance.pk), scope.echoed if scope else None)
    if changes:
        record_changes(changes, using=using or DEFAULT_DB_ALIAS)


def on_pre_delete(sender: Any, instance: Any, using: str | None = None, **kwargs: Any) -> None:
    """pre_delete: the records repeating a record's data hear of its deletion before the
    cascade takes the links (a deleted organization leaves its partnerships)."""
    model = instance._meta.concrete_model
    rule = RULES.get(model)
    if rule is None or rule.echo is None or instance.pk is None:
        return
    scope = _scope(connections[using or DEFAULT_DB_ALIAS])
    changes = [
        (key, action)
        for key, action in _echo(model, int(instance.pk), None)
        if key != (rule.own, instance.pk)
    ]
    if scope is not None:
        scope.echoed.add((model._meta.label_lower, int(instance.pk)))
    if changes:
        record_changes(changes, using=using or DEFAULT_DB_ALIAS)


def on_raw_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """post_save of a fixture loaded raw (``loaddata``), which the history skips: the
    record is "created" as far as the feed knows."""
    if raw and sender in RULES:
        changes = changes_for(sender, instance, CREATED)
        if changes:
            record_changes(changes, using=kwargs.get("using") or DEFAULT_DB_ALIAS)


def connect() -> None:
    """Connect the hooks (called from the app's ready())."""
    from django.db.models.signals import post_save, pre_delete
    from simple_history.signals import post_create_historical_record

    post_create_historical_record.connect(on_history_row, dispatch_uid="partnerships.feed.history")
    for model in RULES:
        post_save.connect(on_raw_save, sender=model, dispatch_uid=f"partnerships.feed.raw.{model.__name__}")
        pre_delete.connect(
            on_pre_delete, sender=model, dispatch_uid=f"partnerships.feed.delete.{model.__name__}"
        )
