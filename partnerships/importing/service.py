"""The import service: rows in the import format (see formats.py) into the registry.

One function, ``import_partnerships``, serves the management commands, the data set
adapters and the admin's upload page. It works in two phases:

1. **Plan**, reading only: every row is parsed and validated with the models' own field
   validation and clean() (so the rules are those of the services), its parties are
   matched to localities in memory (matching.py), and it is classified as a partnership
   to create, one to update, one unchanged, or an error with the reason. The queries are
   a fixed handful whatever the number of rows.
2. **Apply**, unless it is a dry run or a row failed (and bad rows are not to be
   skipped): in one transaction, new localities, partnerships, status events and
   citations (of each new partnership, its first status event and each new locality) are
   bulk-created in batches, with their edit history (the importing user and a change
   reason naming the import). A bad row is never half-written: rows are
   written only after all of them were planned.

Re-importing the same file changes nothing: each pair is found again (in either order),
the data set is already cited, and the values are the same."""

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partnerships import services
from partnerships.dates import PartialDate
from partnerships.models import Citation, Locality, Partnership, Source, StatusEvent
from partnerships.text import normalize_name

from .countries import resolve_country, subdivision_code
from .matching import Candidate, LocalityIndex, Match, Place

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
PROGRESS_EVERY = 500

Level = Partnership.Level
Status = Partnership.Status

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
SIDES = (("a", "first party"), ("b", "second party"))


@dataclass(frozen=True)
class SourceSpec:
    """The source an import cites: found by URL (or by title without one), created if new."""

    title: str
    url: str = ""
    publisher: str = ""
    author: str = ""
    kind: str = Source.Kind.DATASET
    language: str = "en"
    notes: str = ""
    published: PartialDate | None = None

    @classmethod
    def from_text(cls, text: str, **kwargs) -> "SourceSpec":
        """--source "<title or URL>"."""
        text = (text or "").strip()
        title = (kwargs.pop("title", "") or "").strip()
        if text.lower().startswith(("http://", "https://")):
            return cls(title=title or text, url=text, **kwargs)
        return cls(title=title or text, **kwargs)

    def __str__(self):
        return self.title or self.url


@dataclass
class RowOutcome:
    row: int
    action: str
    message: str = ""
    pair: str = ""


@dataclass
class ImportReport:
    label: str = ""
    dry_run: bool = False
    skip_bad_rows: bool = False
    rows: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)
    localities_matched: int = 0
    localities_created: int = 0
    localities_ambiguous: int = 0
    written: bool = False
    file_error: str = ""

    def _count(self, action):
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def created(self) -> int:
        return self._count(CREATE)

    @property
    def updated(self) -> int:
        return self._count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    @property
    def errors(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.action == ERROR]

    @property
    def groups(self) -> list[tuple[str, str, list[RowOutcome]]]:
        """(action, heading, outcomes) for the rows to create, to update and unchanged."""
        headings = (
            (CREATE, "Created" if self.written else "To create"),
            (UPDATE, "Updated" if self.written else "To update"),
            (UNCHANGED, "Unchanged"),
        )
        return [
            (action, heading, [o for o in self.outcomes if o.action == action])
            for action, heading in headings
        ]

    @property
    def ok(self) -> bool:
        return not self.file_error and (not self.errors or self.skip_bad_rows)

    def summary(self) -> str:
        if self.file_error:
            return self.file_error
        if self.dry_run:
            verb = "Dry run, nothing written"
        elif self.written:
            verb = "Imported"
        else:
            verb = "Nothing written (fix the rows below or skip bad rows)"
        create, update = ("created", "updated") if self.written else ("to create", "to update")
        return (
            f"{verb}: {self.rows} rows: {self.created} partnerships {create}, {self.updated} {update}, "
            f"{self.unchanged} unchanged, {len(self.errors)} with errors. Localities: "
            f"{self.localities_matched} matched, {self.localities_created} new, "
            f"{self.localities_ambiguous} ambiguous."
        )

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "dry_run": self.dry_run,
            "written": self.written,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [{"row": o.row, "message": o.message} for o in self.errors],
            "localities": {
                "matched": self.localities_matched,
                "created": self.localities_created,
                "ambiguous": self.localities_ambiguous,
            },
        }


