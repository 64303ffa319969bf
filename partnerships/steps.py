"""A partnership's status timeline in years, ``Partnership.status_steps`` ("A1973S2022"):
the rule that writes it (``status_steps``, called by the services beside the current
status) and the reader of the country page's chart (``spans``). Stored and copied to the
list-index rows so that the chart of statuses over the years counts a country's
partnerships by their steps from an index instead of reading all their events."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Protocol

#: Each status's letter (the values of ``Partnership.Status``).
LETTERS = {"proposed": "P", "active": "A", "suspended": "S", "terminated": "T"}
STATUSES = {letter: status for status, letter in LETTERS.items()}
#: A step: the letter and the year, four digits.
LENGTH = 5
#: The column's length; a longer timeline is stored as ``TOO_LONG`` (the chart then reads
#: its events). One step per year at most: 200 years of yearly changes fit.
MAX_LENGTH = 1000
TOO_LONG = "*"


class Event(Protocol):
    @property
    def effective_on(self) -> datetime.date: ...
    @property
    def pk(self) -> int | None: ...
    @property
    def status(self) -> str: ...


def status_steps(events: Iterable[Event]) -> str | None:
    """The rule for ``Partnership.status_steps``: the timeline as the chart of statuses over
    the years reads it (``country_stats.counts_from_spans`` counts each status at each
    year's end), one step per year whose end it sets, in order: the status's letter and the
    year, "A1973S2022T2023". An event followed by another in its own year holds at no
    year's end and leaves no step; an event that keeps the status of the step before it
    extends that step. So the string has at most one step per year, and the spans it
    stands for count exactly as the events' own. None for no event; ``TOO_LONG`` when over
    ``MAX_LENGTH`` characters."""
    ordered = sorted(events, key=lambda event: (event.effective_on, event.pk or 0))
    steps: list[tuple[str, int]] = []
    for event in ordered:
        year = event.effective_on.year
        if steps and steps[-1][1] == year:
            steps.pop()
        if steps and steps[-1][0] == event.status:
            continue
        steps.append((event.status, year))
    if not steps:
        return None
    text = "".join(f"{LETTERS[status]}{year:04d}" for status, year in steps)
    return text if len(text) <= MAX_LENGTH else TOO_LONG


def spans(steps: str) -> Iterator[tuple[str, int, int | None]]:
    """The steps read back: (status, year, the next step's year or None for the last)."""
    parsed = [(STATUSES[steps[i]], int(steps[i + 1 : i + LENGTH])) for i in range(0, len(steps), LENGTH)]
    for index, (status, year) in enumerate(parsed):
        yield status, year, parsed[index + 1][1] if index + 1 < len(parsed) else None
