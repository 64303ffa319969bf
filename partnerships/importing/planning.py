"""Planning an import against the registry, reading only: the sources, partnerships and
timelines the rows meet are loaded in a fixed handful of queries, and each matched row is
classified as a partnership to create, one to update (and how), or one unchanged."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Q

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Citation, Partnership, Source, StatusEvent

from .matching import BY_PARTNER, Candidate, LocalityIndex, Match, Place
from .rows import ParsedRow, SourceSpec, error_messages

T = TypeVar("T")


@dataclass
class Existing:
    pk: int
    a: int
    b: int
    level: str
    established_on: datetime.date | None
    established_precision: str
    current_status: str
    current_status_since: datetime.date | None
    current_status_since_precision: str


@dataclass
class Planned:
    row: ParsedRow
    a: Candidate
    b: Candidate
    existing: Existing | None = None
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    cite: bool = False
    status_event: bool = False

    @property
    def recorded_pk(self) -> int:
        """The id of the partnership already recorded that the row is about."""
        if self.existing is None:
            raise ValueError(f"Row {self.row.number} is about a new partnership.")
        return self.existing.pk


def chunks(items: Iterable[T], size: int = 900) -> Iterator[list[T]]:
    listed = list(items)
    for start in range(0, len(listed), size):
        yield listed[start : start + size]


def load_sources(specs: Iterable[SourceSpec]) -> dict[SourceSpec, Source | None]:
    specs = set(specs)
    urls = {s.url for s in specs if s.url}
    titles = {s.title for s in specs if not s.url}
    found = Source.objects.filter(Q(url__in=urls) | Q(title__in=titles, url="")) if specs else []
    by_url = {s.url: s for s in found if s.url}
    by_title = {s.title: s for s in found if not s.url}
    return {spec: by_url.get(spec.url) if spec.url else by_title.get(spec.title) for spec in specs}


def load_cited_pairs(sources: dict[SourceSpec, Source | None]) -> set[tuple[int, int]]:
    """(source id, partnership id) of each partnership the known sources already cite."""
    known = [s.pk for s in sources.values() if s is not None]
    if not known:
        return set()
    return set(
        Citation.objects.filter(source_id__in=known, partnership__isnull=False).values_list(
            "source_id", "partnership_id"
        )
    )


def load_partnerships(countries) -> dict[tuple[int, int], Existing]:
    rows = Partnership.objects.filter(
        locality_a__country__in=countries, locality_b__country__in=countries
    ).values_list(
        "pk",
        "locality_a_id",
        "locality_b_id",
        "level",
        "established_on",
        "established_precision",
        "current_status",
        "current_status_since",
        "current_status_since_precision",
    )
    result = {}
    for values in rows.iterator(chunk_size=5000):
        existing = Existing(*values)
        result[(min(existing.a, existing.b), max(existing.a, existing.b))] = existing
    return result


def plan_changes(item: Planned, cited: set[tuple[int, int]], source_ids: dict) -> None:
    row, existing = item.row, item.existing
    if existing is None:
        return
    if row.level and row.level != existing.level:
        item.changes["level"] = (existing.level, row.level)
    if row.established and (existing.established_on, existing.established_precision) != (
        row.established.date,
        row.established.precision,
    ):
        before = (
            PartialDate(existing.established_on, existing.established_precision)
            if existing.established_on
            else "—"
        )
        item.changes["established"] = (before, row.established)
    source = source_ids.get(row.source)
    item.cite = source is None or (source.pk, existing.pk) not in cited
    # A status the partnership already has since that date is no new event.
    event = row.status_event()
    if event is not None:
        stored = {name: getattr(existing, name) for name in services.CURRENT_STATUS_FIELDS}
        item.status_event = services.current_status_fields(event) != stored


def describe(item: Planned) -> str:
    bits = []
    for name, (before, after) in item.changes.items():
        bits.append(f"{name} {before or '—'} → {after}")
    if item.status_event:
        bits.append(f"status {item.row.status} since {item.row.status_date}")
    if item.cite:
        bits.append(f"cite {item.row.source}")
    return "; ".join(bits)


def check_timelines(planned: list[Planned]) -> dict[int, str]:
    """Rows whose status event would not fit the partnership's recorded timeline."""
    pks = {item.recorded_pk for item in planned if item.status_event}
    events = defaultdict(list)
    for chunk in chunks(pks):
        for event in StatusEvent.objects.filter(partnership_id__in=chunk).only(
            "id", "partnership_id", "status", "effective_on", "effective_precision"
        ):
            events[event.partnership_id].append(event)
    problems = {}
    for item in planned:
        if not item.status_event:
            continue
        new = item.row.status_event()
        if new is None:
            continue
        try:
            services.validate_timeline([*events[item.recorded_pk], new])
        except ValidationError as exc:
            problems[item.row.number] = "; ".join(error_messages(exc, ""))
    return problems


def settle_by_recorded_pair(matches: list[Match], existing: dict) -> None:
    """When a party has several candidates, a partnership already recorded between one of
    them and the other party decides: that is the record the row is about."""
    options = [m.options or ([m.candidate] if m.candidate else []) for m in matches]
    found = [
        (a, b)
        for a in options[0]
        for b in options[1]
        if a.id > 0 and b.id > 0 and (min(a.id, b.id), max(a.id, b.id)) in existing
    ]
    if len(found) == 1:
        for match, candidate in zip(matches, found[0], strict=True):
            match.candidate, match.ambiguous = candidate, []


def partners_of(existing: dict[tuple[int, int], Existing]) -> dict[int, set[int]]:
    """{locality id: the ids of its recorded partners}, for pair context."""
    partners: dict[int, set[int]] = defaultdict(set)
    for a, b in existing:
        partners[a].add(b)
        partners[b].add(a)
    return partners


def settle_by_partner(
    matches: list[Match], places: tuple[Place, ...] | list[Place], index: LocalityIndex, partners: dict
) -> None:
    """Pair context: when one party is resolved and the other is not (no candidate left,
    or several), the one partner of the first in the row's country that the second's name
    fits is the second (LocalityIndex.match_partner): the row is that partnership again,
    whatever its coordinates say. Two fitting partners settle nothing."""
    for this, other in ((0, 1), (1, 0)):
        match, known = matches[this], matches[other].candidate
        if match.candidate is not None or match.error or known is None:
            continue
        found = index.match_partner(places[this], partners.get(known.id, ()))
        if found is not None:
            matches[this] = Match(candidate=found, method=BY_PARTNER)
