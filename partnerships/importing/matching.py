"""Resolving imported place names to localities, in memory.

The candidates of every country an import mentions are loaded in two queries (the
localities and their aliases), keyed by normalised name, so matching thousands of rows
costs no query per row. A name matches a locality of the same country whose name,
native name or alias is the same ignoring case, diacritics and punctuation; failing that,
the same once a trailing disambiguator in parentheses is set aside ("Setagaya (Tokyo)"
and "Setagaya"), unless both carry different disambiguators ("Behringen (Bispingen)" is
not "Behringen (Stadtilm)"). Coordinates rule out candidates too far away and break ties
between the rest; what is still more than one candidate is ambiguous."""

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from partnerships.models import Locality, LocalityAlias
from partnerships.text import normalize_name

# How far apart two geocodings of the same place may be. Cities are geocoded near their
# centre by every source; a region, county or country may be placed anywhere in it.
CITY_TOLERANCE_KM = 50.0
AREA_TOLERANCE_KM = 400.0

_DISAMBIGUATED = re.compile(r"^(?P<base>[^()]*?)\s*\((?P<rest>.*)\)\s*$")


# Abbreviations that lists spell either way: "St. Petersburg" and "Saint Petersburg",
# "Sankt Ingbert" and "St. Ingbert", "Ste-Foy" and "Sainte-Foy".
_WORD_FORMS = {"st": "saint", "sankt": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}


def match_key(name: str) -> str:
    """normalize_name() with the abbreviations above spelt out."""
    return " ".join(_WORD_FORMS.get(word, word) for word in normalize_name(name).split())


def split_disambiguator(name: str) -> tuple[str, str]:
    """("Setagaya (Tokyo)") -> ("setagaya", "tokyo"): the base name's match key and the
    normalised text in trailing parentheses ("" when there is none)."""
    match = _DISAMBIGUATED.match(name or "")
    if not match or not match["base"].strip():
        return match_key(name), ""
    return match_key(match["base"]), normalize_name(match["rest"])


def distance_km(lat1, lon1, lat2, lon2) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (float(lat1), float(lon1), float(lat2), float(lon2)))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Candidate:
    id: int  # a locality's pk, or a negative number for one this import will create
    name: str
    country: str
    subdivision: str = ""
    kind: str = Locality.Kind.CITY
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    wikidata_id: str = ""
    disambiguators: set[str] = field(default_factory=set)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def __str__(self):
        where = f", {self.subdivision}" if self.subdivision else ""
        at = f" at {self.latitude}, {self.longitude}" if self.has_coordinates else ""
        ref = f"#{self.id}" if self.id > 0 else "new"
        return f"{self.name} ({self.country}{where}{at}; {ref})"


@dataclass(frozen=True)
class Place:
    """What an import row says about one party."""

    name: str
    country: str
    subdivision: str = ""
    kind: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    wikidata_id: str = ""

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass
class Match:
    candidate: Candidate | None = None  # the locality it resolves to; None: create one
    ambiguous: list[Candidate] = field(default_factory=list)
    error: str = ""
    # Every candidate left when there was more than one: a pair already recorded with
    # one of them settles which (so that a re-import finds the same records again).
    options: list[Candidate] = field(default_factory=list)


def _creation_order(candidate: Candidate):
    # Records first, by id; then this import's new ones in the order they were met,
    # which is the order of the ids they will get: ties break the same way next time.
    return (candidate.id < 0, abs(candidate.id))


