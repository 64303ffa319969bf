"""The lean path of the partnership list and its exports: the rows of
``PartnershipSerializer`` built from plain ``values_list`` tuples, with no serializer or
related manager per row, and encoded by orjson.

The output is the serializer's, field for field and in its order (tests/test_lean_rows.py
compares them on the seed and on generated data); the serializer stays the contract's
description (OpenAPI schema, detail responses, writes). Three queries per page whatever
its size: the count, the page's rows (with both parties and the time the registry last
changed), and their organizations, focus areas and licences together (``extras``)."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import orjson
from django.db import connection, connections, router
from django.db.models import BigIntegerField, BooleanField, DateField, Model, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.urls import get_script_prefix, get_urlconf, reverse
from rest_framework import ISO_8601, serializers
from rest_framework.request import Request
from rest_framework.settings import api_settings

from ...dates import DatePrecision
from ...exporting import FORMULA_TRIGGERS, spreadsheet_cell
from ...licensing import DATASET_LICENSES, REGISTRY_LICENSE, License
from ...models import Partnership

#: the columns of one row, in this order (``_row`` reads them by position)
COLUMNS = (
    "id",
    "level",
    "established_on",
    "established_precision",
    "status",
    "status_since",
    "status_since_precision",
    "status_reported",
    "status_reported_precision",
    "updated_at",
    "locality_a_id",
    "locality_a__name",
    "locality_a__country",
    "locality_a__kind",
    "locality_b_id",
    "locality_b__name",
    "locality_b__country",
    "locality_b__kind",
)
#: the parties' coordinates, for GeoJSON
GEO_COLUMNS = (
    "locality_a__latitude",
    "locality_a__longitude",
    "locality_b__latitude",
    "locality_b__longitude",
)

_PK = 987654321987  # a stand-in id: an URL is reversed once per request, then filled in
_datetime = serializers.DateTimeField()


@functools.lru_cache(maxsize=64)
def _stand_in_path(view_name: str, script_prefix: str, urlconf: Any) -> str:
    """``view_name``'s path for the stand-in id, reversed once per script prefix and URLconf
    (what ``reverse`` depends on besides its arguments)."""
    return reverse(view_name, kwargs={"pk": _PK})


def url_maker(request: Request | None, view_name: str) -> Callable[[Any], str]:
    """``pk → absolute URL`` of ``view_name``, as ``ApiUrlField`` builds it."""
    path = _stand_in_path(view_name, get_script_prefix(), get_urlconf())
    url = request.build_absolute_uri(path) if request is not None else path
    prefix, suffix = url.split(str(_PK))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _date(date: datetime.date | None, precision: str | None) -> dict[str, Any]:
    if date is None:
        return {"date": None, "precision": None}
    return {"date": date.isoformat(), "precision": precision or DatePrecision.DAY}


#: the CSV's columns, in the order ``RowBuilder.csv_rows`` writes them (the export checks
#: that they are the serializer's, as ``exports.csv_columns`` derives them)
CSV_COLUMNS = (
    "id",
    "url",
    "html_url",
    "kind",
    *(f"localities.{i}.{part}" for i in (0, 1) for part in ("id", "name", "country", "kind", "url")),
    *(f"{name}.{part}" for name in ("established",) for part in ("date", "precision")),
    "status",
    *(f"{name}.{part}" for name in ("status_since", "status_reported") for part in ("date", "precision")),
    "organizations",
    "focus_areas",
    "updated_at",
    "license",
    "attribution",
)


def _text(value: str | None) -> str:
    """A free-text CSV cell, as ``renderers._cell`` writes it."""
    if not value:
        return "" if value is None else value
    return spreadsheet_cell(value) if value.startswith(FORMULA_TRIGGERS) else value


def _csv_date(date: datetime.date | None, precision: str | None) -> tuple[str, str]:
    if date is None:
        return "", ""
    return date.isoformat(), precision or DatePrecision.DAY


def _names(items: list[dict[str, Any]] | None) -> str:
    """A list of named things in one cell, as ``renderers.flatten`` joins them."""
    if not items:
        return ""
    return _text("; ".join(str(item["name"] or "") for item in items))


def _of_ids(queryset: QuerySet[Any], column: str, ids: list[int]) -> QuerySet[Any]:
    """``queryset`` narrowed to ``column IN ids``: on PostgreSQL as ``= ANY(%s)`` with the
    ids as one array parameter (an export chunk's 2,000 ids as 2,000 parameters cost more
    Python than the query), elsewhere as ``__in``. ``column`` is of the base table."""
    if connection.vendor == "postgresql":
        table = queryset.model._meta.db_table
        return queryset.filter(RawSQL(f'"{table}"."{column}" = ANY(%s)', (ids,), output_field=BooleanField()))
    return queryset.filter(**{f"{column}__in": ids})


def _datetime_zone() -> datetime.tzinfo | None:
    """The zone DRF's DateTimeField writes times in for this request, if it writes ISO 8601."""
    field = _datetime
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if not isinstance(zone, datetime.tzinfo) or not isinstance(output, str) or output.lower() != ISO_8601:
        return None
    return zone


