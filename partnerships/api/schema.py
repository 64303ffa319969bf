"""What the OpenAPI schema says about the API beyond its serializers: the shared error
responses, the query parameters every list takes, and the schema class that keeps a list
with several content types a list (pagination, filters)."""

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import django_filters
import pycountry
from django import forms
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.mixins import ListModelMixin
from rest_framework.serializers import BaseSerializer

from ..filters import (
    MAX_ID,
    ChoiceListField,
    CountryListField,
    IdField,
    IsoDateField,
    PartialDateField,
    PartnershipFilterSet,
    country_code,
)
from ..validators import _EXTRA_COUNTRIES
from . import serializers as s
from .pagination import MAX_PAGE_SIZE

_View = TypeVar("_View", bound=type)

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="A bad parameter: the messages name each one."),
    404: OpenApiResponse(s.ErrorSerializer, description="No such record (or page)."),
    429: OpenApiResponse(s.ErrorSerializer, description="Too many requests: wait for Retry-After seconds."),
}
WRITE_ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid fields: the messages name each one."),
    401: OpenApiResponse(s.ErrorSerializer, description="No credentials: send `Authorization: Token …`."),
    403: OpenApiResponse(s.ErrorSerializer, description="The token's user lacks the permission."),
    404: OpenApiResponse(s.ErrorSerializer, description="No such partnership."),
}
PRECONDITION_FAILED = {
    412: OpenApiResponse(
        s.ErrorSerializer, description="Stale If-Match: the record changed since; nothing was written."
    ),
}
PATCH_ERRORS = {
    **WRITE_ERRORS,
    404: OpenApiResponse(s.ErrorSerializer, description="No such record."),
    **PRECONDITION_FAILED,
    428: OpenApiResponse(
        s.ErrorSerializer, description="No If-Match: send the ETag of the detail you are changing."
    ),
}
_IF_MATCH = (
    "The `ETag` of the partnership's detail, from a GET of `partnerships/{id}/` without "
    "parameters (or `*` for whatever is stored)."
)
IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description=_IF_MATCH
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, description=f"Optional. {_IF_MATCH}"
)
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "geojson"],
    description="`csv` and `geojson` return every matching row (all pages), streamed; "
    "`page` and `page_size` do not apply to them.",
)
CSV_ONLY_FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description="`csv` returns every matching row (all pages), streamed.",
)
AS_OF_PARAMETER = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="YYYY-MM-DD: the status as it was on that date."
)
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1; past the last page is a 404."),
    OpenApiParameter("page_size", int, description="Results per page, 1 to 200 (default 50)."),
]


def list_parameters(*, geojson: bool) -> list[OpenApiParameter]:
    """A list's ``format`` (with or without GeoJSON) and page parameters."""
    return [FORMAT_PARAMETER if geojson else CSV_ONLY_FORMAT, *PAGE_PARAMETERS]


def list_responses(serializer: type[BaseSerializer[Any]], *, geojson: bool) -> dict[Any, Any]:
    """A list's responses: JSON pages of ``serializer``, CSV text, GeoJSON when offered,
    and the errors."""
    responses: dict[Any, Any] = {
        (200, "application/json"): serializer(many=True),
        (200, "text/csv"): OpenApiTypes.STR,
    }
    if geojson:
        responses[(200, "application/geo+json")] = OpenApiTypes.OBJECT
    return {**responses, **ERRORS}


def list_schema(
    summary: str,
    serializer: type[BaseSerializer[Any]],
    *,
    geojson: bool = False,
    description: str | None = None,
    **other_methods: Any,
) -> Callable[[_View], _View]:
    """The schema of a list view's GET (and of its ``other_methods``, e.g. ``post=``)."""
    get = extend_schema(
        summary=summary,
        description=description,
        parameters=list_parameters(geojson=geojson),
        responses=list_responses(serializer, geojson=geojson),
    )
    decorator: Callable[[_View], _View] = extend_schema_view(get=get, **other_methods)
    return decorator


