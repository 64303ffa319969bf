"""Scale data for benchmarks: a registry N times the bundled Wikipedia data set (×10:
about 250,000 partnerships, 170,000 localities, 1,000,000 status events, each cited), with
realistic names, aliases, coordinates and timelines, written through the import's bulk
path (``importing.applying._bulk_create``: each record checked as an import checks it,
then bulk-created with its edit history) and the services' timeline rules
(``validate_timeline`` for every generated timeline, ``reported_status_fields`` for the
stored current status). For ``manage.py generate_scale_data``; never for real data."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history
from unidecode import unidecode

from . import services
from .dates import PartialDate
from .importing.applying import _bulk_create
from .importing.countries import resolve_country
from .importing.datasets import HEKMAN
from .importing.rows import _EXCLUDE
from .models import Citation, Locality, LocalityAlias, Partnership, Source, StatusEvent
from .services.timeline import reported_status_fields
from .text import normalize_name

#: how copies of a place are named: the place itself, then realistic variants
NAME_FORMS = (
    "{}",
    "New {}",
    "Bad {}",
    "{}-Nord",
    "Sankt {}",
    "{} Heights",
    "Port {}",
    "{}-Süd",
    "Upper {}",
    "{} am See",
)
#: timelines (kind, status, offset in years from the start year or a fixed date)
TIMELINES: tuple[tuple[tuple[str, str, Any], ...], ...] = (
    (
        ("change", "proposed", 0),
        ("change", "active", 1),
        ("attestation", "active", "2002-07"),
        ("change", "suspended", "2022-03-04"),
    ),
    (
        ("change", "proposed", 0),
        ("change", "active", 2),
        ("attestation", "active", "2002-07"),
        ("attestation", "active", "2015-06"),
    ),
    (
        ("change", "active", 0),
        ("attestation", "active", "2002-07"),
        ("change", "terminated", "2022-05"),
        ("change", "active", "2024-09"),
    ),
    (
        ("change", "proposed", 0),
        ("change", "active", 1),
        ("change", "suspended", "2020-03"),
        ("change", "active", "2023-01"),
        ("attestation", "active", "2024-06"),
    ),
    (("change", "active", 0), ("attestation", "active", "2002-07"), ("change", "terminated", "2021-11-30")),
    (
        ("attestation", "active", "2002-07"),
        ("attestation", "active", "2010"),
        ("attestation", "active", "2019-04"),
    ),
)
SCALE_SOURCES = 40


@dataclass
class Place:
    name: str
    country: str
    latitude: Decimal | None
    longitude: Decimal | None


@dataclass
class Counts:
    localities: int = 0
    aliases: int = 0
    partnerships: int = 0
    events: int = 0
    citations: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def hekman_pairs() -> tuple[list[Place], list[tuple[int, int]]]:
    """The bundled data set's distinct places and unordered pairs (by place index)."""
    places: dict[tuple[str, str], int] = {}
    listed: list[Place] = []
    pairs: set[tuple[int, int]] = set()
    for _number, row in HEKMAN.rows():
        ends = []
        for side in ("a", "b"):
            match = resolve_country(row[f"{side}_country"])
            name = row[f"{side}_name"].strip()[:150]
            if match is None or not name or not normalize_name(name):
                break
            key = (normalize_name(name), match.code)
            if key not in places:
                places[key] = len(listed)
                listed.append(
                    Place(
                        name,
                        match.code,
                        _coordinate(row[f"{side}_latitude"], 90),
                        _coordinate(row[f"{side}_longitude"], 180),
                    )
                )
            ends.append(places[key])
        if len(ends) == 2 and ends[0] != ends[1]:
            pairs.add((min(ends), max(ends)))
    return listed, sorted(pairs)


def _coordinate(text: str, limit: int) -> Decimal | None:
    try:
        value = round(Decimal(text.strip()), 5)
    except (ArithmeticError, ValueError):
        return None
    return value if abs(value) <= limit else None


def _date(rng: random.Random, start: int, offset: Any) -> PartialDate:
    if isinstance(offset, str):
        return PartialDate.parse(offset)
    year = min(start + offset, 2001)
    return PartialDate.parse(
        rng.choice(
            [
                f"{year}",
                f"{year}-{rng.randint(1, 12):02d}",
                f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            ]
        )
    )


