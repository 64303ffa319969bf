"""Names as matching compares them: the match key (normalised, abbreviations spelt out),
a trailing disambiguator in parentheses set aside, qualifiers that only say where a place
is ("Kharkov (Ukraine)"), and the kind a name's own words give ("Provincia di Parma")."""

import functools
import re

from partnerships.identity import name_parts
from partnerships.text import normalize_name

from ..countries import resolve_country, subdivision_code
from .candidates import Place

_PARENTHESES = re.compile(r"\(([^()]*)\)")
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


def _locates(place: "Place") -> bool:
    """Whether every qualifier in parentheses names the place's country or one of its
    subdivisions: a locator ("Kharkov (Ukraine)"), not another place."""
    qualifiers = _PARENTHESES.findall(place.name)
    return bool(qualifiers) and all(
        ((found := resolve_country(q)) is not None and found.code == place.country)
        or subdivision_code(place.country, q)
        for q in qualifiers
    )


@functools.lru_cache(maxsize=65536)
def _named_kind(name: str) -> str:
    """The kind a name's own words give ("Provincia di Parma": region), "" for none."""
    return name_parts(name).area
