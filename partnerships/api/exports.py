"""Whole-list exports: ``?format=csv`` and ``?format=geojson`` stream every matching row
(not one page), with cache validators of their own.

A CSV's columns are derived from the export serializer's fields, so a field added to the
JSON is in the CSV too: nested objects and partial dates become ``name.part`` columns,
lists named in ``csv_indexed`` one group of columns per position, other lists one column.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpResponseBase, StreamingHttpResponse
from rest_framework import generics, serializers

from .. import selectors
from ..models import Locality, Partnership
from . import feed
from . import serializers as s
from .conditional import set_cache_headers, weak_etag
from .renderers import csv_lines, flatten, geojson_chunks

EXPORT_CHUNK = 500

Geometry = dict[str, Any] | None


def csv_columns(
    serializer: serializers.Serializer[Any],
    *,
    indexed: Mapping[str, tuple[int, type[serializers.Serializer[Any]]]] = {},
    only: Mapping[str, Sequence[str]] = {},
) -> list[str]:
    """The CSV header of ``serializer``'s rows as ``renderers.flatten`` flattens them.
    ``indexed``: the lists written by position, with their length and item serializer;
    ``only``: the parts of a nested object that the CSV keeps (all, by default)."""
    columns: list[str] = []
    for name, field in serializer.fields.items():
        if name in indexed:
            length, item = indexed[name]
            columns += [f"{name}.{index}.{part}" for index in range(length) for part in item().fields]
        elif isinstance(field, s.PartialDateOutField):
            columns += [f"{name}.{part}" for part in s.PartialDateSerializer().fields]
        elif isinstance(field, serializers.Serializer):
            columns += [f"{name}.{part}" for part in only.get(name, list(field.fields))]
        else:
            columns.append(name)
    return columns


def partnership_line(partnership: Partnership) -> Geometry:
    """A line from one party to the other; None unless both have coordinates."""
    a, b = partnership.locality_a, partnership.locality_b
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return {
        "type": "LineString",
        "coordinates": [[float(a.longitude), float(a.latitude)], [float(b.longitude), float(b.latitude)]],
    }


def locality_point(locality: Locality) -> Geometry:
    """The locality's point; None without coordinates."""
    if locality.latitude is None or locality.longitude is None:
        return None
    return {"type": "Point", "coordinates": [float(locality.longitude), float(locality.latitude)]}


class ExportMixin(generics.GenericAPIView):
    """``export()`` streams a list view's queryset as CSV or GeoJSON."""

    export_name = "export"
    #: lists written by position: {field: (length, item serializer)}
    csv_indexed: Mapping[str, tuple[int, type[serializers.Serializer[Any]]]] = {}
    #: nested objects the CSV keeps only some parts of: {field: parts}
    csv_only: Mapping[str, Sequence[str]] = {}

    def export_serializer(self, instance: Model | None = None) -> serializers.Serializer[Any]:
        """The serializer of the JSON list's rows (also when the view writes with another)."""
        assert self.serializer_class is not None, f"{type(self).__name__} names no serializer_class"
        serializer = self.serializer_class(instance, context=self.get_serializer_context())
        assert isinstance(serializer, serializers.Serializer)
        return serializer

    def csv_columns(self) -> list[str]:
        return csv_columns(self.export_serializer(), indexed=self.csv_indexed, only=self.csv_only)

    def geometry(self, obj: Any) -> Geometry:
        """A row's GeoJSON geometry; views that offer GeoJSON say what it is."""
        raise NotImplementedError

    def export(self, queryset: QuerySet[Any], fmt: str) -> HttpResponseBase:
        request = self.request
        changed = selectors.registry_changed_at()
        media_type = request.accepted_renderer.media_type
        probe = StreamingHttpResponse(content_type=media_type)
        answer = set_cache_headers(
            request,
            probe,
            etag=weak_etag(changed.isoformat(), request.get_full_path(), media_type),
            last_modified=changed,
        )
        if answer.status_code == 304:
            return answer
        # The change feed's position, taken before the rows are read: the export holds every
        # change up to it (perhaps a few after); a mirror follows the feed from there.
        probe["X-Feed-Cursor"] = feed.encode_cursor(feed.latest_position())
        if fmt == "csv":
            probe["Content-Type"] = "text/csv; charset=utf-8"
            probe["Content-Disposition"] = f'attachment; filename="{self.export_name}.csv"'
        else:
            probe["Content-Disposition"] = f'attachment; filename="{self.export_name}.geojson"'
        probe.streaming_content = self.export_content(queryset, fmt)
        return probe

    def export_content(self, queryset: QuerySet[Any], fmt: str) -> Iterator[bytes]:
        """The export's bytes, row by row (views with a lean path override this)."""
        objects = queryset.iterator(chunk_size=EXPORT_CHUNK)
        content: Iterator[str]
        if fmt == "csv":
            indexed = tuple(self.csv_indexed)
            rows = (flatten(self.export_serializer(obj).data, indexed=indexed) for obj in objects)
            content = csv_lines(rows, self.csv_columns())
        else:
            content = geojson_chunks(self.feature(obj) for obj in objects)
        return (chunk.encode() for chunk in content)

    def feature(self, obj: Any) -> dict[str, Any]:
        return {
            "type": "Feature",
            "id": obj.pk,
            "geometry": self.geometry(obj),
            "properties": self.export_serializer(obj).data,
        }
