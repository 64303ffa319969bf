"""The change feed: every creation, update and deletion of the public records, in order,
read from the edit history (django-simple-history's historical tables).

One UNION ALL query over the history tables gives the next page, ordered by
(history_date, stream, history_id), where a *stream* is one history table in one role.
The cursor is that triple for the last entry served, encoded opaquely; each table's part
of the query starts just after it, so pages never repeat or skip an entry.

Public types: ``partnership``, ``locality``, ``organization``, ``source`` and
``reported_figure``. Parts of a record are reported as an update of the record they
belong to: a status event, activity or citation of a partnership as an update of the
partnership; an alias as an update of its locality; a citation also as an update of the
source it cites (each source lists what cites it) and of the reported figure or locality
it supports;
a relationship between organizations as an update of both; a change of a partnership also
as an update of both its localities (a locality lists its partnerships and their status).

Records that repeat another record's data — a party's name inside a partnership, a
partner's name in a locality's partnerships, an organization, focus area or source named
inside a partnership or reported figure — are announced again whenever that other record
changes (see ``Echo``). A deleted organization or focus area is not echoed (its links go
with it, unrecorded): a mirror drops references to a record when it gets its tombstone.

Records with no edit history at all (loaded raw, e.g. by ``loaddata``) are served as
created at their ``created_at``, so that a mirror built from the feed is complete.

Concurrency: history rows are timestamped when written, not when their transaction
commits, so a slow transaction can commit a row *older* than entries already served.
The feed therefore only serves entries older than a settle window
(``API_CHANGES_SETTLE_SECONDS``, default 10 s); a write transaction that takes longer
than that can still be missed by a client that polled in between. Mirrors that must be
exact re-read from a cursor a little behind their latest one now and then (entries are
idempotent: "fetch the record's url", "delete the record").
"""

import base64
import binascii
import builtins
import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from ..models import (
    Activity,
    Citation,
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

DETAIL_VIEWS = {
    "partnership": "api:partnership-detail",
    "locality": "api:locality-detail",
    "organization": "api:organization-detail",
    "source": "api:source-detail",
    "reported_figure": "api:reported-figure-detail",
}
PUBLIC_TYPES = tuple(DETAIL_VIEWS)

ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}


@dataclass(frozen=True)
class Stream:
    key: str  # orders entries written at the same instant; part of the cursor
    type: str
    history_model: builtins.type[Any]  # ``type`` here is the field above
    object_id: object = None  # expression for the public record's id; None: the row's own id
    condition: Q | None = None
    own_record: bool = True  # False: a part of the record, always an "update" of it


def _history(model):
    return model.history.model


STREAMS = (
    Stream("locality", "locality", _history(Locality)),
    Stream("locality.alias", "locality", _history(LocalityAlias), F("locality_id"), own_record=False),
    Stream(
        "locality.citation",
        "locality",
        _history(Citation),
        F("locality_id"),
        Q(locality_id__isnull=False),
        own_record=False,
    ),
    # A locality's detail lists its partnerships with their status: any change of a
    # partnership (a status event updates its stored status too) updates both parties.
    Stream("locality.partnership-a", "locality", _history(Partnership), F("locality_a_id"), own_record=False),
    Stream("locality.partnership-b", "locality", _history(Partnership), F("locality_b_id"), own_record=False),
    Stream("organization", "organization", _history(Organization)),
    Stream(
        "organization.relationship-from",
        "organization",
        _history(OrganizationRelationship),
        F("from_organization_id"),
        own_record=False,
    ),
    Stream(
        "organization.relationship-to",
        "organization",
        _history(OrganizationRelationship),
        F("to_organization_id"),
        own_record=False,
    ),
    Stream("partnership", "partnership", _history(Partnership)),
    Stream("partnership.activity", "partnership", _history(Activity), F("partnership_id"), own_record=False),
    Stream(
        "partnership.citation",
        "partnership",
        _history(Citation),
        # The claim's partnership while the claim still exists; deleting the claim is
        # reported by its own stream.
        Coalesce("partnership_id", "status_event__partnership_id", "activity__partnership_id"),
        Q(partnership_id__isnull=False)
        | Q(status_event__partnership_id__isnull=False)
        | Q(activity__partnership_id__isnull=False),
        own_record=False,
    ),
    Stream("partnership.event", "partnership", _history(StatusEvent), F("partnership_id"), own_record=False),
    Stream("reported_figure", "reported_figure", _history(ReportedFigure)),
    Stream(
        "reported_figure.citation",
        "reported_figure",
        _history(Citation),
        F("reported_figure_id"),
        Q(reported_figure_id__isnull=False),
        own_record=False,
    ),
    Stream("source", "source", _history(Source)),
    Stream("source.citation", "source", _history(Citation), F("source_id"), own_record=False),
)


