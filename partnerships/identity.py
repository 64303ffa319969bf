"""Identity keys of place names: the ways two lists spell one place differently, folded
away, so that matching (imports), the duplicate queue and search compare keys.

A name is split into its **base**, its **qualifiers** and its **area**:

- admin-unit words that name the municipality itself are dropped: "Malmö Municipality",
  "Gmina Wieliczka", "London Borough of Hackney", "Bridgend County Borough", "City of
  Sydney", "Stadt Aachen", "Aachen, Stadt";
- words that name a *larger* unit (district, county, Landkreis, Kreis, oblast, region,
  province …) are not dropped but become the area token, as does the locality's kind:
  "Roth (district)", "Landkreis Roth" and a county named "Roth" share the key
  "roth #county", which the town "Roth" ("roth") never has;
- qualifiers in parentheses, after a comma or a slash, and river or region suffixes
  ("Sandy, Bedfordshire", "Nienburg/Weser", "Frankfurt (Oder)", "Frankfurt an der Oder",
  "Wendlingen am Neckar", "Halle (Saale)", "Stratford-upon-Avon") are set aside: two
  names with the same base are the same place unless both carry qualifiers that differ
  ("Stetten (Aargau)" is not "Stetten (Schaffhausen)"; "Frankfurt am Main" is not
  "Frankfurt (Oder)");
- letters are folded: accents (unidecode), German and Nordic spellings (ö = oe, ü = ue,
  ä = ae, å = aa), and the usual transliteration variants of Cyrillic (Odessa/Odesa,
  -yy/-iy/-y, Zaporizhzhya/Zaporizhzhia, Mogilyov/Mogilev, j/y, w/v, doubled letters).

Exonyms and other-language names (Cologne, Kiev, Peking) are not spelling variants: the
gazetteer (partnerships/gazetteer.py) knows those."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import normalize_name

CITY, COUNTY, REGION, COUNTRY = "city", "county", "region", "country"  # Locality.Kind values

# How far apart two geocodes of one place may lie, by its kind: sources put a town near
# its centre, but an area anywhere in it (its seat, its centroid, a town of it), so the
# veto of a name match by distance (imports, the duplicate queue, the evaluation's
# namesake count) scales with the area's size: a German district is up to about 100 km
# across (Schleswig-Flensburg's two geocodes in the bundled lists lie 109 km apart), a
# province or state several hundred; a country is never vetoed by distance.
SAME_PLACE_KM = {CITY: 50.0, COUNTY: 150.0, REGION: 800.0, COUNTRY: 20000.0}


def same_place_km(*kinds: str) -> float:
    """The distance within which geocodes of localities of these kinds may be one place:
    the largest kind's (an unknown kind counts as a city)."""
    return max(SAME_PLACE_KM.get(kind or CITY, SAME_PLACE_KM[CITY]) for kind in kinds)


# Phrases naming the municipality itself, dropped wherever they stand as whole words.
# Longest first, so "london borough of" goes before "borough of".
_MUNICIPAL_PHRASES = sorted(
    [
        "london borough of",
        "royal borough of",
        "metropolitan borough of",
        "county borough of",
        "borough of",
        "county borough",
        "metropolitan borough",
        "city and county of",
        "city of",
        "town of",
        "village of",
        "municipality of",
        "municipality",
        "municipal district",
        "urban municipality",
        "city municipality",
        "gmina miejska",
        "gmina",
        "miasto",
        "landeshauptstadt",
        "hansestadt",
        "grosse kreisstadt",
        "kreisfreie stadt",
        "stadt",
        "gemeinde",
        "markt",
        "kommune",
        "kommun",
        "commune de",
        "ville de",
        "comune di",
        "citta di",
        "municipio de",
        "municipio",
        "obshtina",
        "opcina",
        "opstina",
        "grad",
        "mesto",
    ],
    key=len,
    reverse=True,
)
_MUNICIPAL = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in _MUNICIPAL_PHRASES) + r")\b")

