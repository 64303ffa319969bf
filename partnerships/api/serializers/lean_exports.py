"""The partnership exports' fast path on PostgreSQL: every row of a CSV or a GeoJSON
from one query.

``lean.export_csv_rows`` and ``lean.export_rows`` read the rows from a server-side cursor
and, per chunk of 2,000, look up their organizations, focus areas and licences (three
more queries, each with the chunk's ids, and a dict per organization). Here the database
does that per row, in the same query: the rows' organizations and focus areas in the
order the list sorts them (for the CSV their names already joined, ``string_agg``; for
GeoJSON a JSON text of their items), the ids of the data set sources their own and their
events' citations name, in the order ``lean.licences_of`` reads them (each one an index
lookup: ``partnerships_citation`` by partnership and by status event,
``event_timeline_idx``), and with a UTC time zone ``updated_at`` as DRF writes it. What
is left to Python is a tuple per row turned into its cells or its feature;
``renderers.csv_chunks`` and ``lean.geojson_bytes`` write them 500 at a time.

The bytes are the chunked path's (tests/test_lean_rows.py compares the CSV with the
generic path's and the GeoJSON with ``lean.export_rows``'; SQLite, which has no ordered
``string_agg``, keeps the chunked path)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import orjson
from django.contrib.postgres.fields import ArrayField
from django.db import connections, transaction
from django.db.models import BigIntegerField, QuerySet, TextField
from django.db.models.expressions import RawSQL

from ...dates import DatePrecision
from ...licensing import DATASET_LICENSES, REGISTRY_LICENSE, License
from ...models import Citation, FocusArea, Organization, Partnership, Source, StatusEvent
from . import lean
from .lean import COLUMNS, GEO_COLUMNS, RowBuilder, _datetime_zone, _text, datetime_text

#: rows per fetch from the server-side cursor (the memory of an export is about that of one)
FETCH = 2000


#: ``updated_at`` as ``datetime_text`` writes a UTC time (``2026-12-03T06:40:00.123456Z``,
#: no fraction when it is zero), written by the database instead of parsed and rewritten
#: in Python for every row
_UTC_TEXT = (
    "to_char({u}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
    "|| CASE to_char({u}, 'US') WHEN '000000' THEN '' ELSE '.' || to_char({u}, 'US') END || 'Z'"
)


def _columns(
    geometry: bool, annotations: dict[str, RawSQL]
) -> tuple[tuple[str, ...], Callable[[datetime.datetime], str] | None]:
    """The columns to read (``COLUMNS``, with ``GEO_COLUMNS`` for GeoJSON, then the
    ``annotations``), and how to write ``updated_at``: None when the database writes it
    (the time zone is UTC; ``_UTC_TEXT``), else ``datetime_text()``."""
    columns: tuple[str, ...] = (*COLUMNS, *GEO_COLUMNS) if geometry else COLUMNS
    updated: Callable[[datetime.datetime], str] | None = datetime_text()
    zone = _datetime_zone()
    if zone is datetime.UTC or getattr(zone, "key", None) == "UTC":
        column = f'("{Partnership._meta.db_table}"."updated_at" AT TIME ZONE \'UTC\')'
        annotations["export_updated_at"] = RawSQL(_UTC_TEXT.format(u=column), (), output_field=TextField())
        columns = tuple("export_updated_at" if c == "updated_at" else c for c in columns)
        updated = None
    return (*columns, *(name for name in annotations if name not in columns)), updated


def _annotations(source_ids: list[int], *, geojson: bool = False) -> dict[str, RawSQL]:
    """Per row: its organizations and its focus areas in the list's order (for the CSV
    their names joined by "; ", NULL for none; for GeoJSON a JSON text of ``[id, name,
    abbreviation]`` and ``[slug, name]`` items), and the data set source ids its citations
    name."""
    table = Partnership._meta.db_table
    pk = f'"{table}"."id"'
    organizations = Partnership.organizations.through._meta.db_table
    focus_areas = Partnership.focus_areas.through._meta.db_table
    organization, focus_area = Organization._meta.db_table, FocusArea._meta.db_table
    citation, event = Citation._meta.db_table, StatusEvent._meta.db_table
    if geojson:
        organization_items = (
            'json_agg(json_build_array(o."id", o."name", o."abbreviation") ORDER BY o."name", o."id")::text'
        )
        focus_area_items = 'json_agg(json_build_array(f."slug", f."name") ORDER BY f."name", f."id")::text'
    else:
        organization_items = 'string_agg(COALESCE(o."name", \'\'), \'; \' ORDER BY o."name", o."id")'
        focus_area_items = 'string_agg(COALESCE(f."name", \'\'), \'; \' ORDER BY f."name", f."id")'
    return {
        "export_organizations": RawSQL(
            f"(SELECT {organization_items} "
            f'FROM "{organizations}" t JOIN "{organization}" o ON o."id" = t."organization_id" '
            f'WHERE t."partnership_id" = {pk})',
            (),
            output_field=TextField(),
        ),
        "export_focus_areas": RawSQL(
            f"(SELECT {focus_area_items} "
            f'FROM "{focus_areas}" t JOIN "{focus_area}" f ON f."id" = t."focusarea_id" '
            f'WHERE t."partnership_id" = {pk})',
            (),
            output_field=TextField(),
        ),
        # Its own citations first (by id), then its events' (by date, event, citation), as
        # lean.licences_of sorts them.
        "export_sources": RawSQL("'{}'::bigint[]", (), output_field=ArrayField(BigIntegerField()))
        if not source_ids  # no data set imported: no row cites one
        else RawSQL(
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
            licences = _licences(key, sources)
            found = cache[key] = (
                _text("; ".join(licence.name for licence in licences)),
                _text("; ".join(licence.attribution for licence in licences)),
            )
        return found

    return cells


def supported(queryset: QuerySet[Any]) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _sources(db: str) -> dict[int, License]:
    """The data sets' Source records in this database: id → licence."""
    found = Source.objects.using(db).filter(url__in=list(DATASET_LICENSES)).values_list("id", "url")
    return {pk: DATASET_LICENSES[url] for pk, url in found}


