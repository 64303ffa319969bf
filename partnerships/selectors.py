"""Reads shared by the public pages, the API and the admin.

Each selector answers one question the surfaces ask alike, so a page, an endpoint and an
admin screen that show the same thing load it the same way (and with the same number of
queries). Writes live in ``partnerships.services``; per-model filtering building blocks
live on the QuerySets in ``partnerships.models``.
"""

import datetime
import difflib
import functools
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, router
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Lead, Least
from django.db.models.sql import Query
from django.utils import timezone

from . import models
from .country_stats import Established, FigureComparison, PartnerCountry, PartnershipTimeline, Span
from .gazetteer import gazetteer
from .identity import identity_key
from .models import (
    Activity,
    Citation,
    Organization,
    Partnership,
    PartnershipQuerySet,
    ReportedFigure,
    StatusEvent,
)
from .text import normalize_name
from .validators import country_name

# ------------------------------------------------------------------ partnership detail
# (the one loader of a partnership with its parties, timeline, citations and activities)


def citations_with_sources() -> "Prefetch[str, QuerySet[Citation], str]":
    """``citations``, each with its source, in the order they were added."""
    return Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("id"))


def partnership_rows() -> PartnershipQuerySet:
    """Partnerships as lists show them: both parties, the organizations (by name) and the
    focus areas, each row annotated with ``registry_changed``."""
    rows: PartnershipQuerySet = (
        Partnership.objects.with_parties()
        .prefetch_related(
            Prefetch("organizations", Organization.objects.order_by("name", "id")), "focus_areas"
        )
        .annotate(registry_changed=registry_changed_expression())
    )
    return rows


def _set_prefetched(instance: Model, **related: Sequence[Model]) -> None:
    """Hand the rows to ``instance`` as ``prefetch_related`` would: afterwards
    ``instance.<name>.all()`` returns them without a query."""
    cache: dict[str, Sequence[Model]] = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.update(related)


def citation_targets(partnership_id: int, events: Sequence[StatusEvent], activities: Sequence[Activity]) -> Q:
    """The citations of a partnership, its events and its activities, by the citation's
    own indexed columns only (``test_detail_citations_use_indexes`` checks the plan)."""
    targets = Q(partnership_id=partnership_id)
    if events:
        targets |= Q(status_event_id__in=[event.pk for event in events])
    if activities:
        targets |= Q(activity_id__in=[activity.pk for activity in activities])
    return targets


def partnership_detail(pk: int, *, as_of: datetime.date | None = None) -> Partnership | None:
    """A partnership with everything its page and its API detail show, or None when there
    is none (or none yet on ``as_of``): its parties and their parents, organizations, focus
    areas, status events (with the declaring organization), activities and the citations of
    all three with their sources. Six queries whatever the number of rows: the
    partnership, organizations, focus areas, events, activities, and every citation at once.

    ``status``, ``status_since`` and ``status_since_precision`` are as of ``as_of`` (else
    current); ``registry_changed`` is when the registry last changed."""
    partnership: Partnership | None = (
        partnership_rows()
        .select_related("locality_a__parent", "locality_b__parent")
        .as_of(as_of)
        .filter(pk=pk)
        .first()
    )
    if partnership is None:
        return None
    events = list(
        StatusEvent.objects.filter(partnership=partnership)
        .select_related("declaring_organization")
        .order_by("effective_on", "id")
    )
    activities = list(Activity.objects.filter(partnership=partnership).order_by("occurred_on", "id"))
    # The events' and activities' ids are known by now, so the OR compares the citation's
    # own foreign-key columns, each indexed: a BitmapOr of three index scans on PostgreSQL
    # (through the relations' joins it was a scan of every citation).
    citations = (
        Citation.objects.filter(citation_targets(partnership.pk, events, activities))
        .select_related("source")
        .order_by("id")
    )
    by_event: dict[int, list[Citation]] = {event.pk: [] for event in events}
    by_activity: dict[int, list[Citation]] = {activity.pk: [] for activity in activities}
    own: list[Citation] = []
    for citation in citations:
        if citation.status_event_id:
            by_event[citation.status_event_id].append(citation)
        elif citation.activity_id:
            by_activity[citation.activity_id].append(citation)
        else:
            citation.partnership = partnership
            own.append(citation)
    # Each row knows its parent too, as prefetch_related would have told it.
    for event in events:
        event.partnership = partnership
        for citation in by_event[event.pk]:
            citation.status_event = event
        _set_prefetched(event, citations=by_event[event.pk])
    for activity in activities:
        activity.partnership = partnership
        for citation in by_activity[activity.pk]:
            citation.activity = activity
        _set_prefetched(activity, citations=by_activity[activity.pk])
    _set_prefetched(partnership, events=events, activities=activities, citations=own)
    return partnership


