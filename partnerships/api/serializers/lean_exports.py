"""The partnership exports' fast path on PostgreSQL: every row of a CSV from one query.

``lean.export_csv_rows`` reads the rows from a server-side cursor and, per chunk of 2,000,
looks up their organizations, focus areas and licences (three more queries, each with the
chunk's ids, and a dict per organization). Here the database does that per row, in the
same query: the rows' organization and focus area names already joined as the CSV writes
them (``string_agg`` in the order the list sorts them) and the ids of the data set sources
their own and their events' citations name, in the order ``licensing.partnership_licenses``
reads them (each one an index lookup: ``partnerships_citation`` by partnership and by
status event, ``event_timeline_idx``). What is left to Python is a tuple per row turned
into its cells; ``csv_chunks`` writes them 500 rows at a time.

The bytes are ``lean.RowBuilder.csv_rows``'s (tests/test_lean_rows.py compares them with
the generic path's on PostgreSQL; SQLite, which has no ordered ``string_agg``, keeps
``lean.export_csv_rows``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connections, transaction
from django.db.models import BigIntegerField, QuerySet, TextField
from django.db.models.expressions import RawSQL
from rest_framework.settings import api_settings

from ...dates import DatePrecision
from ...licensing import DATASET_LICENSES, REGISTRY_LICENSE, License
from ...models import Citation, FocusArea, Organization, Partnership, Source, StatusEvent
from . import lean
from .lean import COLUMNS, RowBuilder, _text

#: rows per fetch from the server-side cursor (the memory of an export is about that of one)
FETCH = 2000


def datetime_text() -> Callable[[datetime.datetime], str]:
    """``serializers.DateTimeField().to_representation`` for the current time zone, looked
    up once instead of per value (DRF asks the time zone of every value anew): an aware
    value in that zone, in ISO 8601, ``Z`` for UTC. Anything else goes to DRF's own."""
    field = lean._datetime
    slow: Callable[[datetime.datetime], str] = field.to_representation
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if not isinstance(zone, datetime.tzinfo) or not isinstance(output, str) or output.lower() != "iso-8601":
        return slow

    def text(value: datetime.datetime) -> str:
        if value.tzinfo is None:
            return slow(value)
        iso = value.astimezone(zone).isoformat()
        return iso[:-6] + "Z" if iso.endswith("+00:00") else iso

    return text


def _annotations(source_ids: list[int]) -> dict[str, RawSQL]:
    """Per row: its organizations' names, its focus areas' names (each joined by "; " in
    the list's order, NULL for none) and the data set source ids its citations name."""
    table = Partnership._meta.db_table
    pk = f'"{table}"."id"'
    organizations = Partnership.organizations.through._meta.db_table
    focus_areas = Partnership.focus_areas.through._meta.db_table
    organization, focus_area = Organization._meta.db_table, FocusArea._meta.db_table
    citation, event = Citation._meta.db_table, StatusEvent._meta.db_table
    return {
        "export_organizations": RawSQL(
            f'(SELECT string_agg(COALESCE(o."name", \'\'), \'; \' ORDER BY o."name", o."id") '
            f'FROM "{organizations}" t JOIN "{organization}" o ON o."id" = t."organization_id" '
            f'WHERE t."partnership_id" = {pk})',
            (),
            output_field=TextField(),
        ),
        "export_focus_areas": RawSQL(
            f'(SELECT string_agg(COALESCE(f."name", \'\'), \'; \' ORDER BY f."name", f."id") '
            f'FROM "{focus_areas}" t JOIN "{focus_area}" f ON f."id" = t."focusarea_id" '
            f'WHERE t."partnership_id" = {pk})',
            (),
            output_field=TextField(),
        ),
        # Its own citations first (by id), then its events' (by date, event, citation), as
        # lean.licences_of sorts them.
        "export_sources": RawSQL(
            "ARRAY(SELECT u.source_id FROM ("
            f'SELECT c."source_id", FALSE AS dated, NULL::date AS "on", 0::bigint AS event, c."id" '
            f'FROM "{citation}" c WHERE c."partnership_id" = {pk} AND c."source_id" = ANY(%s::bigint[]) '
            "UNION ALL "
            f'SELECT c."source_id", TRUE, e."effective_on", e."id", c."id" '
            f'FROM "{event}" e JOIN "{citation}" c ON c."status_event_id" = e."id" '
            f'WHERE e."partnership_id" = {pk} AND c."source_id" = ANY(%s::bigint[])'
            ') u ORDER BY u.dated, u."on", u.event, u."id")',
            (_array(source_ids), _array(source_ids)),
            output_field=ArrayField(BigIntegerField()),
        ),
    }


