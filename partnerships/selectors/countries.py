"""The country page's sections: its overview from the list index, status spans and timelines."""

import datetime
from collections import Counter
from collections.abc import Sequence
from typing import Any, TypedDict

from django.db import connection, connections, router
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractYear, Lead

from .. import models, steps
from ..country_stats import Established, FigureComparison, PartnerCountry, Span
from ..models import (
    Citation,
    Partnership,
    ReportedFigure,
    StatusEvent,
)


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
    from ..country_stats import HEADLINE_STATUSES, established_from_years

    parties = models.PartnershipParty.objects.order_by()
    rows = parties.filter(country=code, is_country_row=True)
    # COUNT(*), not of a column the index lacks: index-only scans (partnership_id is never null).
    partner_counts = rows.values("other_country").annotate(n=Count("*"))
    by_status_year = rows.values("status", "established_year").annotate(n=Count("*"))
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
    """The status timelines of the country's partnerships as ``country_stats.Span`` counts
    (each status from its year to the next one's), for the chart of statuses over the
    years: one query, an index-only count of the country's list-index rows by their
    partnership's ``status_steps`` (``party_country_steps_idx``), a few hundred groups at
    most, read back into spans here. Its cost grows with the country's partnerships, not
    with their events.

    The steps count every event as on or before today, which the services ensure (no
    status takes effect in the future); should an event dated after ``today`` exist
    anyway, or a timeline too long for its steps, the same query says so and the spans
    come from the events themselves (``country_event_spans``), exactly."""
    parties = models.PartnershipParty.objects.order_by().filter(country=code, is_country_row=True)
    grouped = parties.filter(status_steps__isnull=False).values("status_steps").annotate(n=Count("*"))
    later = StatusEvent.objects.order_by().filter(effective_on__gt=today).values("id")[:1]
    rows = _batch(("'s', status_steps, n", grouped, []), ("'f', '', COUNT(*)", later, []))
    if any(kind == "f" and n for kind, _steps, n in rows) or any(
        text == steps.TOO_LONG for kind, text, _n in rows
    ):
        return country_event_spans(code, today=today)
    spans: Counter[Span] = Counter()
    for kind, text, n in rows:
        if kind == "s":
            for status, year, following in steps.spans(text):
                spans[Span(status, year, True, following, None if following is None else True)] += n
    return list(spans.items())


def country_event_spans(code: str, *, today: datetime.date) -> list[tuple[Span, int]]:
    """``country_status_spans`` from the events themselves: a window over every event of
    the country's partnerships in timeline order, grouped in SQL (about half a second for
    Germany's 166,000 events at 10× data). Exact whatever the events' dates; the chart's
    reference, and its path when the steps cannot say (see there)."""
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
