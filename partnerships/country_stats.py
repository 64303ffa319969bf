"""A country's partnerships over the years, and the registry's own count beside each figure
a source reports.

Both need the status of every partnership of the country on many dates. Asking
``Partnership.objects.as_of(date)`` once per year and per figure would make the country
page's query count grow with its history, so the page fetches the partnerships and their
events once (two queries: ``selectors.country_timelines``) and applies the same rule here
in Python: the status on a date is that of the latest event on or before it, and a
partnership is left out only when it is known not to exist yet. Tests check the two give
the same answers. This module only computes; it runs no query.
"""

import datetime
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
    were active, suspended and terminated at its end (this year: today)."""
    today = today or datetime.date.today()
    years = [effective_on.year for row in rows for effective_on, _id, _status in row.events]
    if not years:
        return []
    result = []
    for year in range(min(years), today.year + 1):
        on = min(datetime.date(year, 12, 31), today)
        counts: dict[str, int] = dict.fromkeys(CHART_STATUSES, 0)
        for row in rows:
            status = row.status_on(on)
            if status in counts:
                counts[status] += 1
        result.append(YearCounts(year, on, counts))
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
