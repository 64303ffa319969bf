"""Country (and subdivision) names as found in spreadsheets and scraped lists, resolved
to ISO 3166 codes.

pycountry knows the ISO names, official names and common names; the alias table adds
what real lists use besides: short or historical names ("Russia", "Turkey", "Zaire"),
the nations of the United Kingdom (recorded as GB with their ISO 3166-2 code) and a few
misspellings found in the two bundled data sets. "Place, Country" forms ("England,
United Kingdom", "Réunion, France", "New York, United States") resolve to the most
specific code they name."""

from dataclasses import dataclass
from functools import lru_cache

import pycountry

from partnerships.text import normalize_name
from partnerships.validators import _EXTRA_COUNTRIES


@dataclass(frozen=True)
class CountryMatch:
    code: str
    subdivision: str = ""


# Keys are normalised (partnerships.text.normalize_name).
ALIASES: dict[str, CountryMatch] = {
    # The nations of the United Kingdom.
    "england": CountryMatch("GB", "GB-ENG"),
    "scotland": CountryMatch("GB", "GB-SCT"),
    "wales": CountryMatch("GB", "GB-WLS"),
    "northern ireland": CountryMatch("GB", "GB-NIR"),
    "uk": CountryMatch("GB"),
    "great britain": CountryMatch("GB"),
    "britain": CountryMatch("GB"),
    # Short, former and everyday names ISO does not list.
    "russia": CountryMatch("RU"),
    "turkey": CountryMatch("TR"),
    "republic of ireland": CountryMatch("IE"),
    "ireland": CountryMatch("IE"),
    "palestine": CountryMatch("PS"),
    "west bank": CountryMatch("PS"),
    "gaza": CountryMatch("PS"),
    "georgia country": CountryMatch("GE"),
    "cape verde": CountryMatch("CV"),
    "kosovo": CountryMatch("XK"),
    "ivory coast": CountryMatch("CI"),
    "sao tome and principe": CountryMatch("ST"),
    "democratic republic of the congo": CountryMatch("CD"),
    "dr congo": CountryMatch("CD"),
    "zaire": CountryMatch("CD"),
    "republic of the congo": CountryMatch("CG"),
    "east timor": CountryMatch("TL"),
    "macedonia": CountryMatch("MK"),
    "republic of macedonia": CountryMatch("MK"),
    "moldavia": CountryMatch("MD"),
    "micronesia": CountryMatch("FM"),
    "federated states of micronesia": CountryMatch("FM"),
    "vatican city": CountryMatch("VA"),
    "holy see": CountryMatch("VA"),
    "the gambia": CountryMatch("GM"),
    "the bahamas": CountryMatch("BS"),
    "swaziland": CountryMatch("SZ"),
    "burma": CountryMatch("MM"),
    "macau": CountryMatch("MO"),
    "macao": CountryMatch("MO"),
    "brunei": CountryMatch("BN"),
    "falkland islands": CountryMatch("FK"),
    "the netherlands": CountryMatch("NL"),
    "united states of america": CountryMatch("US"),
    "usa": CountryMatch("US"),
    "czech republic": CountryMatch("CZ"),
    # Not recognised by ISO 3166; recorded under the state that ISO lists for the territory.
    "northern cyprus": CountryMatch("CY"),
    "turkish republic of northern cyprus": CountryMatch("CY"),
    "transnistria": CountryMatch("MD"),
    "abkhazia": CountryMatch("GE"),
    "south ossetia": CountryMatch("GE"),
    # Misspellings and German names found in the bundled data sets.
    "bosnia and hercegovina": CountryMatch("BA"),
    "surinam": CountryMatch("SR"),
    "madagaskar": CountryMatch("MG"),
    "grece": CountryMatch("GR"),
    "kazakhstah": CountryMatch("KZ"),
    "island": CountryMatch("IS"),  # German for Iceland
    "in italy": CountryMatch("IT"),
}


def _lookup_country(text: str) -> CountryMatch | None:
    key = normalize_name(text)
    if not key:
        return None
    if key in ALIASES:
        return ALIASES[key]
    stripped = text.strip()
    if len(stripped) == 2 and stripped.isalpha():
        code = stripped.upper()
        if code in _EXTRA_COUNTRIES or pycountry.countries.get(alpha_2=code):
            return CountryMatch(code)
        return None
    for code, name in _EXTRA_COUNTRIES.items():
        if normalize_name(name) == key:
            return CountryMatch(code)
    try:
        return CountryMatch(pycountry.countries.lookup(stripped).alpha_2)
    except LookupError:
        pass
    # pycountry compares names exactly; a spelling without accents should still match.
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and normalize_name(value) == key:
                return CountryMatch(country.alpha_2)
    return None


def _subdivisions(code: str) -> dict[str, str]:
    """Normalised subdivision names (and the part before " [") → ISO 3166-2 codes."""
    result: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code=code) or ():
        result.setdefault(normalize_name(sub.name.split(" [")[0]), sub.code)
    return result


@lru_cache(maxsize=64)
def _subdivision_table(code: str) -> dict[str, str]:
    return _subdivisions(code)


def subdivision_code(country: str, text: str) -> str:
    """The ISO 3166-2 code for a subdivision given by code ("US-WA", "WA") or by name
    ("Washington", "Bayern") within a country; "" when it is not found."""
    text = (text or "").strip()
    if not text or not country:
        return ""
    upper = text.upper()
    for candidate in (upper, f"{country}-{upper}"):
        sub = pycountry.subdivisions.get(code=candidate)
        if sub is not None and sub.country_code == country:
            return sub.code
    return _subdivision_table(country).get(normalize_name(text), "")


@lru_cache(maxsize=2048)
def resolve_country(text: str) -> CountryMatch | None:
    """The country an imported country cell names, or None when it names none."""
    text = (text or "").strip()
    if not text:
        return None
    match = _lookup_country(text)
    if match is not None:
        return match
    if "," in text:
        place, _, country_text = text.rpartition(",")
        # "Réunion, France": the place is itself an ISO country (an overseas territory).
        territory = _lookup_country(place)
        if territory is not None and territory.code != "GB":
            return territory
        country = _lookup_country(country_text)
        if country is not None:
            if territory is not None and territory.code == country.code:
                return territory  # "England, United Kingdom"
            sub = subdivision_code(country.code, place)
            return CountryMatch(country.code, sub or country.subdivision)
    return None
