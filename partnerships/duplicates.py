"""Reads for the duplicate review queue (admin/duplicates.py): likely duplicate
localities and likely duplicate partnerships, less the pairs staff marked "not a
duplicate".

Two live localities of one country and kind are likely one place when

- they have the same identity key (partnerships.identity) with qualifiers that do not
  contradict each other ("Frankfurt (Oder)" and "Frankfurt an der Oder"), or
- they are known as the same GeoNames city (the gazetteer: "Köln" and "Cologne",
  "Kiew" and "Kyiv"), or
- their coordinates are within 5 km and their names alike,

and, when both have coordinates that are not flagged as outside their country, they lie
within the distance their kind allows (50 km for towns, 150 km for districts …:
partnerships.identity.SAME_PLACE_KM) of each other, unless they have the same identity
key and a partner in common (a wrong geocode that an import's pair context could not
prove, or namesakes twinned with one town: staff decide). Two partnerships are likely one when their parties are the
same or likely duplicates of each other. Everything is computed in memory from one query
per table: the registry's tens of thousands of localities take well under a second."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .gazetteer import OUTSIDE, distance_km, gazetteer
from .identity import fold, name_parts, same_place_km
from .models import Locality, LocalityNotDuplicate, Partnership, PartnershipNotDuplicate

NEAR_KM = 5.0
ALIKE = 0.75


@dataclass(frozen=True)
class Row:
    pk: int
    name: str
    country: str
    kind: str
    latitude: float | None
    longitude: float | None
    check: str
    identity_key: str


@dataclass
class DuplicatePair:
    first: Locality
    second: Locality
    reason: str
    distance_km: float | None = None


@dataclass
class DuplicatePartnerships:
    first: Partnership
    second: Partnership
    reason: str


def _distance(a: Row, b: Row) -> float | None:
    if a.latitude is None or b.latitude is None or a.longitude is None or b.longitude is None:
        return None
    return distance_km(a.latitude, a.longitude, b.latitude, b.longitude)


def _trusted(a: Row, b: Row) -> bool:
    return a.check != OUTSIDE and b.check != OUTSIDE


def _rows(localities: Iterable[tuple]) -> list[Row]:
    return [
        Row(
            pk,
            name,
            country,
            kind,
            None if lat is None else float(lat),
            None if lon is None else float(lon),
            check,
            key,
        )
        for pk, name, country, kind, lat, lon, check, key in localities
    ]


def locality_pairs(limit: int = 200) -> list[tuple[int, int, str, float | None]]:
    """(first id, second id, reason, distance) of the likely duplicate localities."""
    rows = _rows(
        Locality.objects.filter(merged_into__isnull=True).values_list(
            "pk", "name", "country", "kind", "latitude", "longitude", "coordinates_check", "identity_key"
        )
    )
    dismissed = set(LocalityNotDuplicate.objects.values_list("first_id", "second_id"))
    found: dict[tuple[int, int], tuple[str, float | None]] = {}

    far: dict[tuple[int, int], float] = {}

    def consider(a: Row, b: Row, reason: str, *, keep_far: bool = False) -> None:
        if a.pk == b.pk or a.country != b.country or a.kind != b.kind:
            return
        key = (min(a.pk, b.pk), max(a.pk, b.pk))
        if key in dismissed or key in found:
            return
        distance = _distance(a, b)
        if distance is not None and _trusted(a, b) and distance > same_place_km(a.kind):
            if keep_far:
                far[key] = distance
            return
        found[key] = (reason, distance)

    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    by_city: dict[tuple[str, int], list[Row]] = defaultdict(list)
    cells: dict[tuple[str, int, int], list[Row]] = defaultdict(list)
    names = gazetteer()
    for row in rows:
        if row.identity_key:
            groups[(row.country, row.identity_key)].append(row)
        cities = names.cities(row.name, row.country)
        if len(cities) == 1:
            by_city[(row.country, cities[0].geonameid)].append(row)
        if row.latitude is not None and row.longitude is not None:
            cells[(row.country, round(row.latitude * 10), round(row.longitude * 10))].append(row)

    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if name_parts(a.name, a.kind).compatible(name_parts(b.name, b.kind)):
                    consider(a, b, "same name key", keep_far=True)
    for members in by_city.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                consider(a, b, "names of the same place in the gazetteer")
    for (country, lat, lon), members in cells.items():
        neighbours = [
            r
            for dlat in (-1, 0, 1)
            for dlon in (-1, 0, 1)
            for r in cells.get((country, lat + dlat, lon + dlon), ())
        ]
        for a in members:
            for b in neighbours:
                if a.pk >= b.pk:
                    continue
                distance = _distance(a, b)
                alike = difflib.SequenceMatcher(None, fold(a.name), fold(b.name)).ratio() >= ALIKE
                if distance is not None and distance <= NEAR_KM and alike:
                    consider(a, b, "near each other with similar names")
    for key, distance in _with_a_partner_in_common(far).items():
        if key not in found:
            found[key] = ("same name key and a partner in common, far apart", distance)
    ordered = sorted(found.items())[:limit]
    return [(a, b, reason, distance) for (a, b), (reason, distance) in ordered]


def _with_a_partner_in_common(far: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """The pairs of the same name key too far apart to be one place by their coordinates
    that share a partner: one geocode is likely wrong (or they are namesakes twinned with
    one town), which an import's pair context did not settle (the evidence it needs:
    partnerships.importing.matching.LocalityIndex._far_without_evidence). One query."""
    if not far:
        return {}
    ids = {pk for pair in far for pk in pair}
    partners: dict[int, set[int]] = defaultdict(set)
    rows = Partnership.objects.filter(locality_a_id__in=ids) | Partnership.objects.filter(
        locality_b_id__in=ids
    )
    for a, b in rows.values_list("locality_a_id", "locality_b_id"):
        partners[a].add(b)
        partners[b].add(a)
    return {key: distance for key, distance in far.items() if partners[key[0]] & partners[key[1]]}


def likely_duplicate_localities(limit: int = 200) -> list[DuplicatePair]:
    pairs = locality_pairs(limit)
    loaded = Locality.objects.in_bulk({pk for a, b, _, _ in pairs for pk in (a, b)})
    return [DuplicatePair(loaded[a], loaded[b], reason, distance) for a, b, reason, distance in pairs]


def likely_duplicate_partnerships(limit: int = 200) -> list[DuplicatePartnerships]:
    """Partnerships whose parties are the same or likely duplicate localities: Aachen –
    Cape Town and Aachen – Kapstadt."""
    same: dict[int, set[int]] = defaultdict(set)
    for a, b, _, _ in locality_pairs(limit=10**9):
        same[a].add(b)
        same[b].add(a)
    if not same:
        return []
    involved = Partnership.objects.filter(locality_a_id__in=same) | Partnership.objects.filter(
        locality_b_id__in=same
    )
    by_party: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for pk, a, b in involved.values_list("pk", "locality_a_id", "locality_b_id"):
        by_party[a].append((pk, a, b))
        by_party[b].append((pk, a, b))
    dismissed = set(PartnershipNotDuplicate.objects.values_list("first_id", "second_id"))

    def parties_alike(x: int, y: int) -> bool:
        return x == y or y in same.get(x, ())

    found: dict[tuple[int, int], str] = {}
    for locality, twins in same.items():
        for twin in twins:
            for p, pa, pb in by_party[locality]:
                other_p = pb if pa == locality else pa
                for q, qa, qb in by_party[twin]:
                    other_q = qb if qa == twin else qa
                    key = (min(p, q), max(p, q))
                    if p != q and key not in dismissed and parties_alike(other_p, other_q):
                        found.setdefault(key, "their parties are likely the same places")
    ordered = sorted(found.items())[:limit]
    loaded = Partnership.objects.with_parties().in_bulk({pk for (a, b), _ in ordered for pk in (a, b)})
    return [DuplicatePartnerships(loaded[a], loaded[b], reason) for (a, b), reason in ordered]