class RowError(Exception):
    pass


# ---------------------------------------------------------------------- parsing rows


def _choice(value: str, choices, what: str) -> str:
    key = normalize_name(value)
    for choice_value, label in choices:
        if key in (normalize_name(choice_value), normalize_name(label)):
            return choice_value
    allowed = ", ".join(v for v, _ in choices)
    raise RowError(f"unknown {what} “{value.strip()}” (one of: {allowed})")


def _coordinate(value: str, what: str) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", ".") if value.count(",") == 1 and "." not in value else value)
    except InvalidOperation:
        raise RowError(f"{what} “{value}” is not a number") from None
    if not number.is_finite():
        raise RowError(f"{what} “{value}” is not a number")
    return number.quantize(Decimal("0.00001"))


def _messages(error: ValidationError, prefix: str = "") -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{prefix}{'' if name == '__all__' else name.replace('_', ' ') + ': '}{message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [f"{prefix}{message}" for message in error.messages]


def _validate(instance, exclude, prefix: str) -> None:
    """The model's own field validation and clean(), without its database checks (the
    pair and uniqueness checks are done in memory for the whole file instead)."""
    try:
        instance.clean_fields(exclude=exclude)
        instance.clean()
    except ValidationError as exc:
        raise RowError("; ".join(_messages(exc, prefix))) from None


_LOCALITY_EXCLUDE = ["parent", "name_key", "native_name_key"]
_PARTNERSHIP_EXCLUDE = ["locality_a", "locality_b", "last_verified_by", "organizations", "focus_areas"]
_EVENT_EXCLUDE = ["partnership", "declaring_organization", "recorded_by"]


@dataclass
class ParsedRow:
    number: int
    places: tuple[Place, Place]
    level: str
    established: PartialDate | None
    status: str
    status_date: PartialDate | None
    source: SourceSpec
    quote: str
    locator: str


def _parse_place(row: dict, side: str, label: str, cache: dict) -> Place:
    def cell(name):
        return (row.get(f"{side}_{name}") or "").strip()

    name = cell("name")
    if not name:
        raise RowError(f"the {label}'s name is empty")
    country_text = cell("country")
    if not country_text:
        raise RowError(f"the {label}'s country is empty")
    raw = (
        name,
        country_text,
        cell("subdivision"),
        cell("kind"),
        cell("latitude"),
        cell("longitude"),
        cell("wikidata_id"),
    )
    # A data set names the same place in many rows: parse and validate it once.
    if raw in cache:
        return cache[raw]
    country = resolve_country(country_text)
    if country is None:
        raise RowError(f"unknown country “{country_text}” for the {label} ({name})")
    subdivision = country.subdivision
    if cell("subdivision"):
        subdivision = subdivision_code(country.code, cell("subdivision"))
        if not subdivision:
            raise RowError(
                f"“{cell('subdivision')}” is not an ISO 3166-2 subdivision of {country.code} (the {label})"
            )
    kind = _choice(cell("kind"), Locality.Kind.choices, f"{label} kind") if cell("kind") else ""
    latitude = _coordinate(cell("latitude"), f"the {label}'s latitude")
    longitude = _coordinate(cell("longitude"), f"the {label}'s longitude")
    # Mirrors the constraint locality_coordinates_valid (clean() checks only "both or neither").
    if latitude is not None and not -90 <= latitude <= 90:
        raise RowError(f"the {label}'s latitude {latitude} is not within ±90")
    if longitude is not None and not -180 <= longitude <= 180:
        raise RowError(f"the {label}'s longitude {longitude} is not within ±180")
    place = Place(
        name=name,
        country=country.code,
        subdivision=subdivision,
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        wikidata_id=cell("wikidata_id").upper(),
    )
    _validate(_locality_for(place), _LOCALITY_EXCLUDE, f"{label}: ")
    cache[raw] = place
    return place


def _locality_for(place: Place) -> Locality:
    return Locality(
        name=place.name,
        country=place.country,
        subdivision=place.subdivision,
        kind=place.kind or Locality.Kind.CITY,
        latitude=place.latitude,
        longitude=place.longitude,
        wikidata_id=place.wikidata_id,
    )


def _parse_date(text: str, what: str) -> PartialDate | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return PartialDate.parse(text)
    except ValueError:
        raise RowError(f"{what} “{text}” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD") from None


def parse_row(
    number: int, row: dict, default_source: SourceSpec | None, cache: dict | None = None
) -> ParsedRow:
    errors = []
    places = []
    if row.get("__extra__"):
        errors.append(f"{row['__extra__']} more cell(s) than the header has columns")
    for side, label in SIDES:
        try:
            places.append(_parse_place(row, side, label, {} if cache is None else cache))
        except RowError as exc:
            errors.append(str(exc))
    level = status = ""
    established = status_date = None
    try:
        if (row.get("level") or "").strip():
            level = _choice(row["level"], Level.choices, "level")
        established = _parse_date(row.get("established"), "the established date")
        _validate(
            Partnership(
                level=level or Level.PARTNERSHIP,
                established_on=established.date if established else None,
                established_precision=established.precision if established else "",
            ),
            _PARTNERSHIP_EXCLUDE,
            "",
        )
    except RowError as exc:
        errors.append(str(exc))
    try:
        if (row.get("status") or "").strip():
            status = _choice(row["status"], Status.choices, "status")
            status_date = _parse_date(row.get("status_date"), "the status date")
            if status_date is None:
                raise RowError("a status needs a status date (YYYY, YYYY-MM or YYYY-MM-DD)")
            _validate(
                StatusEvent(
                    status=status, effective_on=status_date.date, effective_precision=status_date.precision
                ),
                _EVENT_EXCLUDE,
                "status: ",
            )
        elif (row.get("status_date") or "").strip():
            raise RowError("a status date without a status")
    except RowError as exc:
        errors.append(str(exc))
    source = default_source
    title, url = (row.get("source_title") or "").strip(), (row.get("source_url") or "").strip()
    if title or url:
        source = SourceSpec(title=title or url, url=url, kind=Source.Kind.OTHER)
    if source is None:
        errors.append("no source: give the file's source (--source) or fill in source_title / source_url")
    if errors:
        raise RowError("; ".join(errors))
    return ParsedRow(
        number=number,
        places=tuple(places),
        level=level,
        established=established,
        status=status,
        status_date=status_date,
        source=source,
        quote=(row.get("quote") or "").strip(),
        locator=(row.get("locator") or "").strip(),
    )


# -------------------------------------------------------------------------- planning


@dataclass
class _Existing:
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
class _Planned:
    row: ParsedRow
    a: Candidate
    b: Candidate
    existing: _Existing | None = None
    changes: dict = field(default_factory=dict)
    cite: bool = False
    status_event: bool = False


def _chunks(items, size=900):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_sources(specs: Iterable[SourceSpec]) -> dict[SourceSpec, Source | None]:
    specs = set(specs)
    urls = {s.url for s in specs if s.url}
    titles = {s.title for s in specs if not s.url}
    found = Source.objects.filter(Q(url__in=urls) | Q(title__in=titles, url="")) if specs else []
    by_url = {s.url: s for s in found if s.url}
    by_title = {s.title: s for s in found if not s.url}
    return {spec: by_url.get(spec.url) if spec.url else by_title.get(spec.title) for spec in specs}


def _load_partnerships(countries) -> dict[tuple[int, int], _Existing]:
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
        existing = _Existing(*values)
        result[(min(existing.a, existing.b), max(existing.a, existing.b))] = existing
    return result


def _plan_changes(item: _Planned, cited: set[tuple[int, int]], source_ids: dict) -> None:
    row, existing = item.row, item.existing
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
    if row.status and (
        existing.current_status,
        existing.current_status_since,
        existing.current_status_since_precision,
    ) != (
        row.status,
        row.status_date.date,
        row.status_date.precision,
    ):
        item.status_event = True


def _describe(item: _Planned) -> str:
    bits = []
    for name, (before, after) in item.changes.items():
        bits.append(f"{name} {before or '—'} → {after}")
    if item.status_event:
        bits.append(f"status {item.row.status} since {item.row.status_date}")
    if item.cite:
        bits.append(f"cite {item.row.source}")
    return "; ".join(bits)


def _check_timelines(planned: list[_Planned]) -> dict[int, str]:
    """Rows whose status event would not fit the partnership's recorded timeline."""
    pks = {item.existing.pk for item in planned if item.status_event}
    events = defaultdict(list)
    for chunk in _chunks(pks):
        for event in StatusEvent.objects.filter(partnership_id__in=chunk).only(
            "id", "partnership_id", "status", "effective_on", "effective_precision"
        ):
            events[event.partnership_id].append(event)
    problems = {}
    for item in planned:
        if not item.status_event:
            continue
        new = StatusEvent(
            status=item.row.status,
            effective_on=item.row.status_date.date,
            effective_precision=item.row.status_date.precision,
        )
        try:
            services.validate_timeline([*events[item.existing.pk], new])
        except ValidationError as exc:
            problems[item.row.number] = "; ".join(_messages(exc, ""))
    return problems


def _settle_by_recorded_pair(matches: list[Match], existing: dict) -> None:
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


# -------------------------------------------------------------------------- the service


def import_partnerships(
    *,
    rows: Iterable[tuple[int, dict]],
    source: SourceSpec | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    user=None,
    label: str = "",
    progress: Callable[[str, int, int], None] | None = None,
    repeated_pairs: str = "error",
) -> ImportReport:
    """Import rows (row number, {column: text}) in the import format; see the module's
    docstring. ``source`` is cited by every row that names no source of its own.

    A pair listed twice (in either order) is an error, as a file lists each partnership
    once; ``repeated_pairs="skip"`` reports the repeats as unchanged instead, for data sets
    that list a pair under each of its two countries."""
    report = ImportReport(label=label, dry_run=dry_run, skip_bad_rows=skip_bad_rows)
    progress = progress or (lambda phase, done, total: None)
    rows = list(rows)
    report.rows = len(rows)
    outcomes: dict[int, RowOutcome] = {}

    def fail(number, message, pair=""):
        outcomes[number] = RowOutcome(number, ERROR, message, pair)

    # 1. Parse and validate each row on its own.
    parsed: list[ParsedRow] = []
    places: dict[tuple, Place] = {}
    for done, (number, row) in enumerate(rows, 1):
        try:
            parsed.append(parse_row(number, row, source, places))
        except RowError as exc:
            fail(number, str(exc))
        if done % PROGRESS_EVERY == 0 or done == len(rows):
            progress("checking rows", done, len(rows))

    # 2. Match the parties, in memory.
    countries = {p.country for r in parsed for p in r.places}
    index = LocalityIndex.load(countries)
    existing = _load_partnerships(countries) if countries else {}
    sources = _load_sources(r.source for r in parsed)
    known_sources = [s.pk for s in sources.values() if s is not None]
    cited = (
        set(
            Citation.objects.filter(source_id__in=known_sources, partnership__isnull=False).values_list(
                "source_id", "partnership_id"
            )
        )
        if known_sources
        else set()
    )

    planned: list[_Planned] = []
    seen_pairs: dict[tuple[int, int], int] = {}
    ambiguous_names = set()
    for done, row in enumerate(parsed, 1):
        if done % PROGRESS_EVERY == 0 or done == len(parsed):
            progress("matching localities", done, len(parsed))
        resolved, problems = [], []
        matches = [index.match(place) for place in row.places]
        if any(m.options for m in matches):
            _settle_by_recorded_pair(matches, existing)
        for side, (place, match, (_, label_)) in enumerate(zip(row.places, matches, SIDES, strict=True)):
            if side == 1 and match.candidate is None and not match.ambiguous and resolved:
                # The first party may have just been added: "Springfield – Springfield".
                match = index.match(place)
            if match.error:
                problems.append(f"{label_}: {match.error}")
            elif match.ambiguous:
                ambiguous_names.add((place.country, normalize_name(place.name)))
                choices = "; ".join(str(c) for c in match.ambiguous[:5])
                problems.append(
                    f"the {label_} “{place.name}” ({place.country}) matches {len(match.ambiguous)} "
                    f"localities: {choices}. Give its coordinates or Wikidata id to tell them apart"
                )
            else:
                resolved.append(match.candidate or index.add_new(place))
        pair_text = " – ".join(p.name for p in row.places)
        if problems:
            fail(row.number, "; ".join(problems), pair_text)
            continue
        a, b = resolved
        if a.id == b.id:
            fail(row.number, f"both parties are the same locality ({a}): a partnership needs two", pair_text)
            continue
        key = (min(a.id, b.id), max(a.id, b.id))
        if key in seen_pairs and repeated_pairs == "skip":
            outcomes[row.number] = RowOutcome(
                row.number, UNCHANGED, f"the same partnership as row {seen_pairs[key]}; skipped", pair_text
            )
            continue
        if key in seen_pairs:
            fail(
                row.number,
                f"the same partnership as row {seen_pairs[key]} (a pair is one partnership in either "
                "order): list it once",
                pair_text,
            )
            continue
        seen_pairs[key] = row.number
        planned.append(_Planned(row=row, a=a, b=b, existing=existing.get(key)))

    for item in planned:
        if item.existing:
            _plan_changes(item, cited, sources)
        elif item.row.status:
            problem = services.transition_error(None, item.row.status)
            if problem:
                fail(item.row.number, f"status: {problem}")
    for number, problem in _check_timelines([i for i in planned if i.existing]).items():
        fail(number, problem)
    planned = [item for item in planned if item.row.number not in outcomes]

    for item in planned:
        pair_text = f"{item.a.name} – {item.b.name}"
        if item.existing is None:
            outcomes[item.row.number] = RowOutcome(item.row.number, CREATE, "", pair_text)
        elif item.changes or item.cite or item.status_event:
            outcomes[item.row.number] = RowOutcome(item.row.number, UPDATE, _describe(item), pair_text)
        else:
            outcomes[item.row.number] = RowOutcome(
                item.row.number, UNCHANGED, f"already recorded as #{item.existing.pk}", pair_text
            )
    report.outcomes = [outcomes[n] for n in sorted(outcomes)]
    used = {c.id: c for item in planned for c in (item.a, item.b)}
    report.localities_matched = sum(1 for pk in used if pk > 0)
    report.localities_created = sum(1 for pk in used if pk < 0)
    report.localities_ambiguous = len(ambiguous_names)

    if dry_run or (report.errors and not skip_bad_rows):
        return report
    try:
        _apply(planned, used, sources, user=user, label=label, progress=progress)
    except (IntegrityError, ValidationError) as exc:
        # Someone else wrote the same records between the check and the write: the
        # transaction is rolled back whole, and a new run will see their records.
        logger.warning("Import %s rolled back: %s", label, exc)
        report.file_error = (
            "Nothing was written: the registry changed while importing (another edit or import "
            f"created the same records). Run the import again. ({exc})"
        )
        return report
    report.written = True
    return report


# ---------------------------------------------------------------------------- writing


def _change_reason(label: str, source: SourceSpec | None = None) -> str:
    reason = f"Imported from {label}" if label else "Imported"
    if source is not None:
        reason += f" (source: {source})"
    return reason[:100]


@transaction.atomic
def _apply(planned: list[_Planned], used: dict[int, Candidate], sources, *, user, label, progress) -> None:
    now = timezone.now()
    default_source = next((item.row.source for item in planned), None)
    history = {
        "default_user": user,
        "default_change_reason": _change_reason(label, default_source),
        "default_date": now,
        "batch_size": BATCH_SIZE,
    }
    total = len(planned)

    # Sources: few per import, created through the service (full validation).
    source_objects = {}
    for spec, found in sources.items():
        if not any(item.row.source == spec for item in planned):
            continue
        source_objects[spec] = found or services.create_source(
            title=spec.title,
            url=spec.url,
            publisher=spec.publisher,
            author=spec.author,
            kind=spec.kind,
            language=spec.language,
            notes=spec.notes,
            published=spec.published,
        )

    # Localities new to the registry.
    new_candidates = sorted((c for pk, c in used.items() if pk < 0), key=lambda c: -c.id)
    localities = [
        _locality_for(Place(c.name, c.country, c.subdivision, c.kind, c.latitude, c.longitude, c.wikidata_id))
        for c in new_candidates
    ]
    created = bulk_create_with_history(localities, Locality, **history)
    real_ids = {c.id: loc.pk for c, loc in zip(new_candidates, created, strict=True)}
    for pk in list(used):
        if pk > 0:
            real_ids[pk] = pk
    progress("writing localities", len(created), len(created))

    # New partnerships, with their first status where the row gives one.
    new_items = [item for item in planned if item.existing is None]
    partnerships = []
    for item in new_items:
        row = item.row
        partnership = Partnership(
            locality_a_id=real_ids[item.a.id],
            locality_b_id=real_ids[item.b.id],
            level=row.level or Level.PARTNERSHIP,
            established_on=row.established.date if row.established else None,
            established_precision=row.established.precision if row.established else "",
        )
        if row.status:
            # This service writes the first event below, so it keeps the derived
            # current status in step, as services.record_status_event does.
            partnership.current_status = row.status
            partnership.current_status_since = row.status_date.date
            partnership.current_status_since_precision = row.status_date.precision
        partnerships.append(partnership)
    partnerships = bulk_create_with_history(partnerships, Partnership, **history)
    progress("writing partnerships", len(partnerships), total)

    # Each new locality cites the source of the first row that named it: that data set is
    # the registry's only ground for the place's name, country and coordinates. Matched
    # localities are not cited again (the registry knew them before).
    first_rows = {}
    for item in planned:
        for candidate in (item.a, item.b):
            if candidate.id < 0:
                first_rows.setdefault(candidate.id, item.row)
    citations = [
        Citation(
            source=source_objects[first_rows[candidate.id].source],
            locality=locality,
            locator=first_rows[candidate.id].locator,
        )
        for candidate, locality in zip(new_candidates, created, strict=True)
    ]

    events, event_rows = [], []
    for item, partnership in zip(new_items, partnerships, strict=True):
        row = item.row
        citations.append(
            Citation(
                source=source_objects[row.source],
                partnership=partnership,
                quote=row.quote,
                locator=row.locator,
            )
        )
        if row.status:
            events.append(
                StatusEvent(
                    partnership=partnership,
                    status=row.status,
                    effective_on=row.status_date.date,
                    effective_precision=row.status_date.precision,
                    note=_change_reason(label),
                    recorded_by=user,
                )
            )
            event_rows.append(row)
    events = bulk_create_with_history(events, StatusEvent, **history)
    for event, row in zip(events, event_rows, strict=True):
        citations.append(
            Citation(
                source=source_objects[row.source], status_event=event, quote=row.quote, locator=row.locator
            )
        )

    # Partnerships already recorded: new values, a citation of this source, a status.
    updates = [item for item in planned if item.existing is not None and item.changes]
    by_pk = {}
    for chunk in _chunks([item.existing.pk for item in updates]):
        by_pk.update(Partnership.objects.in_bulk(chunk))
    changed = []
    for item in updates:
        partnership = by_pk[item.existing.pk]
        if "level" in item.changes:
            partnership.level = item.row.level
        if "established" in item.changes:
            partnership.established_on = item.row.established.date
            partnership.established_precision = item.row.established.precision
        partnership.updated_at = now
        changed.append(partnership)
    if changed:
        bulk_update_with_history(
            changed,
            Partnership,
            ["level", "established_on", "established_precision", "updated_at"],
            **history,
        )
    for item in planned:
        if item.existing is not None and item.cite:
            citations.append(
                Citation(
                    source=source_objects[item.row.source],
                    partnership_id=item.existing.pk,
                    quote=item.row.quote,
                    locator=item.row.locator,
                )
            )
    bulk_create_with_history(citations, Citation, **history)

    # A new status for a recorded partnership goes through the service, which checks it
    # against the whole timeline (checked already in the plan; rare in bulk files).
    for item in planned:
        if item.existing is not None and item.status_event:
            services.record_status_event(
                partnership=Partnership(pk=item.existing.pk),
                status=item.row.status,
                effective=item.row.status_date,
                note=_change_reason(label),
                citations=[
                    services.CitationInput(
                        source=source_objects[item.row.source], quote=item.row.quote, locator=item.row.locator
                    )
                ],
                recorded_by=user,
            )
    progress("done", total, total)