def _read(rows: QuerySet[Any]) -> Iterator[Sequence[Any]]:
    """The tuples of ``rows``, from a server-side cursor ``FETCH`` at a time."""
    # In a transaction the cursor is not WITH HOLD: PostgreSQL reads the rows as they are
    # fetched instead of all of them into a store first (a read only: no savepoint needed
    # inside another transaction). And no JIT: the per-row lookups make the plan look
    # costly enough for half a second of compiling, which index lookups never win back.
    with transaction.atomic(using=rows.db, savepoint=False):
        with connections[rows.db].cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield from rows.iterator(chunk_size=FETCH)


def csv_rows(queryset: QuerySet[Partnership], builder: RowBuilder) -> Iterator[list[Any]]:
    """Every row of ``queryset`` as CSV cells (``lean.CSV_COLUMNS``), from one query read
    ``FETCH`` rows at a time (PostgreSQL; see ``supported``)."""
    sources = _sources(queryset.db)
    annotations = _annotations(sorted(sources))
    columns, updated = _columns(False, annotations)
    rows = queryset.annotate(**annotations).values_list(*columns)
    yield from _cells(_read(rows), builder, sources, updated)


def features(queryset: QuerySet[Partnership], builder: RowBuilder) -> Iterator[dict[str, Any]]:
    """Every row of ``queryset`` as a GeoJSON feature: the list's row (``RowBuilder._row``,
    key for key) with its ``license`` (as ``lean.with_licences`` adds it) and the line
    between the parties (``lean.line``), from one query (PostgreSQL; see ``supported``)."""
    sources = _sources(queryset.db)
    annotations = _annotations(sorted(sources), geojson=True)
    columns, updated = _columns(True, annotations)
    rows = queryset.annotate(**annotations).values_list(*columns)
    partnership_url, html_url = builder.partnership_url, builder.html_url
    locality_url, organization_url = builder.locality_url, builder.organization_url
    licences = _licence_dicts(sources)
    date = lean._date
    loads = orjson.loads
    for t in _read(rows):
        pk = t[0]
        organizations = (
            [
                {"id": o_pk, "name": name, "abbreviation": abbreviation, "url": organization_url(o_pk)}
                for o_pk, name, abbreviation in loads(t[22])
            ]
            if t[22] is not None
            else []
        )
        focus_areas = (
            [{"slug": slug, "name": name} for slug, name in loads(t[23])] if t[23] is not None else []
        )
        lat_a, lon_a, lat_b, lon_b = t[18], t[19], t[20], t[21]
        yield {
            "type": "Feature",
            "id": pk,
            "geometry": None
            if lat_a is None or lon_a is None or lat_b is None or lon_b is None
            else {
                "type": "LineString",
                "coordinates": [[float(lon_a), float(lat_a)], [float(lon_b), float(lat_b)]],
            },
            "properties": {
                "id": pk,
                "url": partnership_url(pk),
                "html_url": html_url(pk),
                "kind": t[1],
                "localities": [
                    {"id": t[10], "name": t[11], "country": t[12], "kind": t[13], "url": locality_url(t[10])},
                    {"id": t[14], "name": t[15], "country": t[16], "kind": t[17], "url": locality_url(t[14])},
                ],
                "established": date(t[2], t[3]),
                "status": t[4] or None,
                "status_since": date(t[5], t[6]),
                "status_reported": date(t[7], t[8]),
                "organizations": organizations,
                "focus_areas": focus_areas,
                "updated_at": t[9] if updated is None or t[9] is None else updated(t[9]),
                "license": licences(t[24]),
            },
        }


def _licence_dicts(sources: dict[int, License]) -> Callable[[Sequence[int]], list[dict[str, Any]]]:
    """``source ids → the row's license list`` (the detail's ``license`` field), memoised."""
    cache: dict[tuple[int, ...], list[dict[str, Any]]] = {}

    def dicts(ids: Sequence[int]) -> list[dict[str, Any]]:
        key = tuple(ids)
        found = cache.get(key)
        if found is None:
            found = cache[key] = [licence.as_dict() for licence in _licences(key, sources)]
        return found

    return dicts


def _licences(ids: Sequence[int], sources: dict[int, License]) -> list[License]:
    """The registry's licence, then each data set's of ``ids`` (in order), once each."""
    licences = [REGISTRY_LICENSE]
    for source_id in ids:
        licence = sources[source_id]
        if licence not in licences:
            licences.append(licence)
    return licences


def _cells(
    tuples: Iterator[Sequence[Any]],
    builder: RowBuilder,
    sources: dict[int, License],
    updated: Callable[[datetime.datetime], str] | None,
) -> Iterator[list[Any]]:
    partnership_url, html_url, locality_url = builder.partnership_url, builder.html_url, builder.locality_url
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
            "" if t[9] is None else t[9] if updated is None else updated(t[9]),
            *licence_cells(t[20]),
        ]