def detail_schema(
    summary: str,
    serializer: type[BaseSerializer[Any]],
    *,
    description: str | None = None,
    parameters: list[OpenApiParameter] | None = None,
    **other_methods: Any,
) -> Callable[[_View], _View]:
    """The schema of a detail view's GET: the record, or an error (and of its
    ``other_methods``, e.g. ``patch=``)."""
    get = extend_schema(
        summary=summary,
        description=description,
        parameters=parameters,
        responses={200: serializer, **ERRORS},
    )
    decorator: Callable[[_View], _View] = extend_schema_view(get=get, **other_methods)
    return decorator


def filterset_parameters() -> list[OpenApiParameter]:
    """The partnership list's filters as OpenAPI parameters, for views that use them by hand."""
    return [
        OpenApiParameter(name, str, description=str(f.extra.get("help_text") or f.label or ""))
        for name, f in PartnershipFilterSet.base_filters.items()
        if name != "ordering"
    ]


class ListViewSchema(AutoSchema):
    """A list view with several content types is still a list (pagination, filters)."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        if serializer is None and self.method == "GET" and isinstance(self.view, ListModelMixin):
            return True
        result: bool = super()._is_list_view(serializer)
        return result


# ------------------------------------------------------------ the exact parameter schemas
#
# The published schema says of every query parameter exactly what the API accepts, so
# that a client (or schemathesis) building requests from it gets no 400 for a request the
# schema allows, and none accepted that it forbids. The filters' form fields decide what
# is accepted; the schemas below are derived from the same fields: ids from 1 to the
# largest bigint, comma-separated choices and countries as patterns (case-insensitive,
# blank items and surrounding whitespace allowed, as the fields strip them), dates with
# their real calendars, ``page``/``page_size`` with their bounds. Empty values are "not
# given" (an HTML form sends them), so they are allowed wherever the API allows them.
# Written by ``exact_parameters``, a drf-spectacular postprocessing hook.

# What Python's str.strip() strips (str.isspace), as a regex class: the fields strip it.
_WS = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
_YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_MONTH = "(?:0[1-9]|1[0-2])"
_MONTH_DAY = (
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
)
# A calendar date: every day of every month, 29 February in leap years only.
_DATE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
_PARTIAL_DATE = f"(?:{_YEAR}(?:-{_MONTH})?|{_DATE})"
_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,6})?)?"
_OFFSET = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"


def _optional(body: str, *, required: bool = False) -> str:
    """A whole value: ``body`` (or, unless ``required``, nothing), with the whitespace the
    field strips around it."""
    return f"^{_WS}*{body}{_WS}*$" if required else f"^{_WS}*(?:{body}{_WS}*)?$"


def _case_insensitive(text: str) -> str:
    return "".join(
        f"[{char.upper()}{char.lower()}]"
        if char.isascii() and char.isalpha()
        else re.escape(char).replace("\\ ", " ")
        for char in text
    )


def _alternatives(values: Iterable[str]) -> str:
    unique = sorted({value.lower() for value in values}, key=lambda v: (-len(v), v))
    return "(?:" + "|".join(_case_insensitive(value) for value in unique) + ")"


def _listed(item: str, *, exactly: int | None = None) -> str:
    """Comma-separated ``item``s; blank items are skipped, each item is stripped."""
    blank = f"{_WS}*"
    piece = f"{_WS}*{item}{_WS}*"
    if exactly is None:
        return f"^{blank}(?:{item}{_WS}*)?(?:,{blank}(?:{item}{_WS}*)?)*$"
    # Only whitespace ("not given"), or exactly that many items among blank ones.
    items = ",".join([f"(?:{blank},)*{piece}(?:,{blank})*"] * exactly)
    return f"^(?:{blank}|{items})$"


@functools.cache
def country_pattern() -> str:
    """The ISO 3166-1 alpha-2 codes CountryListField takes (in any case), as a compact
    regex: one group per first letter. The field also takes country names and alpha-3
    codes (``country_code``), which the parameter's description names; their spellings
    (accents, punctuation, transliterations) are too many for a pattern, so the schema's
    pattern is the codes."""
    codes = sorted(
        code
        for code in {*(c.alpha_2 for c in pycountry.countries), *_EXTRA_COUNTRIES}
        if country_code(code) == code and country_code(code.lower()) == code
    )
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(code[0], []).append(code[1])
    return (
        "(?:"
        + "|".join(
            f"{_case_insensitive(first)}[{''.join(seconds)}{''.join(seconds).lower()}]"
            for first, seconds in sorted(groups.items())
        )
        + ")"
    )


def _field_schema(field: forms.Field) -> dict[str, Any] | None:
    """The OpenAPI schema of what a filter's form field accepts, or None to keep the
    generated one."""
    if isinstance(field, IdField):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    if isinstance(field, CountryListField):
        # Long (every country's spellings): one component per form, referred to.
        name = "CountryList" if field.exactly is None else f"Countries{field.exactly}"
        return {"$ref": f"#/components/schemas/{name}"}
    if isinstance(field, ChoiceListField):
        return {"type": "string", "pattern": _listed(_alternatives(field.allowed))}
    required = field.required
    if isinstance(field, PartialDateField):
        return {"type": "string", "pattern": _optional(_PARTIAL_DATE, required=required)}
    if isinstance(field, IsoDateField):
        return {"type": "string", "pattern": _optional(_DATE, required=required)}
    if isinstance(field, forms.DateTimeField):
        # Empty is "not given", but only quite empty: the field strips after that test.
        moment = f"{_WS}*{_DATE}(?:[T ]{_TIME}{_OFFSET}?)?{_WS}*"
        return {"type": "string", "pattern": f"^{moment}$" if required else f"^(?:{moment})?$"}
    if isinstance(field, forms.CharField):
        schema: dict[str, Any] = {"type": "string", "pattern": "^[^\\x00]*$"}
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        return schema
    return None


def filterset_schemas(filterset_class: type[django_filters.FilterSet]) -> dict[str, dict[str, Any]]:
    """Each filter's parameter schema, from its form field."""
    schemas = {}
    for name, filter_ in filterset_class.base_filters.items():
        field = filter_.field_class(**filter_.extra)
        schema = _field_schema(field)
        if schema is not None:
            schemas[name] = schema
    return schemas


