"""Resolving imported place names to localities, in memory.

The candidates of every country an import mentions are loaded in two queries (the
localities and their aliases), keyed by normalised name, so matching thousands of rows
costs no query per row. A name matches a locality of the same country whose name,
native name or alias is the same ignoring case, diacritics and punctuation; failing that,
the same once a trailing disambiguator in parentheses is set aside ("Setagaya (Tokyo)"
and "Setagaya"), unless both carry different disambiguators ("Behringen (Bispingen)" is
not "Behringen (Stadtilm)"). Failing that, the same identity key (partnerships.identity:
admin words, qualifiers, river suffixes and spelling variants folded, an area's key never
a town's) with qualifiers that do not contradict each other; failing that, the gazetteer
(partnerships.gazetteer): a GeoNames city of the country known by the name, whose other
names are a locality's ("Cologne" finds Köln). Coordinates rule out candidates too far
away and break ties between the rest, unless either side's coordinates were flagged as
outside its country (a wrong geocode never vetoes a name); what is still more than one
candidate is ambiguous. Each match says how it was made (``Match.method``)."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace

from partnerships.gazetteer import OUTSIDE, gazetteer, places
from partnerships.identity import NameParts, fold, name_parts, qualifiers_compatible, same_place_km
from partnerships.models import Locality, LocalityAlias

from .candidates import BY_ALIAS, BY_GAZETTEER, BY_ID, BY_NAME, BY_NAME_KEY, Candidate, Match, Place
from .coordinates import CITY_TOLERANCE_KM, distance_km
from .names import _PARENTHESES, _locates, _named_kind, match_key, split_disambiguator
from .similarity import _SOFT_ADMIN, _alike, _part_of_compound

# A gazetteer city this large has parts (boroughs, districts) that lists name as
# "City (Part)": such a name is not the city itself.
CITY_WITH_PARTS = 500_000


def _creation_order(candidate: Candidate):
    # Records first, by id; then this import's new ones in the order they were met,
    # which is the order of the ids they will get: ties break the same way next time.
    return (candidate.id < 0, abs(candidate.id))


class LocalityIndex:
    def __init__(self):
        self._by_key: dict[tuple[str, str], dict[int, Candidate]] = defaultdict(dict)
        self._by_base: dict[tuple[str, str], dict[int, Candidate]] = defaultdict(dict)
        self._by_wikidata: dict[str, Candidate] = {}
        self._by_identity: dict[tuple[str, str], dict[int, Candidate]] = defaultdict(dict)
        # (country, match key, candidate id) of the keys that are only an alias's.
        self._alias_keys: set[tuple[str, str, int]] = set()
        self._by_id: dict[int, Candidate] = {}
        self._next_new = -1
        self._among: Collection[int] | None = None

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
            "coordinates_check",
        )
        # A record merged into another is a redirect, never a match.
        rows = rows.filter(merged_into__isnull=True)
        for pk, name, native, country, subdivision, kind, lat, lon, wikidata, check in rows.iterator(
            chunk_size=5000
        ):
            candidates[pk] = Candidate(
                pk, name, country, subdivision, kind, lat, lon, wikidata, coordinates_check=check
            )
            names[pk].extend(n for n in (name, native) if n)
        aliases = LocalityAlias.objects.filter(
            locality__country__in=countries, locality__merged_into__isnull=True
        ).values_list("locality_id", "name")
        alias_names: dict[int, list[str]] = defaultdict(list)
        for pk, name in aliases.iterator(chunk_size=5000):
            alias_names[pk].append(name)
        for pk, candidate in candidates.items():
            index._register(candidate, names[pk])
            index._register(candidate, alias_names[pk], alias=True)
        return index

    def _register(self, candidate: Candidate, names, *, alias: bool = False) -> None:
        self._by_id[candidate.id] = candidate
        for name in names:
            full = match_key(name)
            base, disambiguator = split_disambiguator(name)
            if full:
                if alias and full not in candidate.name_keys:
                    self._alias_keys.add((candidate.country, full, candidate.id))
                self._by_key[(candidate.country, full)][candidate.id] = candidate
                candidate.name_keys.add(full)
            if base:
                self._by_base[(candidate.country, base)][candidate.id] = candidate
                candidate.disambiguators.add(disambiguator)
            parts = name_parts(name, candidate.kind)
            if parts.base:
                candidate.identities.setdefault(parts.key, []).append(parts.qualifiers)
                self._by_identity[(candidate.country, parts.key)][candidate.id] = candidate
        if candidate.wikidata_id:
            self._by_wikidata[candidate.wikidata_id] = candidate

    def learn(self, candidate: Candidate, name: str) -> None:
        """Another name of a candidate (an alias the import adds): later rows match it."""
        self._register(candidate, [name], alias=True)

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
            coordinates_check=place.coordinates_check,
        )
        self._next_new -= 1
        self._register(candidate, [place.name])
        return candidate

    def match(self, place: Place, among: Collection[int] | None = None) -> Match:
        """The locality the place is (see the module's docstring); ``among``: only these
        candidates may be it."""
        self._among = among
        try:
            return self._match(place)
        finally:
            self._among = None

    def match_partner(self, place: Place, partners: Collection[int]) -> Candidate | None:
        """Pair context: the one locality among the other party's partners (ids) that the
        place may be, its coordinates set aside (the row names a partnership already
        recorded; a wrong geocode inside the country must not make a second record). By
        name, alias, name key or gazetteer first; failing that, by a similar name
        (PARTNER_SIMILARITY) when the row or the partner has no trusted coordinates.
        None when no partner, or more than one, fits."""
        among = [
            c for pk in partners if (c := self._by_id.get(pk)) is not None and c.country == place.country
        ]
        if not among:
            return None
        parts = name_parts(place.name, place.kind)
        # A qualified name ("Halle (Westf.)", "Essen (Oldenburg)") geocoded far from the
        # partner is a second signal of another place: its coordinates still count.
        unplaced = (
            place if parts.qualifiers else replace(place, latitude=None, longitude=None, coordinates_check="")
        )
        ids = {c.id for c in among}
        found = self.match(unplaced, among=ids)
        softened = " ".join(_SOFT_ADMIN.sub(" ", place.name).split())
        if found.candidate is None and not found.ambiguous and softened and softened != place.name:
            found = self.match(replace(unplaced, name=softened), among=ids)
        if found.candidate is not None:
            return None if self._far_without_evidence(place, found.candidate) else found.candidate
        if found.ambiguous or not parts.base:
            return None
        placed = place.has_coordinates and place.coordinates_check != OUTSIDE
        similar = [
            c
            for c in self._plausible(place, among)
            # Two trusted geocodes of two names are two places a geocoder told apart
            # (East and West Hendred, 1.5 km apart): a similar name needs one side unplaced.
            if not (placed and c.has_coordinates and c.coordinates_check != OUTSIDE)
            and any(
                key.partition(" #")[2] == parts.area and _alike(key.partition(" #")[0], parts.base)
                for key in c.identities
            )
        ]
        if not similar:
            # "Holten" for the partner Rijssen-Holten, "Malborghetto" for Malborghetto
            # Valbruna: one of the two places a merged municipality is named after.
            similar = [c for c in self._plausible(place, among) if _part_of_compound(parts, c)]
        return similar[0] if len(similar) == 1 else None

    def _far_without_evidence(self, place: Place, candidate: Candidate) -> bool:
        """Whether a partner found by pair context lies farther from the row's trusted
        coordinates than its kind allows with nothing to say that one of the two geocodes
        is wrong. The evidence: the gazetteer knows a place of that name (the row's, or
        the partner's) near exactly one of the two points: near the partner only (the
        row's geocode is wrong: Buenos Aires placed at the province's centre) or near the
        row only (the partner's is: the first list's Lachen in Valais). Places of the
        name near both are namesakes (Munster in Lower Saxony is not Münster), and a
        name the gazetteer does not know proves nothing: pair context does not decide,
        the row makes a locality of its own, which the duplicate queue shows next to the
        partner (same name key and a partner in common: partnerships.duplicates)."""
        if not (
            place.has_coordinates
            and place.coordinates_check != OUTSIDE
            and candidate.has_coordinates
            and candidate.coordinates_check != OUTSIDE
        ):
            return False
        km = self._tolerance(place, candidate)
        if self._distance(place, candidate) <= km:
            return False
        names = {place.name, _PARENTHESES.sub(" ", place.name), candidate.name} | candidate.name_keys
        near_partner, near_row = (
            places().named_near(names, place.country, float(lat), float(lon), km)  # type: ignore[arg-type]
            for lat, lon in (
                (candidate.latitude, candidate.longitude),
                (place.latitude, place.longitude),
            )
        )
        return near_partner == near_row

    def _match(self, place: Place) -> Match:
        if (
            place.wikidata_id
            and place.wikidata_id in self._by_wikidata
            and (self._among is None or self._by_wikidata[place.wikidata_id].id in self._among)
        ):
            candidate = self._by_wikidata[place.wikidata_id]
            if candidate.country != place.country:
                return Match(
                    error=f"Wikidata id {place.wikidata_id} belongs to {candidate}, which is not in "
                    f"{place.country}."
                )
            return Match(candidate=candidate, method=BY_ID)
        key = match_key(place.name)
        candidates = self._plausible(place, self._by_key.get((place.country, key), {}).values())
        method = BY_NAME
        if not candidates:
            base, disambiguator = split_disambiguator(place.name)
            parts = name_parts(place.name, place.kind)
            candidates = self._plausible(
                place,
                [
                    c
                    for c in self._by_base.get((place.country, base), {}).values()
                    # Two different disambiguators name two different places.
                    if (
                        not disambiguator
                        or not (c.disambiguators - {""})
                        or disambiguator in c.disambiguators
                    )
                    # … and a district is not the town it is named after.
                    and parts.key in c.identities
                    and not self._qualifier_elsewhere(place, parts, c)
                ],
            )
        if not candidates:
            candidates = self._by_name_key(place)
            method = BY_NAME_KEY
        if not candidates:
            candidates = self._by_city_part(place)
        if not candidates:
            candidates = self._by_gazetteer(place)
            method = BY_GAZETTEER
        if not candidates:
            return Match()
        if len(candidates) == 1:
            return Match(candidate=candidates[0], method=self._method(method, place, key, candidates[0]))
        candidates.sort(key=_creation_order)
        located = [c for c in candidates if c.has_coordinates]
        if place.has_coordinates and located:
            ranked = sorted(located, key=lambda c: (self._distance(place, c), _creation_order(c)))
            return Match(
                candidate=ranked[0],
                options=candidates,
                method=self._method(method, place, key, ranked[0]),
            )
        return Match(ambiguous=candidates, options=candidates)

    def _method(self, method: str, place: Place, key: str, candidate: Candidate) -> str:
        if method == BY_NAME and (place.country, key, candidate.id) in self._alias_keys:
            return BY_ALIAS
        return method

    def _by_name_key(self, place: Place) -> list[Candidate]:
        parts = name_parts(place.name, place.kind)
        if not parts.base:
            return []
        return self._plausible(
            place,
            [
                c
                for c in self._by_identity.get((place.country, parts.key), {}).values()
                if any(qualifiers_compatible(parts.qualifiers, q) for q in c.identities[parts.key])
                and not self._qualifier_elsewhere(place, parts, c)
            ],
        )

    def _qualifier_elsewhere(self, place: Place, parts: NameParts, candidate: Candidate) -> bool:
        """Whether a qualifier in parentheses rules out an unqualified namesake, unless
        the qualifier is another name of the same gazetteer city ("Szczecin (Stettin)"):
        the base is a large city (CITY_WITH_PARTS), so the name is one of its parts
        ("Istanbul (Beyoglu)", "Istanbul (Besiktas)", whatever the coordinates); or, when
        coordinates cannot decide (one side has none that are trusted), the qualifier is
        a gazetteer city of the country other than the base name's, or the country has
        several places of the base name, which the qualifier is there to tell apart
        ("Naoussa (Paros)" is not the Náousa in Imathia; GeoNames knows one on Paros too)."""
        qualifiers = {fold(inner) for inner in _PARENTHESES.findall(place.name)} & parts.qualifiers
        if not qualifiers or any(q for q in candidate.identities.get(parts.key, []) if q & qualifiers):
            return False
        if not any(not q for q in candidate.identities.get(parts.key, [])):
            return False  # the candidate is known by a qualified name only
        placed = (
            place.has_coordinates
            and place.coordinates_check != OUTSIDE
            and candidate.has_coordinates
            and candidate.coordinates_check != OUTSIDE
        )
        return self._qualifier_names_another_place(place, placed=placed)

    def _by_city_part(self, place: Place) -> list[Candidate]:
        """ "Istanbul (Beyoglu)", a part of a large city (CITY_WITH_PARTS) named with its
        city: the locality recorded under the part's own name ("Beyoğlu"), if one is."""
        qualifiers = _PARENTHESES.findall(place.name)
        if not qualifiers or place.kind not in ("", Locality.Kind.CITY):
            return []
        cities = gazetteer().cities(_PARENTHESES.sub(" ", place.name), place.country)
        if not cities or cities[0].population < CITY_WITH_PARTS or _locates(place):
            return []
        found: list[Candidate] = []
        for qualifier in qualifiers:
            part = replace(place, name=qualifier)
            found += self._plausible(
                part, self._by_key.get((place.country, match_key(qualifier)), {}).values()
            )
        return found

    def _qualifier_names_another_place(self, place: Place, *, placed: bool) -> bool:
        """The gazetteer's part of _qualifier_elsewhere: whether the name's qualifiers in
        parentheses say it is another place than its base name's. A part of a large city
        lies within any distance of it, so that holds with coordinates too; the rest only
        when the coordinates cannot decide (``placed``: both sides have trusted ones)."""
        base_text = _PARENTHESES.sub(" ", place.name)
        cities = gazetteer().cities(base_text, place.country)
        own = {c.geonameid for c in cities}
        named = [
            {c.geonameid for c in gazetteer().cities(q, place.country)}
            for q in _PARENTHESES.findall(place.name)
        ]
        if any(ids & own for ids in named):
            return False  # the qualifier is another name of the place itself
        if _locates(place):
            return False  # "Kharkov (Ukraine)", "Paris (Île-de-France)": where it is, not a part
        if cities and cities[0].population >= CITY_WITH_PARTS:
            return True  # a part of a large city: "Istanbul (Beyoglu)", "Paris (12. Bezirk)"
        if placed:
            return False  # the distance decides
        if any(named):
            return True  # it names another city
        return places().count_named(base_text, place.country) > 1

    def _by_gazetteer(self, place: Place) -> list[Candidate]:
        """The localities that a GeoNames city of the country known by this name is
        known as, when the name is one such city's (the nearest, with coordinates)."""
        if place.kind not in ("", Locality.Kind.CITY):
            return []
        cities = gazetteer().cities(place.name, place.country)
        # "Praha (Prag)": the base name's city, unless the qualifier says otherwise.
        if (
            not cities
            and _PARENTHESES.search(place.name)
            and not self._qualifier_names_another_place(place, placed=False)
        ):
            cities = gazetteer().cities(_PARENTHESES.sub(" ", place.name), place.country)
        if place.has_coordinates and place.coordinates_check != OUTSIDE:
            cities = [
                c
                for c in cities
                if c.distance_to(float(place.latitude), float(place.longitude)) <= CITY_TOLERANCE_KM  # type: ignore[arg-type]
            ]
        if len(cities) != 1:
            return []
        found: dict[int, Candidate] = {}
        for name in cities[0].names:
            parts: NameParts = name_parts(name)
            if parts.qualifiers:
                # "Antwerpen (Wilrijk)", a name of Wilrijk: it names a part of Antwerp,
                # and Antwerp is not Wilrijk.
                continue
            for candidate in self._by_identity.get((place.country, parts.key), {}).values():
                if candidate.kind == Locality.Kind.CITY:
                    found[candidate.id] = candidate
        return self._plausible(place, found.values())

    def _plausible(self, place: Place, candidates) -> list[Candidate]:
        """The candidates that may be the place: none with another subdivision, another
        kind, another Wikidata id or too far away."""
        candidates = list(candidates)
        if self._among is not None:
            candidates = [c for c in candidates if c.id in self._among]
        if place.subdivision:
            candidates = [c for c in candidates if not c.subdivision or c.subdivision == place.subdivision]
        if place.kind:
            # A district is not the town it is named after ("Aachen (Kreis)" and "Aachen");
            # but a name whose own words say what it is ("Provincia di Parma", "Rayon
            # Novosibirsk", a list's "city" all the same) may be a locality of that kind.
            kinds = {place.kind, _named_kind(place.name)}
            candidates = [c for c in candidates if c.kind in kinds]
        if place.wikidata_id:
            # A locality with another Wikidata id is another place.
            candidates = [c for c in candidates if not c.wikidata_id or c.wikidata_id == place.wikidata_id]
        if place.has_coordinates and place.coordinates_check != OUTSIDE:
            # Coordinates flagged as outside their country are wrong: they veto nothing.
            candidates = [
                c
                for c in candidates
                if c.coordinates_check == OUTSIDE or self._distance(place, c) <= self._tolerance(place, c)
            ]
        return candidates

    @staticmethod
    def _distance(place: Place, candidate: Candidate) -> float:
        if not candidate.has_coordinates:
            return 0.0
        return distance_km(place.latitude, place.longitude, candidate.latitude, candidate.longitude)

    @staticmethod
    def _tolerance(place: Place, candidate: Candidate) -> float:
        return same_place_km(place.kind, candidate.kind)