# Words naming a larger unit than a town: they make the name an area's.
_AREA_WORDS = {
    "county": COUNTY,
    "district": COUNTY,
    "landkreis": COUNTY,
    "kreis": COUNTY,
    "powiat": COUNTY,
    "raion": COUNTY,
    "rayon": COUNTY,
    "okres": COUNTY,
    "arrondissement": COUNTY,
    "department": COUNTY,
    "departement": COUNTY,
    "comarca": COUNTY,
    "amt": COUNTY,
    "verbandsgemeinde": COUNTY,
    "samtgemeinde": COUNTY,
    # Saarland's district-level associations: "Stadtverband Saarbrücken" (until 2008) and
    # "Regionalverband Saarbrücken" are the district Saarbrücken, never the town.
    "stadtverband": COUNTY,
    "regionalverband": COUNTY,
    "region": REGION,
    "oblast": REGION,
    "province": REGION,
    "provinz": REGION,
    "provincia": REGION,
    "voivodeship": REGION,
    "wojewodztwo": REGION,
    "wojewodschaft": REGION,
    "krai": REGION,
    "kray": REGION,
    "prefecture": REGION,
    "governorate": REGION,
    "state": REGION,
    "canton": REGION,
    "kanton": REGION,
}
# "Kreis" glued on: "Rhein-Sieg-Kreis", "Landkreis" as a suffix.
_GLUED_AREA = re.compile(r"kreis$")

# "X am Main", "X an der Oder", "X upon Tyne", "X-sur-Mer": the base, then a qualifier.
_SUFFIX = re.compile(
    r"^(?P<base>.+?)\s+(?:am|an der|an|a d|ad|im|in der|ob der|bei|upon|on the|on|under|sur la|sur le|"
    r"sur|sul|sull|nad|pod|na)\s+(?P<qualifier>.+)$"
)
_PARENTHESES = re.compile(r"\(([^()]*)\)")
# German lists abbreviate the suffix words, always with a dot: "Gemünden a.Main",
# "Garching b.München", "Weiden i.d.OPf.", "Höchst i. Odw." (only dotted, so that an
# Italian "a" or a Czech "i" in a name is left alone).
_ABBREVIATED_SUFFIX = re.compile(r"(?<=\w)\s+(a|b|i)\.\s*(?:(d)\.\s*)?(?=\w)", re.IGNORECASE)
_ABBREVIATIONS = {"a": " am ", "b": " bei ", "i": " im ", "id": " in der ", "ad": " an der "}

_FOLDS = (
    # German and Nordic letters spelt out ("Koeln", "Malmoe", "Aalborg") or not.
    (re.compile(r"(?<![aeiouq])ue"), "u"),
    (re.compile(r"ae"), "a"),
    (re.compile(r"oe"), "o"),
    # Cyrillic ё written yo/io after a consonant: Mogilyov = Mogilev.
    (re.compile(r"(?<=[bcdfghklmnprstvwz])[yi]o"), "e"),
    # j for y before a vowel or at the end (German "Jaroslawl", "Stryj"), never Chinese "ji".
    (re.compile(r"j(?=[aeou]|\b)"), "i"),
    (re.compile(r"y"), "i"),
    (re.compile(r"w"), "v"),
    (re.compile(r"([a-z])\1+"), r"\1"),  # doubled letters: Odessa = Odesa, Zaporizhzhiia
)


def fold(text: str) -> str:
    """Spelling variants folded together: "Köln", "Koeln", "Koln" -> "koln"."""
    key = normalize_name(text)
    for pattern, replacement in _FOLDS:
        key = pattern.sub(replacement, key)
    return key


@dataclass(frozen=True)
class NameParts:
    base: str  # folded
    qualifiers: frozenset[str]  # folded
    area: str  # "", "county" or "region"

    @property
    def key(self) -> str:
        return f"{self.base} #{self.area}" if self.area else self.base

    def compatible(self, other: NameParts) -> bool:
        """The same base and area, and qualifiers that do not contradict each other."""
        if self.key != other.key:
            return False
        return qualifiers_compatible(self.qualifiers, other.qualifiers)