@dataclass(frozen=True)
class Echo:
    """Records that repeat another record's data (a party's name inside a partnership, a
    source's title inside a citation) are announced again, as updated, whenever that other
    record changes: each row of ``model`` is dated by the latest history row of the record
    its ``reference`` field points to, so a later change moves it after the cursor again."""

    key: str
    type: str
    model: builtins.type[Any]  # ``type`` here is the field above
    reference: str  # the field of ``model`` naming the repeated record
    referenced: builtins.type[Any]  # that record's model
    object_id: object  # expression for the announced record's id, on ``model``
    condition: Q | None = None


ECHOES = (
    Echo("locality.echo-partner-a", "locality", Partnership, "locality_b", Locality, F("locality_a_id")),
    Echo("locality.echo-partner-b", "locality", Partnership, "locality_a", Locality, F("locality_b_id")),
    Echo(
        "locality.echo-source",
        "locality",
        Citation,
        "source",
        Source,
        F("locality_id"),
        Q(locality_id__isnull=False),
    ),
    Echo(
        "partnership.echo-declaring-organization",
        "partnership",
        StatusEvent,
        "declaring_organization",
        Organization,
        F("partnership_id"),
    ),
    Echo(
        "partnership.echo-focus-area",
        "partnership",
        Partnership.focus_areas.through,
        "focusarea",
        FocusArea,
        F("partnership_id"),
    ),
    Echo("partnership.echo-locality-a", "partnership", Partnership, "locality_a", Locality, F("pk")),
    Echo("partnership.echo-locality-b", "partnership", Partnership, "locality_b", Locality, F("pk")),
    Echo(
        "partnership.echo-organization",
        "partnership",
        Partnership.organizations.through,
        "organization",
        Organization,
        F("partnership_id"),
    ),
    Echo(
        "partnership.echo-source",
        "partnership",
        Citation,
        "source",
        Source,
        Coalesce("partnership_id", "status_event__partnership_id", "activity__partnership_id"),
        Q(partnership_id__isnull=False) | Q(status_event_id__isnull=False) | Q(activity_id__isnull=False),
    ),
    Echo(
        "reported_figure.echo-organization",
        "reported_figure",
        ReportedFigure,
        "organization",
        Organization,
        F("pk"),
    ),
    Echo(
        "reported_figure.echo-source",
        "reported_figure",
        Citation,
        "source",
        Source,
        F("reported_figure_id"),
        Q(reported_figure_id__isnull=False),
    ),
)

BASELINE_MODELS = {
    "partnership": Partnership,
    "locality": Locality,
    "organization": Organization,
    "source": Source,
    "reported_figure": ReportedFigure,
}

BEGINNING = (datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC), "", 0)

COLUMNS = ("k_date", "k_stream", "k_hid", "k_type", "k_id", "k_action")


# ------------------------------------------------------------------------- cursor


