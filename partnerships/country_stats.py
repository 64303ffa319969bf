"""A country's partnerships over the years, and the registry's own count beside each figure
a source reports.

The status of a partnership on a date is that of the latest event on or before it, and a
partnership is left out only when it is known not to exist yet (the rule of
``PartnershipQuerySet.as_of()``). The country page counts in SQL (``selectors.
country_overview``, ``country_status_spans``, ``figure_counts``: a few rows each, however
many partnerships the country has) and builds its charts here from those counts
(``established_from_years``, ``counts_from_spans``). The functions that take
``PartnershipTimeline`` rows (``selectors.country_timelines``: every partnership and event
of the country) apply the same rule in Python: the reference the SQL counts are tested
against. This module only computes; it runs no query.
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import Partnership, ReportedFigure

# The statuses the chart draws, bottom to top.
CHART_STATUSES = (
    Partnership.Status.ACTIVE,
    Partnership.Status.SUSPENDED,
    Partnership.Status.TERMINATED,
)


@dataclass
class PartnershipTimeline:
    """A partnership's parties and its status events, to count it on any date."""

    id: int
    locality_a_id: int
    locality_b_id: int
    country_a: str
    country_b: str
    established_on: datetime.date | None
    # (effective_on, id, status), in timeline order.
    events: list[tuple[datetime.date, int, str]] = field(default_factory=list)
    # The stored current status ("" when none is known).
    current_status: str = ""

    def status_on(self, date: datetime.date) -> str | None:
        status = None
        for effective_on, _id, event_status in self.events:
            if effective_on > date:
                break
            status = event_status
        return status

    def exists_on(self, date: datetime.date) -> bool:
        """The inclusion rule of PartnershipQuerySet.as_of()."""
        if self.status_on(date) is not None:
            return True
        if self.established_on is not None:
            return self.established_on <= date
        return not self.events


# ------------------------------------------------------------------------- the headline

#: The keys of a headline count: every status, then "" for none recorded.
HEADLINE_STATUSES = (*Partnership.Status.values, "")


def status_headline(rows: list[PartnershipTimeline]) -> list[tuple[str, int]]:
    """(status, count) for every status by the stored current status, "" last for the
    partnerships whose status the registry does not know."""
    counts = Counter(row.current_status for row in rows)
    return [(status, counts.get(status, 0)) for status in HEADLINE_STATUSES]


@dataclass
class PartnerCountry:
    code: str
    count: int
    domestic: bool  # both parties in the page's country


def partner_countries(rows: list[PartnershipTimeline], code: str) -> list[PartnerCountry]:
    """The countries the country's partnerships lead to, most partnerships first (then by
    code): for each partnership, the other party's country; within the country itself a
    partnership is domestic."""
    counts: Counter[str] = Counter()
    for row in rows:
        other = row.country_b if row.country_a == code else row.country_a
        counts[other] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [PartnerCountry(other, count, other == code) for other, count in ranked]


def top_localities(rows: list[PartnershipTimeline], code: str, *, limit: int = 10) -> list[tuple[int, int]]:
    """(locality id, number of partnerships) for the country's localities with the most
    partnerships, most first (then by id); a domestic partnership counts for both."""
    counts: Counter[int] = Counter()
    for row in rows:
        if row.country_a == code:
            counts[row.locality_a_id] += 1
        if row.country_b == code:
            counts[row.locality_b_id] += 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


# ----------------------------------------------------------- when they were established


@dataclass
class EstablishedBucket:
    start: int  # the first year of the bucket
    end: int  # its last year (the same for a year)
    count: int

    @property
    def label(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}s"


@dataclass
class Established:
    unit: str  # "year" or "decade"
    buckets: list[EstablishedBucket]
    undated: int  # partnerships without an established date

    @property
    def dated(self) -> int:
        return sum(bucket.count for bucket in self.buckets)


#: Up to this many years between the first and the last, one bar per year; else per decade.
YEARS_PER_YEAR_CHART = 30


def established_counts(rows: list[PartnershipTimeline]) -> Established:
    """How many of the partnerships were established in each year (or, when they span
    more than YEARS_PER_YEAR_CHART years, each decade), gaps included as zero, and how
    many have no established date."""
    years = Counter(row.established_on.year for row in rows if row.established_on is not None)
    undated = sum(1 for row in rows if row.established_on is None)
    return established_from_years(years, undated)