def _array(ids: Sequence[int]) -> str:
    """A PostgreSQL array literal: one text parameter, not one per id."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


def _licence_cells(
    sources: dict[int, License],
) -> Callable[[Sequence[int]], tuple[str, str]]:
    """``source ids → (license cell, attribution cell)``, memoised: a few combinations
    cover every row."""
    cache: dict[tuple[int, ...], tuple[str, str]] = {}

    def cells(ids: Sequence[int]) -> tuple[str, str]:
        key = tuple(ids)
        found = cache.get(key)
        if found is None:
            licences = [REGISTRY_LICENSE]
            for source_id in key:
                licence = sources[source_id]
                if licence not in licences:
                    licences.append(licence)
            found = cache[key] = (
                _text("; ".join(licence.name for licence in licences)),
                _text("; ".join(licence.attribution for licence in licences)),
            )
        return found

    return cells


def supported(queryset: QuerySet[Any]) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def csv_rows(queryset: QuerySet[Partnership], builder: RowBuilder) -> Iterator[list[Any]]:
    """Every row of ``queryset`` as CSV cells (``lean.CSV_COLUMNS``), from one query read
    ``FETCH`` rows at a time (PostgreSQL; see ``supported``)."""
    sources = {
        pk: DATASET_LICENSES[url]
        for pk, url in Source.objects.using(queryset.db)
        .filter(url__in=list(DATASET_LICENSES))
        .values_list("id", "url")
    }
    rows = queryset.annotate(**_annotations(sorted(sources))).values_list(
        *COLUMNS, "export_organizations", "export_focus_areas", "export_sources"
    )
    # In a transaction the cursor is not WITH HOLD: PostgreSQL reads the rows as they are
    # fetched instead of all of them into a store first (a read only: no savepoint needed
    # inside another transaction). And no JIT: the per-row lookups make the plan look
    # costly enough for half a second of compiling, which index lookups never win back.
    with transaction.atomic(using=queryset.db, savepoint=False):
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield from _cells(rows.iterator(chunk_size=FETCH), builder, sources)


def _cells(
    tuples: Iterator[Sequence[Any]], builder: RowBuilder, sources: dict[int, License]
) -> Iterator[list[Any]]:
    partnership_url, html_url, locality_url = builder.partnership_url, builder.html_url, builder.locality_url
    updated = datetime_text()
    licence_cells = _licence_cells(sources)
    day = DatePrecision.DAY
    for t in tuples:
        pk = t[0]
        established, since, reported = t[2], t[5], t[7]
        organizations, focus_areas = t[18], t[19]
        yield [
            pk,
            partnership_url(pk),
            html_url(pk),
            t[1],
            t[10],
            _text(t[11]),
            _text(t[12]),
            _text(t[13]),
            locality_url(t[10]),
            t[14],
            _text(t[15]),
            _text(t[16]),
            _text(t[17]),
            locality_url(t[14]),
            established.isoformat() if established is not None else "",
            (t[3] or day) if established is not None else "",
            t[4] or "",
            since.isoformat() if since is not None else "",
            (t[6] or day) if since is not None else "",
            reported.isoformat() if reported is not None else "",
            (t[8] or day) if reported is not None else "",
            _text(organizations) if organizations else "",
            _text(focus_areas) if focus_areas else "",
            updated(t[9]) if t[9] is not None else "",
            *licence_cells(t[20]),
        ]
