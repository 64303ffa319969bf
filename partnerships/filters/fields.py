"""The filters' building blocks: form fields that validate one parameter with a message
per bad value (countries, comma-separated choices, partial and ISO dates, ids up to
MAX_ID), the Filter classes made from them (with their OpenAPI types), and an ordering
that puts undated rows last."""

import contextlib
import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ..dates import PartialDate
from .countries import country_code

# The largest id a bigint column holds: a larger number is a 400, not a database error.
MAX_ID = 2**63 - 1


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class CountryListField(forms.CharField):
    """Countries, comma-separated: ISO 3166-1 alpha-2 codes (lower case is accepted) or
    country names ("Russia", "Germany"), cleaned to codes. A value naming no country is
    an error, never dropped: a listing filtered by country must not silently show every
    country's rows."""

    def __init__(self, *args, exactly: int | None = None, **kwargs):
        self.exactly = exactly
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        items = _split(value)
        if self.exactly is not None and len(items) != self.exactly:
            raise ValidationError(
                f"Give exactly {self.exactly} country codes separated by a comma, e.g. US,RU.",
                code="invalid",
            )
        codes = []
        for item in items:
            code = country_code(item)
            if code is None:
                # User input goes in params, never into the message itself: django-filter
                # formats messages with %, so a "%" in the input would otherwise crash it.
                raise ValidationError(
                    "“%(code)s” is not an ISO 3166-1 alpha-2 country code (e.g. US, RU, UA) "
                    "nor a country name the registry knows (e.g. Russia, Germany).",
                    code="invalid_country",
                    params={"code": item.upper() if len(item) == 2 else item},
                )
            codes.append(code)
        return codes


class ChoiceListField(forms.CharField):
    """Comma-separated values from a fixed list of choices."""

    def __init__(self, *args, choices=(), **kwargs):
        self.allowed = [value for value, _label in choices]
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        values = [item.lower() for item in _split(value)]
        unknown = [item for item in values if item not in self.allowed]
        if unknown:
            raise ValidationError(
                "Unknown value “%(value)s”; choose from %(allowed)s.",
                code="invalid_choice",
                params={"value": unknown[0], "allowed": ", ".join(self.allowed)},
            )
        return values


class PartialDateField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return PartialDate.parse(value)
        except ValueError:
            raise ValidationError(
                "“%(value)s” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD.",
                code="invalid_date",
                params={"value": value},
            ) from None


class IsoDateField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        parsed = None
        if len(value) == 10:
            with contextlib.suppress(ValueError):
                parsed = datetime.date.fromisoformat(value)
        if parsed is None:
            raise ValidationError(
                "“%(value)s” is not a date of the form YYYY-MM-DD.",
                code="invalid_date",
                params={"value": value},
            )
        return parsed


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _filter(field_class: type[forms.Field], schema_type: OpenApiTypes) -> type[django_filters.Filter]:
    """A Filter that cleans its value with ``field_class`` and is a ``schema_type`` parameter
    in the OpenAPI schema."""
    attributes = {"field_class": field_class, "__module__": __name__}
    filter_class = type(f"{field_class.__name__}Filter", (django_filters.Filter,), attributes)
    annotated: type[django_filters.Filter] = extend_schema_field(schema_type)(filter_class)
    return annotated


CountryFilter = _filter(CountryListField, OpenApiTypes.STR)
ChoiceListFilter = _filter(ChoiceListField, OpenApiTypes.STR)
PartialDateFilter = _filter(PartialDateField, OpenApiTypes.STR)
IdFilter = _filter(IdField, OpenApiTypes.INT)
IsoDateFilter = _filter(IsoDateField, OpenApiTypes.DATE)


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Undated rows sort last either way, on PostgreSQL and SQLite alike (their defaults differ)."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = F(self.param_map[param.lstrip("-")])
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
