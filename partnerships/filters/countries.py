"""Which country a visitor's text means: an ISO 3166-1 alpha-2 code in any case, an ISO,
common or official name, an alpha-3 code, or an everyday English name from a small table
(COUNTRY_ALIASES); accents and case are ignored. The country filters and the figures page
read it."""

import pycountry
from django.core.exceptions import ValidationError

from ..text import normalize_name
from ..validators import _EXTRA_COUNTRIES, validate_country_code

# Everyday English names that ISO 3166 does not list (keys normalised by normalize_name).
# Deliberately small: a name that could mean two countries ("Congo", "Korea") or only part
# of one ("England") is not guessed but refused, with a message asking for the code.
COUNTRY_ALIASES = {
    "russia": "RU",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "usa": "US",
    "u s a": "US",
    "u s": "US",
    "u k": "GB",
    "america": "US",
    "united states of america": "US",
    "turkey": "TR",
    "ivory coast": "CI",
    "holland": "NL",
    "the netherlands": "NL",
    "czech republic": "CZ",
    "macedonia": "MK",
    "palestine": "PS",
    "burma": "MM",
    "cape verde": "CV",
    "east timor": "TL",
    "swaziland": "SZ",
    "vatican": "VA",
    "vatican city": "VA",
    "dr congo": "CD",
    "drc": "CD",
}


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a visitor's country means: a code in any case ("ru"),
    an ISO name, common or official name, alpha-3 code ("RUS"), or an everyday English name
    from COUNTRY_ALIASES ("Russia", "UK", "USA"), accents and case ignored. None when it
    names no country."""
    text = text.strip()
    key = normalize_name(text)
    if len(text) == 2 and text.isascii() and text.isalpha():
        code = text.upper()
        try:
            validate_country_code(code)
        except ValidationError:
            return COUNTRY_ALIASES.get(key)  # "UK"
        return code
    if not key or key.isdigit():
        return None
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    for code, name in _EXTRA_COUNTRIES.items():
        if normalize_name(name) == key:
            return code
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        pass
    return _COUNTRY_NAMES.get(key)


def _country_names() -> dict[str, str]:
    """Every ISO name, common and official name, normalised (so "Cote d'Ivoire" and
    "Türkiye" without accents match too) → its code."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.setdefault(normalize_name(value), country.alpha_2)
    return names


_COUNTRY_NAMES = _country_names()