def partnership_changed_at(partnership: Partnership) -> datetime.datetime | None:
    """When the partnership's own record last changed: its newest edit-history row."""
    history = _history_models()[PUBLIC_MODELS.index(Partnership)]
    changed: datetime.datetime | None = (
        history._default_manager.filter(id=partnership.pk)
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return changed


# ----------------------------------------------------------------- registry changed at
# (when the registry last changed: conditional requests and cached pages)

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


# ----------------------------------------------------------------------------- stats
# (counts by status, country and level, and reported figures beside them)

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


# ------------------------------------------------------------------ the country page
# (its sections counted in SQL from the list index, a few rows each, whatever the
# number of partnerships: no partnership or event is loaded into Python)


def _batch(*branches: tuple[str, "QuerySet[Any] | str", list[Any]]) -> list[tuple[Any, ...]]:
    """Several small aggregate queries in one round trip: a UNION ALL of
    ``SELECT <columns> FROM (<query>) AS q``, one per (columns, query, params) branch, a
    query being a QuerySet (compiled with its own parameters) or SQL. Every branch selects
    the same number of columns, typed alike."""
    parts, params = [], []
    for index, (columns, query, extra) in enumerate(branches):
        if isinstance(query, str):
            sql, query_params = query, ()
        else:
            sql, query_params = query.query.sql_with_params()
        parts.append(f"SELECT {columns} FROM ({sql}) AS q{index}")
        params.extend([*extra, *query_params])
    with connections[router.db_for_read(models.PartnershipParty)].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


class CountryOverview(TypedDict):
    total: int
    #: (status, count) by the stored current status, "" (none recorded) last
    headline: list[tuple[str, int]]
    partners: list[PartnerCountry]
    top_localities: list[tuple[models.Locality, int]]
    established: Established


def country_overview(code: str, *, localities: int = 10) -> CountryOverview:
    """The country page's sections above its list, in one query: the partnerships with a
    party in the country by current status and year established, and by partner country
    (index-only scans of ``party_country_year_idx``), and the ``localities`` localities with the most
    partnerships (``party_country_locality_idx``; a domestic partnership counts for both
    of its parties), with their names."""
    from .country_stats import HEADLINE_STATUSES, established_from_years

    parties = models.PartnershipParty.objects.order_by()
    rows = parties.filter(country=code, is_country_row=True)
    partner_counts = rows.values("other_country").annotate(n=Count("partnership_id"))
    by_status_year = rows.values("status", "established_year").annotate(n=Count("partnership_id"))
    ranked = (
        parties.filter(country=code)
        .values("locality_id")
        .annotate(n=Count("partnership_id"))
        .order_by("-n", "locality_id")[:localities]
    )
    ranked_sql, ranked_params = ranked.query.sql_with_params()
    table = connection.ops.quote_name(models.Locality._meta.db_table)
    named = f"SELECT r.locality_id, r.n, l.name FROM ({ranked_sql}) AS r JOIN {table} AS l ON l.id = r.locality_id"
    found = _batch(
        ("'p', other_country, CAST(NULL AS INTEGER), n", partner_counts, []),
        ("'s', status, established_year, n", by_status_year, []),
        ("'l', name, locality_id, n", named, list(ranked_params)),
    )
    statuses: dict[str, int] = {}
    years: dict[int, int] = {}
    undated = 0
    partners: list[PartnerCountry] = []
    top: list[tuple[int, str, int]] = []
    for kind, key, number, n in found:
        if kind == "p":
            partners.append(PartnerCountry(key, n, key == code))
        elif kind == "s":
            statuses[key or ""] = statuses.get(key or "", 0) + n
            if number is None:
                undated += n
            else:
                years[int(number)] = years.get(int(number), 0) + n
        else:
            top.append((int(number), key, n))
    partners.sort(key=lambda partner: (-partner.count, partner.code))
    top.sort(key=lambda item: (-item[2], item[0]))
    # Localities as ``.only("id", "name")`` would load them.
    db = router.db_for_read(models.Locality)
    return {
        "total": sum(statuses.values()),
        "headline": [(status, statuses.get(status, 0)) for status in HEADLINE_STATUSES],
        "partners": partners,
        "top_localities": [
            (models.Locality.from_db(db, ["id", "name"], [pk, name]), n) for pk, name, n in top
        ],
        "established": established_from_years(Counter(years), undated),
    }


def country_status_spans(code: str, *, today: datetime.date) -> list[tuple[Span, int]]:
    """The status events of the country's partnerships as ``country_stats.Span`` counts
    (each event's year and the next event's of its timeline), for the chart of statuses
    over the years: one query, a window over the events in timeline order grouped in SQL
    into a few hundred rows at most. It reads every event of the country's partnerships:
    the one part of the country page whose cost grows with them (about half a second for
    Germany's 166,000 events at 10× data)."""
    counted = Case(
        When(effective_on__lte=today, then=Value(1)), default=Value(0), output_field=IntegerField()
    )

    def following(expression: Any) -> Window:
        """The expression's value on the next event of the partnership's timeline."""
        return Window(
            Lead(expression),
            partition_by=[F("partnership_id")],
            order_by=[F("effective_on").asc(), F("id").asc()],
        )

    events = (
        StatusEvent.objects.order_by()
        .filter(
            partnership_id__in=models.PartnershipParty.objects.filter(
                country=code, is_country_row=True
            ).values("partnership_id")
        )
        .annotate(
            year=ExtractYear("effective_on"),
            counted=counted,
            next_year=following(ExtractYear("effective_on")),
            next_counted=following(counted),
        )
        .values_list("status", "year", "counted", "next_year", "next_counted")
    )
    sql, params = events.query.sql_with_params()
    grouped = (
        f"SELECT status, year, counted, next_year, next_counted, COUNT(*) FROM ({sql}) AS e "
        "GROUP BY status, year, counted, next_year, next_counted"
    )
    with connections[router.db_for_read(StatusEvent)].cursor() as cursor:
        cursor.execute(grouped, params)
        rows = cursor.fetchall()
    return [
        (
            Span(
                status,
                int(year),
                bool(ok),
                None if next_year is None else int(next_year),
                None if next_ok is None else bool(next_ok),
            ),
            n,
        )
        for status, year, ok, next_year, next_ok, n in rows
    ]


def figure_counts(figures: Sequence[ReportedFigure]) -> list[FigureComparison]:
    """Each reported figure beside the registry's own count for its scope (a country or a
    pair of countries), status and measure, on the last day of the period it describes
    (``Partnership.objects.as_of``): one query for all of them, one UNION branch each."""
    if not figures:
        return []
    branches: list[tuple[str, QuerySet[Any] | str, list[Any]]] = []
    days = []
    for figure in figures:
        period = figure.as_of_partial
        assert period is not None, "a reported figure's as-of date is required"
        on = period.last_day
        days.append(on)
        dated = Partnership.objects.order_by().as_of(on)
        scope: QuerySet[Any] = (
            dated.between(figure.country_a, figure.country_b)
            if figure.country_b
            else dated.in_country(figure.country_a)
        )
        if figure.status:
            scope = scope.filter(status=figure.status)
        counted: QuerySet[Any]
        if figure.measure == ReportedFigure.Measure.LOCALITIES:
            counted = (
                models.Locality.objects.order_by()
                .filter(country=figure.country_a)
                .filter(Q(pk__in=scope.values("locality_a_id")) | Q(pk__in=scope.values("locality_b_id")))
                .values("pk")
            )
        else:
            counted = scope.values("pk")
        branches.append(("%s, COUNT(*)", counted, [figure.pk]))
    counts = dict(_batch(*branches))
    return [
        FigureComparison(figure, on, counts.get(figure.pk, 0))
        for figure, on in zip(figures, days, strict=True)
    ]


def citations_by_partnership(partnerships: Sequence[Partnership]) -> dict[int, list[Citation]]:
    """Each partnership's citations — its own and its status events' — with their sources,
    one per source, oldest first: one query."""
    ids = [p.pk for p in partnerships]
    found: dict[int, list[Citation]] = {pk: [] for pk in ids}
    seen: set[tuple[int, int]] = set()
    # A UNION of the two lookups, each served by its index (the citation's partnership, the
    # event's partnership), not an OR through the events' join: that scanned every citation.
    own = Citation.objects.filter(partnership__in=ids).order_by().values("id")
    via_events = Citation.objects.filter(status_event__partnership__in=ids).order_by().values("id")
    citations = (
        Citation.objects.filter(pk__in=own.union(via_events, all=True))
        .select_related("source", "status_event")
        .order_by("id")
    )
    for citation in citations:
        pk = citation.partnership_id or citation.status_event.partnership_id  # type: ignore[union-attr]
        if (pk, citation.source_id) not in seen:
            seen.add((pk, citation.source_id))
            found[pk].append(citation)
    return found


# ---------------------------------------------------------------------- review queue
# (why a partnership needs a reviewer's attention)

VERIFICATION_TERM = datetime.timedelta(days=365)

REVIEW_REASONS = {
    "never": "never verified",
    "stale": "verified over a year ago",
    "disagree": "sources disagree: different statuses on the same date",
    "internal": "status change recorded as internal (no citation)",
    "uncited": "partnership recorded as internal (no citation)",
}


def with_review_reasons(
    queryset: QuerySet[Partnership], *, now: datetime.datetime | None = None
) -> QuerySet[Partnership]:
    """Annotate ``review_<reason>`` for each reason in REVIEW_REASONS. Status events count
    only when recorded after the last verification: a reviewer's verification clears
    them until new ones are recorded."""
    now = now or timezone.now()
    unreviewed_events = StatusEvent.objects.filter(partnership=OuterRef("pk")).filter(
        Q(partnership__last_verified_at__isnull=True) | Q(recorded_at__gt=F("partnership__last_verified_at"))
    )
    contradicted = StatusEvent.objects.filter(
        partnership=OuterRef("partnership"), effective_on=OuterRef("effective_on")
    ).exclude(status=OuterRef("status"))
    return queryset.annotate(
        review_never=ExpressionWrapper(Q(last_verified_at__isnull=True), output_field=BooleanField()),
        review_stale=ExpressionWrapper(
            Q(last_verified_at__lt=now - VERIFICATION_TERM), output_field=BooleanField()
        ),
        review_disagree=Exists(unreviewed_events.filter(Exists(contradicted))),
        review_internal=Exists(unreviewed_events.filter(is_internal_record=True)),
        # An internal record, until a reviewer has verified the partnership.
        review_uncited=ExpressionWrapper(
            Q(is_internal_record=True, last_verified_at__isnull=True), output_field=BooleanField()
        ),
    )


def needing_review(queryset: QuerySet[Partnership], reason: str = "") -> QuerySet[Partnership]:
    """The partnerships to review, for one reason or (by default) any."""
    reasons = [reason] if reason in REVIEW_REASONS else list(REVIEW_REASONS)
    condition = Q()
    for name in reasons:
        condition |= Q(**{f"review_{name}": True})
    return with_review_reasons(queryset).filter(condition)


def review_reasons(partnership: Partnership) -> list[str]:
    """The labels of the reasons a partnership annotated by with_review_reasons() needs review."""
    return [label for name, label in REVIEW_REASONS.items() if getattr(partnership, f"review_{name}", False)]


# ------------------------------------------------------------------------------- map
# (the whole selection: country-to-country flows when it is large, lines when small)


class MapFlow(TypedDict):
    a: str
    b: str
    na: str
    nb: str
    name: str
    count: int
    by_status: dict[str, int]
    status: str
    url: str


def _numeric(code: str) -> str:
    """ISO 3166-1 numeric, as the vendored world atlas names its country shapes."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return str(int(country.numeric)) if country is not None else ""


def map_flows(partnerships: "QuerySet[AsOf]", *, list_url: str) -> list[MapFlow]:
    """Every partnership of the selection, counted per pair of countries (unordered) and
    per status (the queryset's ``status``: current or as of its date), biggest flow first;
    ``url``: the list of that pair. One query, whatever the number of partnerships."""
    rows = (
        partnerships.order_by()
        .values_list("locality_a__country", "locality_b__country", "status")
        .annotate(n=Count("pk"))
    )
    return _flows(rows, list_url=list_url)


def country_map_flows(code: str, *, other: str = "", list_url: str) -> list[MapFlow]:
    """``map_flows`` of the partnerships with a party in the country (with ``other``: and
    one in that country), by current status, from the list index alone: an index-only
    scan of ``party_country_year_idx``, however many partnerships the country has."""
    rows = models.PartnershipParty.objects.order_by().filter(country=code, is_country_row=True)
    if other:
        rows = rows.filter(other_country=other)
    counted = rows.values_list("country", "other_country", "status").annotate(n=Count("partnership_id"))
    return _flows(counted, list_url=list_url)


def _flows(rows: Any, *, list_url: str) -> list[MapFlow]:
    """Flows from (country, country, status or ""/None, count) rows."""
    flows: dict[tuple[str, str], dict[str, int]] = {}
    for country_1, country_2, status, n in rows:
        key = tuple(sorted((country_1, country_2)))
        bucket = flows.setdefault((key[0], key[1]), _status_counts())
        bucket[status or "unknown"] += n
    found: list[MapFlow] = []
    for (a, b), by_status in flows.items():
        count = sum(by_status.values())
        found.append(
            {
                "a": a,
                "b": b,
                "na": _numeric(a),
                "nb": _numeric(b),
                "name": f"{country_name(a)} – {country_name(b)}",
                "count": count,
                "by_status": {key: value for key, value in by_status.items() if value},
                # The colour: the status most of them have.
                "status": max(STATUS_KEYS, key=lambda key: by_status[key]),
                "url": f"{list_url}{'&' if '?' in list_url else '?'}between={a},{b}",
            }
        )
    found.sort(key=lambda flow: (-flow["count"], flow["a"], flow["b"]))
    return found


# ------------------------------------------------------------------ ranked search
# (one selector for the /search/ page, the admin's locality search and the API's ?q=)

SEARCH_EXACT, SEARCH_OTHER_NAME, SEARCH_PREFIX, SEARCH_SUBSTRING = 0, 1, 2, 3
SUGGESTIONS = 5
_SIMILARITY = 0.3  # pg_trgm's own default threshold


def _gazetteer_keys(text: str) -> dict[str, set[str]]:
    """{country: search keys of the names} of the gazetteer's cities known by this name
    ("Kiev": {"UA": {"kyiv", "kiev", …}}): a search finds a city by its exonyms."""

    found: dict[str, set[str]] = {}
    for city in gazetteer().cities(text)[:10]:
        found.setdefault(city.country, set()).update(normalize_name(n) for n in city.names)
    return found


def search_localities(
    text: str, queryset: "QuerySet[models.Locality] | None" = None
) -> "QuerySet[models.Locality]":
    """Localities matching the text, ranked (annotation ``search_rank``) and ordered:
    exact name, native name or alias first; then another name of the same place (the
    same identity key, or a gazetteer city known by the text: "Kiev" finds Kyiv,
    "Москва" Moscow); then names starting with the text; then names containing it.
    Records merged into another are left out."""

    base = (queryset if queryset is not None else models.Locality.objects.all()).filter(
        merged_into__isnull=True
    )
    key = normalize_name(text)
    if not key:
        return base.none()
    aliases = models.LocalityAlias.objects.filter(locality=OuterRef("pk"))
    exact = Q(name_key=key) | Q(native_name_key=key) | Exists(aliases.filter(name_key=key))
    other = Q(identity_key=identity_key(text))
    gazetteer_keys = _gazetteer_keys(text)
    for country, keys in gazetteer_keys.items():
        other |= Q(country=country) & (Q(name_key__in=keys) | Q(Exists(aliases.filter(name_key__in=keys))))
    prefix = (
        Q(name_key__startswith=key)
        | Q(native_name_key__startswith=key)
        | Exists(aliases.filter(name_key__startswith=key))
    )
    substring = (
        Q(name_key__contains=key)
        | Q(native_name_key__contains=key)
        | Exists(aliases.filter(name_key__contains=key))
    )

    # The rows to rank, found through indexes first: the substring lookups (which cover
    # the exact and prefix ones) by their trigram indexes on PostgreSQL, the other names by
    # their b-tree indexes, as one UNION of ids; the OR below, with its EXISTS per row,
    # then runs on those rows only (on its own it reads every locality).
    candidates = _search_candidates(key, identity_key(text), gazetteer_keys)
    rank = Case(
        When(exact, then=Value(SEARCH_EXACT)),
        When(other, then=Value(SEARCH_OTHER_NAME)),
        When(prefix, then=Value(SEARCH_PREFIX)),
        default=Value(SEARCH_SUBSTRING),
        output_field=IntegerField(),
    )
    return (
        base.filter(pk__in=candidates)
        .filter(exact | other | prefix | substring)
        .annotate(search_rank=rank)
        .order_by("search_rank", "name", "country", "id")
    )


def _search_candidates(key: str, identity: str, gazetteer_keys: dict[str, set[str]]) -> "QuerySet[Any]":
    """The ids of every locality ``search_localities`` can find (a superset: its own
    conditions still decide), one indexed lookup per part."""
    localities = models.Locality.objects.order_by()
    aliases = models.LocalityAlias.objects.order_by()
    parts: list[QuerySet[Any]] = [
        localities.filter(native_name_key__contains=key).values("pk"),
        aliases.filter(name_key__contains=key).values("locality_id"),
        localities.filter(identity_key=identity).values("pk"),
    ]
    for country, keys in gazetteer_keys.items():
        parts.append(localities.filter(country=country, name_key__in=keys).values("pk"))
        parts.append(aliases.filter(name_key__in=keys, locality__country=country).values("locality_id"))
    return localities.filter(name_key__contains=key).values("pk").union(*parts)


def did_you_mean(text: str, *, limit: int = SUGGESTIONS) -> list["models.Locality"]:
    """Localities whose names are like the text, for a search that found nothing:
    trigram similarity (pg_trgm) on PostgreSQL, difflib over the search keys on SQLite."""

    key = normalize_name(text)
    if not key:
        return []
    live = models.Locality.objects.filter(merged_into__isnull=True)
    if connection.vendor == "postgresql":
        similarity = Func(F("name_key"), Value(key), function="similarity", output_field=FloatField())
        return list(
            live.annotate(similarity=similarity)
            .filter(similarity__gte=_SIMILARITY)
            .order_by("-similarity", "name", "id")[:limit]
        )

    keys = list(live.values_list("name_key", flat=True).distinct())
    close = difflib.get_close_matches(key, keys, n=limit, cutoff=0.75)
    found = {loc.name_key: loc for loc in live.filter(name_key__in=close).order_by("id")}
    return [found[k] for k in close if k in found]


def search_partnerships(text: str, localities: "QuerySet[models.Locality]") -> "QuerySet[Any]":
    """The partnerships the search page lists: those of the best-ranked localities first
    (a partnership of Köln before one of "Sokolniki (Moscow)" whose text only contains
    the name), then those matching the text otherwise. One query, like the page's others."""
    ranks = localities.order_by().values("search_rank")  # type: ignore[misc]  # an annotation
    found = localities.order_by().values("pk")
    partnerships = Partnership.objects.as_of(None).with_parties()
    matching = partnerships.filter(
        Q(pk__in=partnerships.matching(text).values("pk"))
        | Q(locality_a_id__in=found)
        | Q(locality_b_id__in=found)
    )
    unranked = Value(SEARCH_SUBSTRING + 1)
    rank = Least(
        Coalesce(Subquery(ranks.filter(pk=OuterRef("locality_a_id"))[:1]), unranked),
        Coalesce(Subquery(ranks.filter(pk=OuterRef("locality_b_id"))[:1]), unranked),
    )
    return matching.annotate(search_rank=rank).order_by(
        "search_rank", "locality_a__name", "locality_b__name", "id"
    )