PAGE_SCHEMAS = {
    # pagination._positive_int: ASCII digits, at most 18 of them.
    "page": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
    "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
}


def _view_filterset(callback: Any) -> type[django_filters.FilterSet] | None:
    view = getattr(callback, "cls", None)
    return getattr(view, "filterset_class", None) or getattr(view, "schema_filterset", None)


def exact_parameters(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: each query parameter's schema as the API
    accepts it; public operations (every read) need no authentication."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["CountryList"] = {
        "type": "string",
        "pattern": _listed(country_pattern()),
        "description": "Countries, comma-separated: ISO 3166-1 alpha-2 codes (the pattern), or "
        "English country names and alpha-3 codes (Russia, RUS), which are accepted too.",
    }
    components["Countries2"] = {
        "type": "string",
        "pattern": _listed(country_pattern(), exactly=2),
        "description": "Two countries, comma-separated: alpha-2 codes (the pattern), or names.",
    }
    filtersets = {
        (path, method.lower()): _view_filterset(callback)
        for path, _regex, method, callback in generator.endpoints or []
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method == "get":
                operation["security"] = []  # anyone reads; a token changes nothing
            filterset = filtersets.get((path, method))
            schemas = {**(filterset_schemas(filterset) if filterset else {}), **PAGE_SCHEMAS}
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
                elif parameter["in"] == "query" and parameter["name"] in schemas:
                    parameter["schema"] = schemas[parameter["name"]]
                elif parameter["in"] == "query" and parameter["name"] == "as_of":  # inputs.as_of
                    parameter["schema"] = _field_schema(IsoDateField())
    return result