def encode_cursor(position) -> str:
    moment, stream, history_id = position
    raw = json.dumps([moment.isoformat(), stream, history_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str | None):
    if not text:
        return BEGINNING
    invalid = ValidationError(
        {"since": ["Not a cursor this API gave out: pass the `cursor` of a changes page."]}
    )
    if len(text) > 500 or not text.isascii():
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        moment, stream, history_id = json.loads(raw)
        moment = datetime.datetime.fromisoformat(moment)
        if moment.tzinfo is None or not isinstance(stream, str) or not isinstance(history_id, int):
            raise ValueError
        if "\x00" in stream or not 0 <= history_id <= 2**63 - 1:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid from None
    return moment, stream, history_id


# -------------------------------------------------------------------------- query


def _after(position, stream_key: str, date_field: str, id_field: str) -> Q:
    """Rows of one stream that come after the cursor position."""
    moment, cursor_stream, history_id = position
    if stream_key > cursor_stream:
        return Q(**{f"{date_field}__gte": moment})
    if stream_key < cursor_stream:
        return Q(**{f"{date_field}__gt": moment})
    return Q(**{f"{date_field}__gt": moment}) | Q(**{date_field: moment, f"{id_field}__gt": history_id})


def _first(queryset, position, key, date_field, id_field, settled_before, limit):
    """The ids of a stream's first ``limit`` rows after the cursor: each part of the union
    reads at most a page of rows through the history_date index, however long the history."""
    return (
        queryset.filter(_after(position, key, date_field, id_field))
        .filter(**{f"{date_field}__lte": settled_before})
        .order_by(date_field, id_field)
        .values(id_field)[:limit]
    )


def _stream_queryset(stream: Stream, position, settled_before, limit):
    rows = stream.history_model.objects.order_by()
    if stream.condition is not None:
        rows = rows.filter(stream.condition)
    first = _first(rows, position, stream.key, "history_date", "history_id", settled_before, limit)
    action = (
        Case(
            *[When(history_type=code, then=Value(name)) for code, name in ACTIONS.items()],
            output_field=CharField(),
        )
        if stream.own_record
        else Value("updated", output_field=CharField())
    )
    return (
        stream.history_model.objects.order_by()
        .filter(history_id__in=first)
        .annotate(
            k_date=F("history_date"),
            k_stream=Value(stream.key, output_field=CharField()),
            k_hid=F("history_id"),
            k_type=Value(stream.type, output_field=CharField()),
            k_id=stream.object_id if stream.object_id is not None else F("id"),
            k_action=action,
        )
        .values(*COLUMNS)
    )


def _baseline_queryset(type_name: str, model, position, settled_before, limit):
    key = f"{type_name}.baseline"
    history = model.history.model.objects.filter(id=OuterRef("pk"))
    unrecorded = model.objects.order_by().filter(~Exists(history))
    first = _first(unrecorded, position, key, "created_at", "pk", settled_before, limit)
    return (
        model.objects.order_by()
        .filter(pk__in=first)
        .annotate(
            k_date=F("created_at"),
            k_stream=Value(key, output_field=CharField()),
            k_hid=F("pk"),
            k_type=Value(type_name, output_field=CharField()),
            k_id=F("pk"),
            k_action=Value("created", output_field=CharField()),
        )
        .values(*COLUMNS)
    )


def _echo_queryset(echo: Echo, position, settled_before, limit):
    latest = (
        echo.referenced.history.model.objects.filter(id=OuterRef(echo.reference))
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    rows = echo.model.objects.order_by().annotate(k_date=Subquery(latest)).filter(k_date__isnull=False)
    if echo.condition is not None:
        rows = rows.filter(echo.condition)
    first = _first(rows, position, echo.key, "k_date", "pk", settled_before, limit)
    return (
        echo.model.objects.order_by()
        .filter(pk__in=first)
        .annotate(
            k_date=Subquery(latest),
            k_stream=Value(echo.key, output_field=CharField()),
            k_hid=F("pk"),
            k_type=Value(echo.type, output_field=CharField()),
            k_id=echo.object_id,
            k_action=Value("updated", output_field=CharField()),
        )
        .values(*COLUMNS)
    )


def settle_seconds() -> float:
    return float(getattr(settings, "API_CHANGES_SETTLE_SECONDS", 10))


def changes_after(position, limit: int):
    """Up to ``limit`` entries after the position, oldest first, in one query."""
    settled_before = timezone.now() - datetime.timedelta(seconds=settle_seconds())
    parts = [_stream_queryset(stream, position, settled_before, limit) for stream in STREAMS]
    parts += [
        _baseline_queryset(name, model, position, settled_before, limit)
        for name, model in BASELINE_MODELS.items()
    ]
    parts += [_echo_queryset(echo, position, settled_before, limit) for echo in ECHOES]
    union = parts[0].union(*parts[1:], all=True).order_by("k_date", "k_stream", "k_hid")
    if connection.vendor != "postgresql":
        return list(union[:limit])
    # The planner's cost estimate for this many small parts crosses PostgreSQL's JIT
    # threshold, and compiling it takes far longer (~0.5 s) than running it (~1 ms).
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        try:
            return list(union[:limit])
        finally:
            cursor.execute("RESET jit")


def entry(row, request) -> tuple[dict[str, Any], tuple[datetime.datetime, str, int]]:
    moment = row["k_date"]
    if isinstance(moment, str):  # SQLite compound queries may skip the converters
        moment = datetime.datetime.fromisoformat(moment)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    item = {
        "type": row["k_type"],
        "id": row["k_id"],
        "action": row["k_action"],
        "changed_at": moment,
    }
    if row["k_action"] == "deleted":
        item["deleted_at"] = moment
        item["url"] = None
    else:
        item["url"] = request.build_absolute_uri(
            reverse(DETAIL_VIEWS[row["k_type"]], kwargs={"pk": row["k_id"]})
        )
    return item, (moment, row["k_stream"], row["k_hid"])
