"""Adapters for the two public data sets bundled in fixtures/datasets/ (see its README).

Each adapter turns the data set's own columns into rows of the import format, so they go
through the same import service, validation and matching as any spreadsheet. Row numbers
are those of the original file (its header is row 1), so a reported error points at the
line to look at. The verbatim CSV line is the citation's quote and its row number the
locator: every imported partnership can be traced to the line it came from."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from partnerships.dates import PartialDate
from partnerships.models import Locality, Partnership, Source
from partnerships.text import normalize_name

from .countries import resolve_country, subdivision_code
from .formats import ImportFileError, open_text
from .rows import SourceSpec

DATASET_DIR = Path(settings.BASE_DIR) / "fixtures" / "datasets"

Kind = Locality.Kind
Level = Partnership.Level


def _line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


def _read(path, expected_columns) -> Iterator[tuple[int, dict, str]]:
    with open_text(path) as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != list(expected_columns):
            raise ImportFileError(
                f"{path} does not have the expected columns: {', '.join(expected_columns)}."
            )
        for number, values in enumerate(reader, 2):
            if any(v.strip() for v in values):
                yield number, dict(zip(expected_columns, values, strict=False)), _line(values)


@dataclass(frozen=True)
class Dataset:
    slug: str
    filename: str
    columns: tuple[str, ...]
    source: SourceSpec
    # Rows of the bundled file known to be wrong ({row: why}): the import reports and
    # skips them (only for the bundled copy), so the command succeeds as documented.
    known_bad_rows: dict[int, str] = field(default_factory=dict)

    @property
    def default_path(self) -> Path:
        return DATASET_DIR / self.filename

    def rows(self, path=None, *, limit: int | None = None) -> Iterator[tuple[int, dict]]:
        path = Path(path) if path else self.default_path
        for count, (number, raw, line) in enumerate(_read(path, self.columns), 1):
            if limit is not None and count > limit:
                return
            row = self.convert(raw)
            row["quote"] = line
            row["locator"] = f"row {number} of {self.filename.removesuffix('.gz')}"
            yield number, row

    def convert(self, raw: dict) -> dict:
        raise NotImplementedError


# --------------------------------------------------------------------------- Hekman


def _hekman_party(name: str, country: str) -> tuple[str, str, str]:
    """(name, country, kind) for a Hekman cell pair. Five rows have no country: the
    name is then "Varna, Bulgaria" or a territory such as "Falkland Islands"."""
    name, country = name.strip(), country.strip()
    if not country:
        if "," in name:
            place, _, rest = name.rpartition(",")
            return place.strip(), rest.strip(), ""
        if resolve_country(name) is not None:
            return name, name, Kind.COUNTRY
    return name, country, ""


class HekmanDataset(Dataset):
    def convert(self, raw):
        row: dict[str, str] = {}
        for side, n in (("a", "1"), ("b", "2")):
            name, country, kind = _hekman_party(raw[f"city{n}"], raw[f"country{n}"])
            row |= {
                f"{side}_name": name,
                f"{side}_country": country,
                f"{side}_kind": kind,
                f"{side}_latitude": raw[f"lat{n}"],
                f"{side}_longitude": raw[f"lng{n}"],
            }
        # The Wikipedia lists do not say which kind of agreement it is, nor since when.
        row["level"] = ""
        return row


HEKMAN = HekmanDataset(
    slug="hekman",
    filename="hekman_twin_cities_geocoded.csv.gz",
    columns=("city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"),
    known_bad_rows={
        12069: "Nienburg paired with itself",
        19992: "Lagoa (Azores) geocoded to Lagoa in the Algarve, its partner: one place twice",
        24153: "Stryi paired with itself",
        24482: "Dobřany paired with itself",
    },
    source=SourceSpec(
        title="Twin cities of the world, scraped from the English Wikipedia lists of twin towns and sister cities",
        url="https://github.com/Hekman/twincities/blob/84ebdec26ee6878367953cfbc56311ae6452752b/app/public/twin_cities.csv",
        publisher="Erik Hekman, Hekman/twincities on GitHub",
        kind=Source.Kind.DATASET,
        published=PartialDate.parse("2026-02-08"),
        notes=(
            "A data set of about 26,000 pairs scraped from the English Wikipedia pages “List of twin "
            "towns and sister cities in …” and geocoded (Wikipedia API, Nominatim). Repository under the "
            "MIT license (© 2026 Erik Hekman); the Wikipedia text it comes from is CC BY-SA 4.0. It gives "
            "neither dates nor statuses nor the kind of agreement."
        ),
    ),
)


# --------------------------------------------------------------------------- muenchdo

# p = Partnerschaft (a formal town twinning), f = Freundschaft (a friendship agreement),
# k = Kontakt (contacts or cooperation short of a twinning); blank: not stated.
FORM_LEVELS = {"p": Level.SISTER_CITY, "f": Level.FRIENDSHIP, "k": Level.COOPERATION, "": Level.PARTNERSHIP}
_COUNTY_WORDS = ("kreis", "verbandsgemeinde", "samtgemeinde", "amt", "gemeindeverwaltungsverband")


def _german_kind(name: str) -> str:
    key = normalize_name(name)
    if key.startswith(("bezirk ", "bezirkoberfranken", "wojewodschaft ", "region ")):
        return Kind.REGION
    words = set(key.split())
    if words & set(_COUNTY_WORDS) or key.endswith("kreis"):
        return Kind.COUNTY
    return Kind.CITY


_BEZIRK = re.compile(r"^(?P<city>[^()]+?)\s*\(Bezirk (?P<part>[^()]+)\)$")


def _german_name(name: str) -> str:
    name = name.strip()
    # "Berlin (Bezirk Mitte)" is a part of Berlin: named "Mitte (Berlin)", as Wikipedia
    # does, so that matching does not take it for Berlin itself.
    bezirk = _BEZIRK.match(name)
    if bezirk:
        return f"{bezirk['part'].strip()} ({bezirk['city'].strip()})"
    # "Aachen (Kreis) (Aachen, Stadt)": the district, with its seat in parentheses.
    marker = "(Kreis)"
    if marker in name:
        return name[: name.index(marker) + len(marker)]
    return name


def _trusted_partner_coordinates(raw) -> bool:
    """The partner was geocoded to its own name, not to its country's centroid (1,016
    rows) or to another place; wrong coordinates would hide a true match."""
    place = raw["partner_place_name"].strip()
    if not place or place == raw["country"].strip():
        return False
    first = normalize_name(place.split(",")[0])
    name = normalize_name(raw["partnergemeinde"].split("(")[0])
    return bool(first and name) and (first in name or name in first)


def _trusted_municipality_coordinates(raw) -> bool:
    """The German municipality was not geocoded to its federal state's centroid (47
    municipalities, e.g. Lübeck at "Schleswig-Holstein, Germany", 55 km from Lübeck:
    such coordinates would veto the true match and make a duplicate). A city-state
    (Berlin, Hamburg, Bremen) is its state: its coordinates stand."""
    place = raw["municipality_place_name"].strip()
    first = normalize_name(place.split(",")[0])
    states = {normalize_name(raw["bundesland"]), normalize_name(raw["state"])} - {""}
    if first not in states and normalize_name(place) not in ("germany", ""):
        return True
    return normalize_name(raw["municipality"]) in states


class MuenchdoDataset(Dataset):
    def convert(self, raw):
        municipality = _german_name(raw["municipality"])
        german_kind = _german_kind(raw["municipality"])
        partner = _german_name(raw["partnergemeinde"])
        level = FORM_LEVELS.get(raw["form"].strip().lower(), Level.PARTNERSHIP)
        if level == Level.SISTER_CITY and german_kind == Kind.COUNTY:
            level = Level.SISTER_COUNTY
        elif level == Level.SISTER_CITY and german_kind == Kind.REGION:
            level = Level.SISTER_STATE
        trusted = _trusted_partner_coordinates(raw)
        own = _trusted_municipality_coordinates(raw)
        year = raw["seit"].strip()  # the year it began: a date with year precision
        return {
            "a_name": municipality,
            "a_country": "DE",
            "a_subdivision": subdivision_code("DE", raw["bundesland"]),
            "a_kind": german_kind,
            "a_latitude": raw["latitude"] if own else "",
            "a_longitude": raw["longitude"] if own else "",
            "b_name": partner,
            "b_country": raw["country"].strip(),
            "b_kind": _german_kind(partner),
            "b_latitude": raw["partner_latitude"] if trusted else "",
            "b_longitude": raw["partner_longitude"] if trusted else "",
            "level": level,
            "established": year,
        }


MUENCHDO = MuenchdoDataset(
    slug="muenchdo",
    filename="muenchdo_german_twin_towns_with_year.csv.gz",
    columns=(
        "municipality",
        "plz",
        "bundesland",
        "state",
        "latitude",
        "longitude",
        "municipality_place_name",
        "partnergemeinde",
        "land",
        "country",
        "kontinent",
        "continent",
        "seit",
        "form",
        "partner_latitude",
        "partner_longitude",
        "partner_place_name",
    ),
    source=SourceSpec(
        title="German twin towns with start year and type (muenchdo/TwinTowns)",
        url="https://github.com/muenchdo/TwinTowns/blob/6144481b3684f117c4d4a251fffc81d754ea5f07/data/data/TwinTowns.csv",
        publisher="Dominik Muench, muenchdo/TwinTowns on GitHub",
        kind=Source.Kind.DATASET,
        published=PartialDate.parse("2015"),
        notes=(
            "6,912 partnerships of German municipalities with the year they began and their form "
            "(p: Partnerschaft, f: Freundschaft, k: Kontakt). The upstream origin is not stated; the "
            "columns look like the German section of the CEMR (RGRE) database of municipal "
            "partnerships, so treat it as unverified. Repository under the MIT license (© 2015 Dominik "
            "Muench); the license of the upstream data is unknown."
        ),
    ),
)

DATASETS = {dataset.slug: dataset for dataset in (HEKMAN, MUENCHDO)}