class LocalityIndex:
    def __init__(self):
        self._by_key: dict[tuple[str, str], dict[int, Candidate]] = defaultdict(dict)
        self._by_base: dict[tuple[str, str], dict[int, Candidate]] = defaultdict(dict)
        self._by_wikidata: dict[str, Candidate] = {}
        self._next_new = -1

    @classmethod
    def load(cls, countries) -> "LocalityIndex":
        """Every locality of the given countries, with its aliases: two queries."""
        index = cls()
        countries = sorted(set(countries))
        if not countries:
            return index
        candidates: dict[int, Candidate] = {}
        names: dict[int, list[str]] = defaultdict(list)
        rows = Locality.objects.filter(country__in=countries).values_list(
            "id",
            "name",
            "native_name",
            "country",
            "subdivision",
            "kind",
            "latitude",
            "longitude",
            "wikidata_id",
        )
        for pk, name, native, country, subdivision, kind, lat, lon, wikidata in rows.iterator(
            chunk_size=5000
        ):
            candidates[pk] = Candidate(pk, name, country, subdivision, kind, lat, lon, wikidata)
            names[pk].extend(n for n in (name, native) if n)
        aliases = LocalityAlias.objects.filter(locality__country__in=countries).values_list(
            "locality_id", "name"
        )
        for pk, name in aliases.iterator(chunk_size=5000):
            names[pk].append(name)
        for pk, candidate in candidates.items():
            index._register(candidate, names[pk])
        return index

    def _register(self, candidate: Candidate, names) -> None:
        for name in names:
            full = match_key(name)
            base, disambiguator = split_disambiguator(name)
            if full:
                self._by_key[(candidate.country, full)][candidate.id] = candidate
            if base:
                self._by_base[(candidate.country, base)][candidate.id] = candidate
                candidate.disambiguators.add(disambiguator)
        if candidate.wikidata_id:
            self._by_wikidata[candidate.wikidata_id] = candidate

    def add_new(self, place: Place) -> Candidate:
        """Register a locality this import will create, so later rows match it."""
        candidate = Candidate(
            self._next_new,
            place.name,
            place.country,
            place.subdivision,
            place.kind or Locality.Kind.CITY,
            place.latitude,
            place.longitude,
            place.wikidata_id,
        )
        self._next_new -= 1
        self._register(candidate, [place.name])
        return candidate

    def match(self, place: Place) -> Match:
        if place.wikidata_id and place.wikidata_id in self._by_wikidata:
            candidate = self._by_wikidata[place.wikidata_id]
            if candidate.country != place.country:
                return Match(
                    error=f"Wikidata id {place.wikidata_id} belongs to {candidate}, which is not in "
                    f"{place.country}."
                )
            return Match(candidate=candidate)
        candidates = self._plausible(
            place, self._by_key.get((place.country, match_key(place.name)), {}).values()
        )
        if not candidates:
            base, disambiguator = split_disambiguator(place.name)
            candidates = self._plausible(
                place,
                [
                    c
                    for c in self._by_base.get((place.country, base), {}).values()
                    # Two different disambiguators name two different places.
                    if not disambiguator or not (c.disambiguators - {""}) or disambiguator in c.disambiguators
                ],
            )
        if len(candidates) <= 1:
            return Match(candidate=candidates[0] if candidates else None)
        candidates.sort(key=_creation_order)
        located = [c for c in candidates if c.has_coordinates]
        if place.has_coordinates and located:
            ranked = sorted(located, key=lambda c: (self._distance(place, c), _creation_order(c)))
            return Match(candidate=ranked[0], options=candidates)
        return Match(ambiguous=candidates, options=candidates)

    def _plausible(self, place: Place, candidates) -> list[Candidate]:
        """The candidates that may be the place: none with another subdivision, another
        kind, another Wikidata id or too far away."""
        candidates = list(candidates)
        if place.subdivision:
            candidates = [c for c in candidates if not c.subdivision or c.subdivision == place.subdivision]
        if place.kind:
            # A district is not the town it is named after ("Aachen (Kreis)" and "Aachen").
            candidates = [c for c in candidates if c.kind == place.kind]
        if place.wikidata_id:
            # A locality with another Wikidata id is another place.
            candidates = [c for c in candidates if not c.wikidata_id or c.wikidata_id == place.wikidata_id]
        if place.has_coordinates:
            candidates = [c for c in candidates if self._distance(place, c) <= self._tolerance(place, c)]
        return candidates

    @staticmethod
    def _distance(place: Place, candidate: Candidate) -> float:
        if not candidate.has_coordinates:
            return 0.0
        return distance_km(place.latitude, place.longitude, candidate.latitude, candidate.longitude)

    @staticmethod
    def _tolerance(place: Place, candidate: Candidate) -> float:
        city = Locality.Kind.CITY
        if (place.kind or city) == city and candidate.kind == city:
            return CITY_TOLERANCE_KM
        return AREA_TOLERANCE_KM
