"""What the OpenAPI schema says about the API beyond its serializers: the shared error
responses, the query parameters every list takes, and the schema class that keeps a list
with several content types a list (pagination, filters)."""

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.mixins import ListModelMixin
from rest_framework.serializers import BaseSerializer

from ..filters import PartnershipFilterSet
from . import serializers as s

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