def check_record_fields(partnership: Partnership) -> None:
    """A partnership's own fields and dates, as an import row checks them."""
    partnership.clean_fields(exclude=_EXCLUDE[Partnership])
    errors = Partnership.established.errors(partnership)
    if errors:
        raise ValueError(f"generated an invalid partnership: {errors}")


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def generate(
    *,
    scale: float,
    seed: int = 15,
    batch: int = 2000,
    progress: Callable[[str, int, int], None] = lambda *_: None,
) -> Counts:
    """Write the scale data into the (empty or not) registry; returns what was written.
    ``scale`` 10 is the issue's 10×; fractions take a part of the data set (for tests)."""
    rng = random.Random(seed)
    places, pairs = hekman_pairs()
    copies = max(1, int(scale + 0.999))
    wanted = int(len(pairs) * scale)
    history: dict[str, Any] = {
        "default_change_reason": f"Scale data ×{scale} (generate_scale_data)",
        "default_date": timezone.now(),
        "batch_size": 1000,
    }
    counts = Counts()
    with transaction.atomic():
        sources = [
            services.create_source(
                title=f"Scale data report {n}: partnerships reported by a registry of twinnings",
                publisher="Scale Data Gazette",
                url=f"https://scale.example.org/reports/{n}",
                kind=Source.Kind.NEWS_ARTICLE,
                published=PartialDate.parse(f"{2000 + n % 25}-{1 + n % 12:02d}"),
            )
            for n in range(SCALE_SOURCES)
        ]

        # Localities: each place once per copy, named by NAME_FORMS, coordinates jittered.
        used = (
            sorted({index for pair in pairs[: max(1, wanted // copies + 1)] for index in pair})
            if scale < 1
            else list(range(len(places)))
        )
        ids: dict[tuple[int, int], int] = {}
        todo = [(copy, index) for copy in range(copies) for index in used]
        for chunk in _batches(todo, batch):
            records = []
            for copy, index in chunk:
                place = places[index]
                jitter = Decimal(rng.randint(-5000, 5000)) / 10000 if copy else Decimal(0)
                lat = (
                    None
                    if place.latitude is None
                    else max(Decimal(-90), min(Decimal(90), place.latitude + jitter))
                )
                lon = (
                    None
                    if place.longitude is None
                    else max(Decimal(-180), min(Decimal(180), place.longitude + jitter))
                )
                records.append(
                    Locality(
                        name=NAME_FORMS[copy % len(NAME_FORMS)].format(place.name)[:200],
                        country=place.country,
                        kind=Locality.Kind.CITY,
                        latitude=lat if lon is not None else None,
                        longitude=lon if lat is not None else None,
                    )
                )
            created = _bulk_create(records, Locality, history)
            aliases = []
            for (copy, index), locality in zip(chunk, created, strict=True):
                ids[(copy, index)] = locality.pk
                if rng.random() < 0.3:
                    # A former name, or another spelling (transliterated, upper-cased words).
                    if rng.random() < 0.5:
                        name, kind = f"{rng.choice(['Old', 'Alt', 'Staro'])} {locality.name}", "former"
                    else:
                        name, kind = f"{unidecode(locality.name).replace(' ', '-')}-Stadt", "variant"
                    alias = LocalityAlias(locality=locality, name=name[:200], kind=kind)
                    alias.clean_fields(exclude=["locality", "name_key"])
                    aliases.append(alias)
            LocalityAlias.objects.bulk_create(aliases)
            counts.localities += len(created)
            counts.aliases += len(aliases)
            progress("localities", counts.localities, len(todo))

        # Partnerships: each pair once per copy (copy k joins the k-th copies of its places).
        planned = [
            (copy, a, b) for copy in range(copies) for a, b in pairs if (copy, a) in ids and (copy, b) in ids
        ][: wanted if scale < 1 else None]
        for chunk in _batches(planned, batch):
            timelines, partnerships = [], []
            for copy, a, b in chunk:
                start = rng.randint(1955, 1999)
                events = [
                    StatusEvent(
                        kind=kind,
                        status=status,
                        **StatusEvent.effective.columns(_date(rng, start, when)),
                        note="" if rng.random() < 0.7 else f"Reported by the council ({start})",
                    )
                    for kind, status, when in rng.choice(TIMELINES)
                ]
                services.validate_timeline(events)
                timelines.append(events)
                established = _date(rng, start, 0) if rng.random() < 0.6 else None
                partnerships.append(
                    Partnership(
                        locality_a_id=ids[(copy, a)],
                        locality_b_id=ids[(copy, b)],
                        level=rng.choice(Partnership.Level.values),
                        **Partnership.established.columns(established),
                        **reported_status_fields(events),
                    )
                )
            # As the import writes them (applying._write_new_partnerships): each record's
            # own fields checked, the pairs unique by construction (no query per pair).
            for partnership in partnerships:
                check_record_fields(partnership)
            written: list[Partnership] = list(bulk_create_with_history(partnerships, Partnership, **history))
            events_flat = []
            for partnership, events in zip(written, timelines, strict=True):
                for event in events:
                    event.partnership = partnership
                    events_flat.append(event)
            events_created = _bulk_create(events_flat, StatusEvent, history)
            citations = [
                Citation(
                    source=rng.choice(sources), partnership=p, quote=f"{p.pk}: twinned", locator="scale data"
                )
                for p in written
            ]
            citations += [
                Citation(
                    source=rng.choice(sources),
                    status_event=e,
                    quote=f"The partnership was {e.status}.",
                    locator="scale data",
                )
                for e in events_created
            ]
            _bulk_create(citations, Citation, history)
            counts.partnerships += len(written)
            counts.events += len(events_created)
            counts.citations += len(citations)
            progress("partnerships", counts.partnerships, len(planned))
    return counts
