"""Counts by country, status and kind, and the reported figures they are compared with.

The API's stats endpoint and the pages' headline counts read them.
"""

import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import connections, router
from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
)

from .. import models
from ..country_stats import PartnershipTimeline
from ..models import (
    Partnership,
    ReportedFigure,
    StatusEvent,
)
from ..validators import country_name
from .detail import citations_with_sources

#: The keys of a ``by_status`` count: every status, and ``unknown`` for none known.
STATUS_KEYS: tuple[str, ...] = (*Partnership.Status.values, "unknown")

GROUPINGS = ("country", "status", "kind")


class StatusAnnotations(TypedDict):
    """What ``PartnershipQuerySet.as_of`` annotates each partnership with."""

    status: str | None
    status_since: datetime.date | None
    status_since_precision: str | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    #: A partnership with its status as of some date (see ``PartnershipQuerySet.as_of``).
    AsOf = WithAnnotations[Partnership, StatusAnnotations]


class StatsGroup(TypedDict):
    key: str
    label: str
    count: int
    by_status: dict[str, int]


class PartnershipCounts(TypedDict):
    total: int
    by_status: dict[str, int]
    groups: list[StatsGroup]


def _status_counts() -> dict[str, int]:
    return dict.fromkeys(STATUS_KEYS, 0)


def partnership_counts(partnerships: "QuerySet[AsOf]", *, group_by: str) -> PartnershipCounts:
    """The partnerships counted per status and per group (``country``: a partnership counts
    once in each of its parties' countries; ``status``; ``kind``), biggest group first.
    The status is the queryset's ``status`` annotation (see ``as_of``). A few queries."""
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPINGS)}, not {group_by!r}")
    queryset = partnerships.order_by()
    counts: dict[str, dict[str, int]] = {}

    def add(key: str, status: str | None, number: int) -> None:
        counts.setdefault(key, _status_counts())[status or "unknown"] += number

    by_status = _status_counts()
    if group_by == "country":
        for side in ("locality_a__country", "locality_b__country"):
            for row in queryset.values(side, "status").annotate(n=Count("pk")):
                add(row[side], row["status"], row["n"])
        # A partnership within one country counts once there, not twice.
        same = queryset.filter(locality_a__country=F("locality_b__country"))
        for row in same.values("locality_a__country", "status").annotate(n=Count("pk")):
            add(row["locality_a__country"], row["status"], -row["n"])
        for row in queryset.values("status").annotate(n=Count("pk")):
            by_status[row["status"] or "unknown"] += row["n"]
    else:
        field = "level" if group_by == "kind" else "status"
        for row in queryset.values(*{field, "status"}).annotate(n=Count("pk")):
            add(row[field] or "unknown", row["status"], row["n"])
        for bucket in counts.values():
            for key, number in bucket.items():
                by_status[key] += number
    label = _GROUP_LABELS[group_by]
    groups: list[StatsGroup] = [
        {"key": key, "label": label(key), "count": sum(bucket.values()), "by_status": bucket}
        for key, bucket in counts.items()
        if sum(bucket.values())
    ]
    groups.sort(key=lambda group: (-group["count"], group["key"]))
    return {"total": sum(by_status.values()), "by_status": by_status, "groups": groups}


def _choice_label(choices: list[tuple[Any, str]]) -> Callable[[str], str]:
    labels = {str(value): str(label) for value, label in choices}
    return lambda key: labels.get(key, key)


_GROUP_LABELS: dict[str, Callable[[str], str]] = {
    "country": country_name,
    "kind": _choice_label(Partnership.Level.choices),
    "status": _choice_label(Partnership.Status.choices),
}


def current_status_counts() -> dict[str, int]:
    """How many partnerships have each current status ("" for none known): one query."""
    rows = (
        Partnership.objects.order_by()
        .values_list("current_status")
        .annotate(n=Count("id"))
        .values_list("current_status", "n")
    )
    return dict(rows)


def reported_figures() -> "QuerySet[ReportedFigure]":
    """Reported figures with their organization and their citations' sources."""
    return ReportedFigure.objects.select_related("organization").prefetch_related(citations_with_sources())


def figure_scope(
    *, countries: Sequence[str] = (), between: Sequence[str] = (), statuses: Sequence[str] = ()
) -> Q:
    """Reported figures about the same scope as a partnership filter: of a pair of
    countries (``between``), else of any of ``countries``, else of the whole registry; of
    the same statuses, else of all. Only figures counting partnerships."""
    scope = Q(measure=ReportedFigure.Measure.PARTNERSHIPS)
    if between:
        first, second = between
        scope &= Q(country_a=first, country_b=second) | Q(country_a=second, country_b=first)
    elif countries:
        scope &= Q(country_a__in=countries, country_b="")
    else:
        scope &= Q(country_a="")
    scope &= Q(status__in=statuses) if statuses else Q(status="")
    return scope


def country_timelines(country: str) -> list[PartnershipTimeline]:
    """The country's partnerships, each with its status events in timeline order, for
    ``partnerships.country_stats`` to count on any date: two queries."""
    partnerships = Partnership.objects.in_country(country)
    rows = {
        pk: PartnershipTimeline(pk, a, b, country_a, country_b, established_on, current_status=status)
        for pk, a, b, country_a, country_b, established_on, status in partnerships.values_list(
            "id",
            "locality_a_id",
            "locality_b_id",
            "locality_a__country",
            "locality_b__country",
            "established_on",
            "current_status",
        ).order_by()
    }
    events = (
        StatusEvent.objects.filter(partnership__in=partnerships.values("pk"))
        .order_by("partnership_id", "effective_on", "id")
        .values_list("partnership_id", "effective_on", "id", "status")
    )
    for partnership_id, effective_on, pk, status in events:
        rows[partnership_id].events.append((effective_on, pk, status))
    return list(rows.values())


def locality_countries() -> list[str]:
    """The countries the registry has localities in, in code order: one query. On
    PostgreSQL a loose index scan of ``locality_country_name_idx`` (a recursive query that
    jumps from each country to the next, one index lookup per country: a ``DISTINCT``
    reads every locality, tens of milliseconds at 10× data); SQLite's ``DISTINCT`` walks
    the index by itself."""
    # Raw SQL goes where the router sends the model's reads (a replica, for public reads).
    db = connections[router.db_for_read(models.Locality)]
    table = db.ops.quote_name(models.Locality._meta.db_table)
    if db.vendor != "postgresql":
        return list(models.Locality.objects.order_by("country").values_list("country", flat=True).distinct())
    sql = f"""
        WITH RECURSIVE countries(country) AS (
            (SELECT country FROM {table} ORDER BY country LIMIT 1)
            UNION ALL
            SELECT (SELECT l.country FROM {table} l WHERE l.country > c.country ORDER BY l.country LIMIT 1)
            FROM countries c WHERE c.country IS NOT NULL
        )
        SELECT country FROM countries WHERE country IS NOT NULL"""
    with db.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]
