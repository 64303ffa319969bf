"""CSV and GeoJSON: the same records as the JSON lists, every matching row, streamed.

Exports are produced row by row from ``QuerySet.iterator(chunk_size=…)`` so memory stays
constant however large the registry grows; the renderers below only name the formats for
content negotiation and the schema, and render small in-memory lists the same way.

Every CSV cell is spreadsheet-safe (``exporting.spreadsheet_cell``: a text that a
spreadsheet would run as a formula gets a leading ``'``; numbers stay numbers); JSON and
GeoJSON keep the raw values."""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from ..exporting import spreadsheet_cell


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON, byte for byte, encoded by orjson (the partnership list's lean path)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        from .serializers.lean import dumps

        return dumps(data)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data if isinstance(data, list) else [data]
        return "".join(csv_lines([flatten(row) for row in rows])).encode()


class GeoJSONRenderer(BaseRenderer):
    media_type = "application/geo+json"
    format = "geojson"
    charset = None  # JSON is UTF-8 by definition

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data, cls=JSONEncoder, ensure_ascii=False).encode()


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows, columns=None):
    """Yield CSV text line by line: a header of the columns, then one line per row."""
    writer = csv.writer(_Echo())
    header_written = False
    for row in rows:
        if not header_written:
            columns = columns or list(row)
            yield writer.writerow(columns)
            header_written = True
        yield writer.writerow([_cell(row.get(column)) for column in columns])
    if not header_written and columns:
        yield writer.writerow(columns)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_cell(value)


def flatten(data, prefix="", indexed=()):
    """A serializer's nested output as one flat row: ``established.date``; lists named in
    ``indexed`` by position (``localities.0.name``); any other list of named things as
    their names joined by "; ", and other lists of objects as JSON text."""
    row = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, f"{name}."))
        elif isinstance(value, list) and key in indexed:
            for index, item in enumerate(value):
                row.update(flatten(item, f"{name}.{index}."))
        elif isinstance(value, list):
            if value and all(isinstance(item, dict) for item in value):
                label = next((k for k in ("name", "title") if k in value[0]), None)
                if label is None:
                    row[name] = json.dumps(value, cls=JSONEncoder, ensure_ascii=False)
                else:
                    row[name] = "; ".join(str(item.get(label) or "") for item in value)
            else:
                row[name] = "; ".join(str(item) for item in value)
        else:
            row[name] = value
    return row


def csv_chunks(rows: Iterable[Sequence[Any]], columns: Sequence[str], chunk: int = 500) -> Iterator[bytes]:
    """The CSV's bytes, a header then ``chunk`` rows of cells at a time: the same bytes as
    ``csv_lines`` writes line by line, in far fewer and larger pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    iterator = iter(rows)
    while True:
        writer.writerows(islice(iterator, chunk))
        text = buffer.getvalue()
        if not text:
            return
        yield text.encode()
        buffer.seek(0)
        buffer.truncate()


def geojson_chunks(features):
    """Yield a FeatureCollection's text piece by piece."""
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for feature in features:
        yield ("" if first else ",") + "\n" + json.dumps(feature, cls=JSONEncoder, ensure_ascii=False)
        first = False
    yield "\n]}\n"