def established_from_years(years: Counter[int], undated: int) -> Established:
    """``established_counts`` from the number of partnerships established in each year
    and the number without a date (as ``selectors.country_overview`` counts them)."""
    if not years:
        return Established("year", [], undated)
    first, last = min(years), max(years)
    if last - first < YEARS_PER_YEAR_CHART:
        buckets = [EstablishedBucket(year, year, years.get(year, 0)) for year in range(first, last + 1)]
        return Established("year", buckets, undated)
    decades: Counter[int] = Counter()
    for year, count in years.items():
        decades[year - year % 10] += count
    buckets = [
        EstablishedBucket(decade, decade + 9, decades.get(decade, 0))
        for decade in range(first - first % 10, last - last % 10 + 1, 10)
    ]
    return Established("decade", buckets, undated)


@dataclass
class SimpleBar:
    bucket: EstablishedBucket
    x: float
    y: float
    width: float
    height: float
    label: bool


@dataclass
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_bottom: int
    plot_right: int
    bars: list[SimpleBar]
    ticks: list[tuple[int, float]]


def established_chart(established: Established, *, width: int = 720, height: int = 240) -> BarChart | None:
    """Geometry of a bar chart of ``established_counts``, for an inline SVG."""
    buckets = established.buckets
    if not buckets:
        return None
    left, right, top, bottom = 44, width - 8, 12, height - 28
    maximum = max(max(bucket.count for bucket in buckets), 1)
    step = _tick_step(maximum)
    top_value = -(-maximum // step) * step
    scale = (bottom - top) / top_value
    band = (right - left) / len(buckets)
    every = 1 if len(buckets) <= 12 else 5
    last = len(buckets) - 1
    bars = []
    for index, bucket in enumerate(buckets):
        h = bucket.count * scale
        label = every == 1 or index in (0, last) or (bucket.start % every == 0 and 3 <= index <= last - 3)
        bars.append(
            SimpleBar(
                bucket=bucket,
                x=round(left + index * band + band * 0.15, 2),
                y=round(bottom - h, 2),
                width=round(band * 0.7, 2),
                height=round(h, 2),
                label=label,
            )
        )
    ticks = [(value, round(bottom - value * scale, 2)) for value in range(0, top_value + 1, step)]
    return BarChart(width, height, left, top, bottom, right, bars, ticks)


# ------------------------------------------------------------------------------ the chart


@dataclass
class YearCounts:
    year: int
    on: datetime.date  # the day counted: 31 December, or today for the current year
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def counts_by_year(
    rows: list[PartnershipTimeline], *, today: datetime.date | None = None
) -> list[YearCounts]:
    """For each year from the first dated status to this year: how many partnerships
    were active, suspended and terminated at its end (this year: today).

    Each event holds from the first counted day on or after its date until the first
    counted day on or after the next event's, so each adds one to its status over a range
    of years: a difference array makes it one pass over the events, whatever the number of
    years (10,000 partnerships over 50 years stay well under a second)."""
    today = today or datetime.date.today()
    spans: Counter[Span] = Counter()
    for row in rows:
        events = row.events
        for index, (effective_on, _id, status) in enumerate(events):
            following = events[index + 1][0] if index + 1 < len(events) else None
            spans[
                Span(
                    status,
                    effective_on.year,
                    effective_on <= today,
                    following.year if following else None,
                    following <= today if following else None,
                )
            ] += 1
    return counts_from_spans(spans.items(), today=today)


@dataclass(frozen=True)
class Span:
    """A status event and the next one of its partnership's timeline, as years: the
    status holds from the event until the next (``next_year`` None: until today).
    ``counted``: whether the date is on or before today (a later one is not counted)."""

    status: str
    year: int
    counted: bool
    next_year: int | None
    next_counted: bool | None


def counts_from_spans(
    spans: Iterable[tuple[Span, int]], *, today: datetime.date | None = None
) -> list[YearCounts]:
    """``counts_by_year`` from the timelines' spans, each with the number of events it
    stands for (``selectors.country_status_spans`` counts them in SQL)."""
    today = today or datetime.date.today()
    spans = list(spans)
    if not spans:
        return []
    first, last = min(span.year for span, _n in spans), today.year
    if first > last:
        return []
    size = last - first + 2
    delta: dict[str, list[int]] = {str(status): [0] * size for status in CHART_STATUSES}
    for span, number in spans:
        if span.status not in delta or not span.counted:
            continue
        # The first counted day (31 December; this year, today) on or after a date up
        # to today is in the date's own year.
        start = span.year
        end = span.next_year if span.next_year is not None and span.next_counted else last + 1
        if start < end:
            delta[span.status][start - first] += number
            delta[span.status][end - first] -= number
    result = []
    running: dict[str, int] = dict.fromkeys(CHART_STATUSES, 0)
    for year in range(first, last + 1):
        for status in CHART_STATUSES:
            running[status] += delta[status][year - first]
        on = min(datetime.date(year, 12, 31), today)
        result.append(YearCounts(year, on, dict(running)))
    return result


@dataclass
class Bar:
    status: str
    count: int
    y: float
    height: float


@dataclass
class Column:
    year: YearCounts
    x: float
    width: float
    bars: list[Bar]
    label: bool  # whether the year is written under its column


@dataclass
class Chart:
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_bottom: int
    plot_right: int
    columns: list[Column]
    ticks: list[tuple[int, float]]  # (value, y)
    maximum: int


def _tick_step(maximum: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if maximum / step <= 5:
            return step
    return 10_000


def stacked_chart(years: list[YearCounts], *, width: int = 720, height: int = 280) -> Chart | None:
    """Geometry of a stacked bar chart, one column per year, for an inline SVG."""
    if not years:
        return None
    left, right, top, bottom = 44, width - 8, 12, height - 28
    maximum = max(max(y.total for y in years), 1)
    step = _tick_step(maximum)
    top_value = -(-maximum // step) * step  # rounded up to a whole step
    scale = (bottom - top) / top_value
    band = (right - left) / len(years)
    every = 1 if len(years) <= 12 else 5
    columns = []
    for index, year in enumerate(years):
        y = float(bottom)
        bars = []
        for status in CHART_STATUSES:
            count = year.counts[status]
            h = count * scale
            y -= h
            if count:
                bars.append(Bar(status, count, round(y, 2), round(h, 2)))
        # With many years, label every fifth and the first and last, skipping a fifth
        # year too close to the first or last to be read.
        last = len(years) - 1
        label = every == 1 or index in (0, last) or (year.year % every == 0 and 3 <= index <= last - 3)
        columns.append(
            Column(
                year=year,
                x=round(left + index * band + band * 0.15, 2),
                width=round(band * 0.7, 2),
                bars=bars,
                label=label,
            )
        )
    ticks = [(value, round(bottom - value * scale, 2)) for value in range(0, top_value + 1, step)]
    return Chart(width, height, left, top, bottom, right, columns, ticks, maximum)


# --------------------------------------------------------------- figures beside counts


@dataclass
class FigureComparison:
    figure: ReportedFigure
    on: datetime.date  # the last day of the period the figure describes
    registry_count: int


def registry_count(rows: list[PartnershipTimeline], figure: ReportedFigure) -> tuple[datetime.date, int]:
    """What the registry counts for the figure's scope (country, pair of countries, status,
    partnerships or localities) on the last day of the period the figure describes."""
    period = figure.as_of_partial
    assert period is not None, "a reported figure's as-of date is required"
    on = period.last_day
    scope = {figure.country_a, figure.country_b} - {""}
    matching = []
    for row in rows:
        countries = {row.country_a, row.country_b}
        # A pair: one party in each country. One country: a party in it.
        in_scope = countries == scope if figure.country_b else bool(countries & scope)
        if not in_scope or not row.exists_on(on):
            continue
        if figure.status and row.status_on(on) != figure.status:
            continue
        matching.append(row)
    if figure.measure == ReportedFigure.Measure.LOCALITIES:
        localities = set()
        for row in matching:
            if row.country_a == figure.country_a:
                localities.add(row.locality_a_id)
            if row.country_b == figure.country_a:
                localities.add(row.locality_b_id)
        return on, len(localities)
    return on, len(matching)


def compare_figures(
    rows: list[PartnershipTimeline], figures: Iterable[ReportedFigure]
) -> list[FigureComparison]:
    return [FigureComparison(figure, *registry_count(rows, figure)) for figure in figures]
