"""Reading one row of the import format (see formats.py): its two parties, level,
established date, status and source, each checked with the models' own field validation
and clean(), without touching the database. A bad row raises RowError with every reason."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from partnerships.dates import PartialDate
from partnerships.gazetteer import check_coordinates
from partnerships.identity import inferred_kind
from partnerships.models import Citation, Locality, Partnership, Source, StatusEvent
from partnerships.services import SourceInput
from partnerships.text import normalize_name

from .countries import resolve_country, subdivision_code
from .formats import control_character
from .matching import Place

Level = Partnership.Level
Status = Partnership.Status

SIDES = (("a", "first party"), ("b", "second party"))


@dataclass(frozen=True)
class SourceSpec(SourceInput):
    """The source an import cites: found by URL (or by title without one), created if new
    (it is the services' SourceInput, a data set unless it says otherwise)."""

    kind: str = Source.Kind.DATASET

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


class RowError(Exception):
    pass


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


def error_messages(error: ValidationError, prefix: str = "") -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{prefix}{'' if name == '__all__' else name.replace('_', ' ') + ': '}{message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [f"{prefix}{message}" for message in error.messages]


# What the checks here leave out of each record: its links to other records (set only
# when writing; checking a foreign key is a query) and the keys save() derives.
_EXCLUDE: dict[type[models.Model], list[str]] = {
    Locality: ["parent", "name_key", "native_name_key", "identity_key", "merged_into"],
    Partnership: ["locality_a", "locality_b", "last_verified_by", "organizations", "focus_areas"],
    StatusEvent: ["partnership", "declaring_organization", "recorded_by"],
    Citation: ["source", *Citation.TARGETS],
    Source: ["title_key"],
}


def check_record(instance: models.Model) -> None:
    """The model's own field validation and clean(), without its database checks (the
    pair and uniqueness checks are done in memory for the whole file instead): cheap
    enough for every record an import bulk-creates. Raises ValidationError."""
    instance.clean_fields(exclude=_EXCLUDE[type(instance)])
    instance.clean()


def _validate(instance: models.Model, prefix: str) -> None:
    try:
        check_record(instance)
    except ValidationError as exc:
        raise RowError("; ".join(error_messages(exc, prefix))) from None


def new_event(status: str, date: PartialDate, **fields: Any) -> StatusEvent:
    """An unsaved status event of ``status`` since ``date``."""
    return StatusEvent(status=status, **StatusEvent.effective.columns(date), **fields)


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

    def status_event(self, **fields: Any) -> StatusEvent | None:
        """The unsaved status event the row gives (None without a status)."""
        if not self.status or self.status_date is None:
            return None
        return new_event(self.status, self.status_date, **fields)


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
        cell("wikidata"),
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
    # Not stated: what the name's own words say ("Roth (district)" is a county), if anything.
    kind = (
        _choice(cell("kind"), Locality.Kind.choices, f"{label} kind") if cell("kind") else inferred_kind(name)
    )
    latitude = _coordinate(cell("latitude"), f"the {label}'s latitude")
    longitude = _coordinate(cell("longitude"), f"the {label}'s longitude")
    # Mirrors the constraint locality_coordinates_valid (clean() checks only "both or neither").
    if latitude is not None and not -90 <= latitude <= 90:
        raise RowError(f"the {label}'s latitude {latitude} is not within ±90")
    if longitude is not None and not -180 <= longitude <= 180:
        raise RowError(f"the {label}'s longitude {longitude} is not within ±180")
    check = check_coordinates(latitude, longitude, country.code, kind or Locality.Kind.CITY)
    place = Place(
        name=name,
        country=country.code,
        subdivision=subdivision,
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        wikidata_id=(cell("wikidata_id") or cell("wikidata")).upper(),
        coordinates_check=check.result,
        coordinates_note=check.note,
    )
    _validate(locality_for(place), f"{label}: ")
    cache[raw] = place
    return place


def locality_for(place: Place) -> Locality:
    return Locality(
        name=place.name,
        country=place.country,
        subdivision=place.subdivision,
        kind=place.kind or Locality.Kind.CITY,
        latitude=place.latitude,
        longitude=place.longitude,
        wikidata_id=place.wikidata_id,
        coordinates_check=place.coordinates_check,
    )


def _parse_date(text: str | None, what: str) -> PartialDate | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return PartialDate.parse(text)
    except ValueError:
        raise RowError(f"{what} “{text}” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD") from None


def source_for(spec: SourceSpec) -> Source:
    """The unsaved source an import creates for ``spec``, as services.create_source makes it."""
    return Source(
        title=spec.title.strip(),
        publisher=spec.publisher,
        author=spec.author,
        **Source.published.columns(spec.published),
        url=spec.url,
        language=spec.language,
        kind=spec.kind,
        notes=spec.notes,
    )


def _check_source(spec: SourceSpec, cache: dict) -> str | None:
    """Why the source a row cites cannot be created (its URL is not a web address, its
    title too long, …), checked once per source; None when it can. A source already
    recorded is found by URL or title instead, but it is checked the same, so a preview
    never depends on what is recorded."""
    key = ("source", spec)
    if key not in cache:
        try:
            _validate(source_for(spec), "source: ")
            cache[key] = None
        except RowError as exc:
            cache[key] = str(exc)
    return cache[key]


def control_characters(row: dict) -> list[str]:
    """A reason for each cell of the row that holds a control character (NUL, …),
    naming its column."""
    reasons = []
    for column, value in row.items():
        if column.startswith("__") or not isinstance(value, str):
            continue
        problem = control_character(value)
        if problem:
            reasons.append(f"{column}: holds a control character ({problem}); remove it")
    return reasons


def parse_row(
    number: int, row: dict, default_source: SourceSpec | None, cache: dict | None = None
) -> ParsedRow:
    cache = {} if cache is None else cache
    errors = control_characters(row)
    places = []
    if row.get("__extra__"):
        errors.append(f"{row['__extra__']} more cell(s) than the header has columns")
    for side, label in SIDES:
        try:
            places.append(_parse_place(row, side, label, cache))
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
                **Partnership.established.columns(established),
            ),
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
            _validate(new_event(status, status_date), "status: ")
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
    else:
        problem = _check_source(source, cache)
        if problem:
            errors.append(problem)
    quote, locator = (row.get("quote") or "").strip(), (row.get("locator") or "").strip()
    try:
        # Checked as the citation of the row's partnership that it becomes.
        _validate(Citation(quote=quote, locator=locator, partnership=Partnership()), "citation: ")
    except RowError as exc:
        errors.append(str(exc))
    if errors or source is None:
        raise RowError("; ".join(errors))
    return ParsedRow(
        number=number,
        places=(places[0], places[1]),
        level=level,
        established=established,
        status=status,
        status_date=status_date,
        source=source,
        quote=quote,
        locator=locator,
    )