def datetime_text() -> Callable[[Any], Any]:
    """``serializers.DateTimeField().to_representation`` for the current time zone, looked
    up once instead of per value (DRF asks the time zone of every value anew): an aware
    value in that zone, in ISO 8601, ``Z`` for UTC. Anything else goes to DRF's own."""
    slow: Callable[[Any], Any] = _datetime.to_representation
    zone = _datetime_zone()
    if zone is None:
        return slow

    def text(value: Any) -> Any:
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            return slow(value)
        try:
            iso = value.astimezone(zone).isoformat()
        except OverflowError:
            return slow(value)  # DRF's own error
        return iso[:-6] + "Z" if iso.endswith("+00:00") else iso

    return text


class RowBuilder:
    """Turns ``COLUMNS`` tuples into the serializer's rows, for one request."""

    def __init__(self, request: Request | None) -> None:
        self.partnership_url = url_maker(request, "api:partnership-detail")
        self.html_url = url_maker(request, "partnerships:partnership-detail")
        self.locality_url = url_maker(request, "api:locality-detail")
        self.organization_url = url_maker(request, "api:organization-detail")
        self.datetime_text = datetime_text()

    def rows(self, tuples: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
        """The rows of ``tuples`` (one page or one export chunk): one query, for the
        organizations, the focus areas and the licences of all of them (``extras``)."""
        ids = [t[0] for t in tuples]
        organizations, focus_areas, licences = self.extras(ids)
        return [
            self._row(t, organizations.get(t[0], []), focus_areas.get(t[0], []), licences[t[0]])
            for t in tuples
        ]

    def extras(
        self, ids: list[int]
    ) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]], dict[int, list[License]]]:
        """The organizations and focus areas (as the serializer's rows have them, in their
        order) and the licences (``licences_of``) of the partnerships ``ids``, in one query
        (``EXTRAS_SQL``: a UNION ALL of four index lookups)."""
        organizations: dict[int, list[dict[str, Any]]] = {}
        focus_areas: dict[int, list[dict[str, Any]]] = {}
        cited: list[tuple[Any, ...]] = []
        for kind, pk, item_id, name, text, on, event in _extras(ids):
            if kind == 0:
                organizations.setdefault(pk, []).append(
                    {"id": item_id, "name": name, "abbreviation": text, "url": self.organization_url(item_id)}
                )
            elif kind == 1:
                focus_areas.setdefault(pk, []).append({"slug": text, "name": name})
            else:
                cited.append((pk, name, on, event, item_id))
        return organizations, focus_areas, _licences(ids, cited)

    def _row(
        self, t: Sequence[Any], organizations: list[Any], focus_areas: list[Any], licences: list[License]
    ) -> dict[str, Any]:
        locality_url = self.locality_url
        return {
            "id": t[0],
            "url": self.partnership_url(t[0]),
            "html_url": self.html_url(t[0]),
            "kind": t[1],
            "localities": [
                {"id": t[10], "name": t[11], "country": t[12], "kind": t[13], "url": locality_url(t[10])},
                {"id": t[14], "name": t[15], "country": t[16], "kind": t[17], "url": locality_url(t[14])},
            ],
            "established": _date(t[2], t[3]),
            "status": t[4] or None,
            "status_since": _date(t[5], t[6]),
            "status_reported": _date(t[7], t[8]),
            "organizations": organizations,
            "focus_areas": focus_areas,
            "updated_at": self.datetime_text(t[9]),
            "license": [licence.as_dict() for licence in licences],
        }

    def csv_rows(self, tuples: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """The CSV cells (``CSV_COLUMNS``) of ``tuples``, straight from them: what
        ``renderers.flatten`` and ``_cell`` make of ``rows(tuples)`` with its licences,
        without the nested row in between (tests/test_lean_rows.py compares the bytes). Three
        queries: organizations, focus areas, licences. Free text is spreadsheet-neutralised;
        the other cells (ids, URLs, ISO dates and codes, the choices' values) cannot start
        with a formula's character."""
        ids = [t[0] for t in tuples]
        organizations = self._organizations(ids)
        focus_areas = self._focus_areas(ids)
        licences = licences_of(ids)
        partnership_url, html_url, locality_url = self.partnership_url, self.html_url, self.locality_url
        updated = self.datetime_text
        out = []
        for t in tuples:
            pk = t[0]
            names = [licence.name for licence in licences[pk]]
            attributions = [licence.attribution for licence in licences[pk]]
            out.append(
                [
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
                    *_csv_date(t[2], t[3]),
                    t[4] or "",
                    *_csv_date(t[5], t[6]),
                    *_csv_date(t[7], t[8]),
                    _names(organizations.get(pk)),
                    _names(focus_areas.get(pk)),
                    updated(t[9]) if t[9] is not None else "",
                    _text("; ".join(names)),
                    _text("; ".join(attributions)),
                ]
            )
        return out

    def _organizations(self, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = {}
        for partnership_id, pk, name, abbreviation in of_ids(_organizations_of, ids):
            found.setdefault(partnership_id, []).append(
                {"id": pk, "name": name, "abbreviation": abbreviation, "url": self.organization_url(pk)}
            )
        return found

    def _focus_areas(self, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = {}
        for partnership_id, slug, name in of_ids(_focus_areas_of, ids):
            found.setdefault(partnership_id, []).append({"slug": slug, "name": name})
        return found


def _organizations_of(ids: list[int]) -> QuerySet[Any]:
    through = Partnership.organizations.through
    return (
        _of_ids(through.objects.all(), "partnership_id", ids)
        .order_by("organization__name", "organization_id")
        .values_list("partnership_id", "organization_id", "organization__name", "organization__abbreviation")
    )


def _focus_areas_of(ids: list[int]) -> QuerySet[Any]:
    through = Partnership.focus_areas.through
    return (
        _of_ids(through.objects.all(), "partnership_id", ids)
        .order_by("focusarea__name", "focusarea_id")
        .values_list("partnership_id", "focusarea__slug", "focusarea__name")
    )


#: a stand-in for the ids, to compile a query once (no real id list is this object)
_IDS_PLACEHOLDER: list[int] = [0]


def of_ids(build: Callable[[list[int]], QuerySet[Any]], ids: list[int]) -> Iterable[Sequence[Any]]:
    """The rows of ``build(ids)``, a ``values_list`` of plain columns whose only parameter is
    ``ids``. On PostgreSQL the ids are one array parameter (``_of_ids``), so the SQL does not
    depend on them: it is compiled by the ORM once per ``build`` and run again with each
    chunk's ids (the ORM's building and compiling cost more than the query itself). Read on
    the database the router picks for the model, as the queryset would be. Elsewhere the
    queryset itself."""
    if connection.vendor != "postgresql":
        return build(ids)
    sql, model = _compiled_sql(build)
    alias = router.db_for_read(model)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, (ids,))
        return cursor.fetchall()


@functools.cache
def _compiled_sql(build: Callable[[list[int]], QuerySet[Any]]) -> tuple[str, type[Model]]:
    """``build``'s SQL (for PostgreSQL: every database of the registry is one) and model."""
    queryset = build(_IDS_PLACEHOLDER)
    sql, params = queryset.query.sql_with_params()
    if len(params) != 1 or params[0] is not _IDS_PLACEHOLDER:
        raise AssertionError(f"{build.__name__}: the ids must be the query's only parameter, not {params!r}")
    return sql, queryset.model


def page_rows(queryset: QuerySet[Partnership]) -> QuerySet[Any]:
    """The list's rows as ``COLUMNS`` tuples, with ``registry_changed`` last (the queryset
    annotates it: one value for all rows, computed once by the database)."""
    return queryset.values_list(*COLUMNS, "registry_changed")


class CutFirst:
    """A list's ``page_rows`` for the paginator, each page cut before the parties are
    joined: the page's ids from ``queryset`` (its filters and its order, on the
    partnership's own columns; no locality joined), then the rows of those ids only,
    from ``rows`` (the same annotations, no filter) in the same order. The same rows as
    ``page_rows(queryset)[page]``; for ``?q=``, whose matches (thousands at 10× data) the
    single query joined with both localities before its top-N sort."""

    def __init__(self, queryset: QuerySet[Partnership], rows: QuerySet[Partnership]) -> None:
        self.queryset = queryset
        self.rows = rows

    def __getitem__(self, page: slice) -> list[Any]:
        ids = self.queryset.values("pk")[page]
        order = self.queryset.query.order_by
        return list(page_rows(self.rows.filter(pk__in=Subquery(ids)).order_by(*order)))

    def count(self) -> int:
        return self.queryset.count()


def export_rows(
    queryset: QuerySet[Partnership], builder: RowBuilder, *, geometry: bool = False, chunk: int = 2000
) -> Iterator[tuple[dict[str, Any], Sequence[Any]]]:
    """Every row of ``queryset``, streamed: (row with its ``license``, its tuple; with
    ``geometry`` the parties' coordinates at the end), read from a server-side cursor
    ``chunk`` rows at a time, with one more query per chunk (``RowBuilder.extras``: the
    organizations, focus areas and licences). Memory stays that of a chunk."""
    columns = (*COLUMNS, *GEO_COLUMNS) if geometry else COLUMNS
    tuples: Iterable[Sequence[Any]] = queryset.values_list(*columns).iterator(chunk_size=chunk)
    iterator = iter(tuples)
    while batch := list(islice(iterator, chunk)):
        yield from zip(builder.rows(batch), batch, strict=True)


def export_csv_rows(
    queryset: QuerySet[Partnership], builder: RowBuilder, *, chunk: int = 2000
) -> Iterator[list[list[Any]]]:
    """Every row of ``queryset`` as CSV cells (``CSV_COLUMNS``), a chunk at a time, read
    from a server-side cursor as ``export_rows`` reads them: three queries per chunk."""
    iterator = iter(queryset.values_list(*COLUMNS).iterator(chunk_size=chunk))
    while batch := list(islice(iterator, chunk)):
        yield builder.csv_rows(batch)


def line(t: Sequence[Any]) -> dict[str, Any] | None:
    """The GeoJSON line between the parties of an ``export_rows(geometry=True)`` tuple."""
    lat_a, lon_a, lat_b, lon_b = t[-4:]
    if lat_a is None or lon_a is None or lat_b is None or lon_b is None:
        return None
    return {"type": "LineString", "coordinates": [[float(lon_a), float(lat_a)], [float(lon_b), float(lat_b)]]}


def dumps(data: Any) -> bytes:
    """JSON as DRF's JSONRenderer writes it (compact, UTF-8, U+2028/U+2029 escaped)."""
    return (
        orjson.dumps(data, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)
        .replace("\u2028".encode(), b"\\u2028")
        .replace("\u2029".encode(), b"\\u2029")
    )


def _default(value: Any) -> Any:
    from rest_framework.utils.encoders import JSONEncoder

    return JSONEncoder().default(value)


def licences_of(ids: list[int]) -> dict[int, list[License]]:
    """Each partnership's licences (``licensing.partnership_licenses``: the registry's, then
    each data set its own or its events' citations name), for a chunk of ids: one query."""
    from ...models import Citation

    # Its own citations and its events' as a UNION of two lookups, each served by an index
    # (an OR across the event's join read every citation), in one query.
    urls = list(DATASET_LICENSES)
    own = (
        _of_ids(Citation.objects.filter(source__url__in=urls), "partnership_id", ids)
        .order_by()
        .annotate(on=Value(None, output_field=DateField()), event=Value(None, output_field=BigIntegerField()))
        .values_list("partnership_id", "source__url", "on", "event", "id")
    )
    via_events = (
        Citation.objects.filter(status_event__partnership_id__in=ids, source__url__in=urls)
        .order_by()
        .values_list(
            "status_event__partnership_id",
            "source__url",
            "status_event__effective_on",
            "status_event_id",
            "id",
        )
    )
    return _licences(ids, own.union(via_events, all=True))


def _licences(ids: list[int], cited: Iterable[Sequence[Any]]) -> dict[int, list[License]]:
    """Each partnership's licences from its cited data sets' rows (partnership id, source
    URL, event date or None for its own citation, event id or None, citation id)."""
    found: dict[int, list[License]] = {pk: [REGISTRY_LICENSE] for pk in ids}
    # Its own citations first, then its events', as partnership_licenses reads them.
    rows = sorted(cited, key=lambda r: (r[2] is not None, r[2] or datetime.date.min, r[3] or 0, r[4]))
    for pk, url, *_order in rows:
        licence = DATASET_LICENSES[url]
        if licence not in found[pk]:
            found[pk].append(licence)
    return found


def _in_ids(column: str, ids: list[int]) -> tuple[str, list[Any]]:
    """``column`` among ``ids``: one array parameter on PostgreSQL, a list elsewhere."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _extras(ids: list[int]) -> list[tuple[Any, ...]]:
    """``RowBuilder.extras``' rows: (kind, partnership id, id, name or URL, abbreviation or
    slug, event date, event id); kind 0 an organization, 1 a focus area (both in the
    serializer's order: by name, then id), 2 a citation of a data set. Read on the
    database the router picks for partnerships, as the page was."""
    if not ids:
        return []
    from ...models import Citation, FocusArea, Organization, Source, StatusEvent

    tables = {
        "partnership_orgs": Partnership.organizations.through._meta.db_table,
        "partnership_focus": Partnership.focus_areas.through._meta.db_table,
        "org": Organization._meta.db_table,
        "focus": FocusArea._meta.db_table,
        "citation": Citation._meta.db_table,
        "source": Source._meta.db_table,
        "event": StatusEvent._meta.db_table,
    }
    urls = list(DATASET_LICENSES)
    url_in = f"s.url IN ({', '.join(['%s'] * len(urls))})"
    parts, params = [], []
    for template in _EXTRAS_PARTS:
        column = template.split("{in:", 1)[1].split("}", 1)[0]
        condition, values = _in_ids(column, ids)
        parts.append(template.replace(f"{{in:{column}}}", condition).format(url_in=url_in, **tables))
        params += values
        if "{url_in}" in template:
            params += urls
    sql = " UNION ALL ".join(parts) + " ORDER BY 1, 4, 3"
    alias = router.db_for_read(Partnership)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The typed NULLs of the first part name the columns' types for PostgreSQL's UNION.
_EXTRAS_PARTS = (
    "SELECT 0, po.partnership_id, o.id, o.name, o.abbreviation, CAST(NULL AS date), CAST(NULL AS bigint)"
    " FROM {partnership_orgs} po JOIN {org} o ON o.id = po.organization_id WHERE {in:po.partnership_id}",
    "SELECT 1, pf.partnership_id, f.id, f.name, f.slug, NULL, NULL"
    " FROM {partnership_focus} pf JOIN {focus} f ON f.id = pf.focusarea_id WHERE {in:pf.partnership_id}",
    "SELECT 2, c.partnership_id, c.id, s.url, NULL, NULL, NULL"
    " FROM {citation} c JOIN {source} s ON s.id = c.source_id WHERE {in:c.partnership_id} AND {url_in}",
    "SELECT 2, e.partnership_id, c.id, s.url, NULL, e.effective_on, e.id"
    " FROM {citation} c JOIN {event} e ON e.id = c.status_event_id JOIN {source} s ON s.id = c.source_id"
    " WHERE {in:e.partnership_id} AND c.status_event_id IS NOT NULL AND {url_in}",
)


def geojson_bytes(features: Iterable[dict[str, Any]], *, batch: int = 500) -> Iterator[bytes]:
    """A FeatureCollection, streamed a few hundred features per chunk."""
    yield b'{"type": "FeatureCollection", "features": ['
    separator = b"\n"
    pending: list[bytes] = []
    for feature in features:
        pending.append(separator + dumps(feature))
        separator = b",\n"
        if len(pending) >= batch:
            yield b"".join(pending)
            pending = []
    yield b"".join(pending) + b"\n]}\n"