def qualifiers_compatible(first: frozenset[str], second: frozenset[str]) -> bool:
    """No qualifiers on a side, or one in common (one a prefix of the other: "Hesse" and
    "Hessen")."""
    if not first or not second:
        return True
    return any(
        a.startswith(b) or b.startswith(a) or _abbreviates(a, b) or _abbreviates(b, a)
        for a in first
        for b in second
    )


def _abbreviates(short: str, long: str) -> bool:
    """ "opf" for "oberpfalz", "odv" for "odenvald" (folded): a short qualifier whose
    letters appear in order in the longer one, starting with its first letter."""
    if not 2 <= len(short) <= 4 or len(long) <= len(short) or short[0] != long[0]:
        return False
    rest = iter(long[1:])
    return all(letter in rest for letter in short[1:])


def _area_of(words: list[str]) -> tuple[list[str], str]:
    area = ""
    kept = []
    for word in words:
        found = _AREA_WORDS.get(word)
        if found is None and len(word) > 8 and _GLUED_AREA.search(word):
            found = COUNTY
            word = _GLUED_AREA.sub("", word)
        if found is not None:
            area = area or found
            if word not in _AREA_WORDS:
                kept.append(word)
            continue
        kept.append(word)
    if area and kept and kept[0] in ("of", "de", "di", "du"):
        kept = kept[1:]  # "State of Iowa", "Province of Namur"
    return kept, area


def name_parts(name: str, kind: str = "") -> NameParts:
    """Split a name into base, qualifiers and area (see the module's docstring). ``kind``
    (a Locality.Kind value) gives the area when the name has no area word."""
    text = (name or "").strip()
    text = _ABBREVIATED_SUFFIX.sub(lambda m: _ABBREVIATIONS[(m[1] + (m[2] or "")).lower()], text)
    qualifiers: list[str] = []
    for inner in _PARENTHESES.findall(text):
        qualifiers.append(inner)
    text = _PARENTHESES.sub(" ", text)
    if "," in text:
        text, *rest = text.split(",")
        qualifiers.extend(rest)
    if "/" in text:
        head, _, tail = text.partition("/")
        # "Nienburg/Weser" is a qualified name; "Minneapolis/St. Paul" names two cities.
        if head.strip() and tail.strip() and len(tail.split()) == 1:
            text = head
            qualifiers.append(tail)
    base = normalize_name(text)
    base = " ".join(_MUNICIPAL.sub(" ", base).split())
    suffix = _SUFFIX.match(base)
    if suffix:
        base, qualifier = suffix["base"], suffix["qualifier"]
        qualifiers.append(qualifier)
    words, area = _area_of(base.split())
    folded_qualifiers = set()
    for qualifier in qualifiers:
        qualifier_words, qualifier_area = _area_of(
            " ".join(_MUNICIPAL.sub(" ", normalize_name(qualifier)).split()).split()
        )
        if qualifier_area and not qualifier_words:
            area = area or qualifier_area  # "Roth (district)"
        elif qualifier_words:
            folded_qualifiers.add(fold(" ".join(qualifier_words)))
    if not words:
        # Nothing but admin words ("Stadt", "Municipality"): keep the name as it is.
        words = normalize_name(name).split()
    if not area and kind in (COUNTY, REGION):
        area = kind
    base = fold(" ".join(words))
    if area and len(base) > 6 and base.endswith("ski"):
        # Russian and Ukrainian districts are named with the adjective of their seat:
        # "Novosibirsky District" (folded "novosibirski") is "Rayon Novosibirsk". Only
        # in an area's key: the town Novosibirsk keeps its own.
        base = base[:-1]
    return NameParts(base, frozenset(folded_qualifiers), area)


def identity_key(name: str, kind: str = "") -> str:
    """The stored key (Locality.identity_key): folded base and area, without qualifiers."""
    return name_parts(name, kind).key[:255]


def inferred_kind(name: str) -> str:
    """The kind a name's own words say ("Roth (district)": county), "" when they say none."""
    return name_parts(name).area
