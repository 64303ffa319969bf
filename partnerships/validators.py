"""Validators of codes the registry stores: ISO 3166 countries and subdivisions, Wikidata ids."""

import functools
import re

import pycountry
from django.core.exceptions import ValidationError

# Kosovo is not in ISO 3166-1 but its user-assigned code is in universal use.
_EXTRA_COUNTRIES = {"XK": "Kosovo"}


@functools.lru_cache(maxsize=1024)
def country_name(code: str) -> str:
    if code in _EXTRA_COUNTRIES:
        return _EXTRA_COUNTRIES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def validate_country_code(value: str) -> None:
    if not value or value != value.upper() or len(value) != 2:
        raise ValidationError(
            "%(value)s is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. US, RU).",
            params={"value": value},
            code="invalid_country",
        )
    if value not in _EXTRA_COUNTRIES and pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError(
            "%(value)s is not an ISO 3166-1 alpha-2 country code.",
            params={"value": value},
            code="invalid_country",
        )


def validate_subdivision_code(value: str) -> None:
    if value != value.upper() or pycountry.subdivisions.get(code=value) is None:
        raise ValidationError(
            "%(value)s is not an ISO 3166-2 subdivision code (e.g. US-WA, RU-TVE).",
            params={"value": value},
            code="invalid_subdivision",
        )


_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")


def validate_wikidata_id(value: str) -> None:
    if not _WIKIDATA.match(value):
        raise ValidationError(
            "%(value)s is not a Wikidata item id (Q followed by digits, e.g. Q1490).",
            params={"value": value},
            code="invalid_wikidata",
        )
