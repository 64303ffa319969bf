"""When the registry last changed: the time behind the lists' ETag/Last-Modified."""

import datetime
import functools
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    DateTimeField,
    Model,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest
from django.db.models.sql import Query

from .. import models
from ..models import (
    Partnership,
)

#: Everything the public surfaces show. CorrectionRequest is private and left out.
PUBLIC_MODELS: tuple[type[Model], ...] = (
    models.Partnership,
    models.Locality,
    models.LocalityAlias,
    models.Organization,
    models.OrganizationRelationship,
    models.Source,
    models.FocusArea,
    models.StatusEvent,
    models.Activity,
    models.ReportedFigure,
    models.Citation,
)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def registry_changed_expression() -> RawSQL:
    """An SQL expression: the time of the newest edit-history row of any public table, to
    annotate rows with so that a response learns it with no query of its own. Each part is
    one index lookup (history_date is indexed). Its SQL is compiled once per database
    vendor (``_registry_changed_sql``): the eleven subqueries cost the ORM about a
    millisecond to resolve and compile, on every list request."""
    sql, params = _registry_changed_sql(connection.vendor)
    return RawSQL(sql, params, output_field=DateTimeField())


@functools.cache
def _registry_changed_sql(vendor: str) -> tuple[str, tuple[Any, ...]]:
    """``registry_changed_greatest()`` compiled for ``vendor`` (the default connection's):
    self-contained scalar subqueries, so the SQL fits any outer query."""
    if vendor != connection.vendor:
        raise ValueError(f"Can compile for the default connection's {connection.vendor} only, not {vendor}.")
    query = Query(ContentType)
    compiler = query.get_compiler(connection=connection)
    expression = registry_changed_greatest().resolve_expression(query)
    sql, params = compiler.compile(expression)
    return f"({sql})", tuple(params)


@functools.cache
def registry_changed_greatest() -> Greatest:
    """The ORM expression that ``registry_changed_expression`` compiles."""
    newest = [
        Coalesce(
            Subquery(history._default_manager.order_by("-history_date").values("history_date")[:1]),
            Value(EPOCH),
            output_field=DateTimeField(),
        )
        for history in _history_models()
    ]
    return Greatest(*newest, output_field=DateTimeField())


@functools.cache
def _history_models() -> tuple[type[Model], ...]:
    """The edit-history models of PUBLIC_MODELS, looked up once: ``Model.history`` builds a
    new manager class on every access (simple_history), a few milliseconds each time."""
    return tuple(
        model.history.model  # type: ignore[attr-defined]  # simple_history adds ``history`` at class creation
        for model in PUBLIC_MODELS
    )


def registry_changed_at() -> datetime.datetime:
    """When anything in the registry last changed, as one query of its own (for responses
    that have no row to carry it). A deletion moves it too."""
    found: datetime.datetime | None = (
        Partnership.objects.annotate(changed=registry_changed_expression())
        .order_by()
        .values_list("changed", flat=True)
        .first()
    )
    if found is None:
        # No partnership at all: ask through a table that always has a row to hang it on.
        found = (
            ContentType.objects.annotate(changed=registry_changed_expression())
            .order_by()
            .values_list("changed", flat=True)
            .first()
        )
    return found or EPOCH
