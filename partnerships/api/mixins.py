"""What every API view shares: JSON errors whatever the format asked for, an unknown
``format`` as a 400, validation messages in the API's field names, and the cache
validators (ETag, Last-Modified) of every successful GET; lists add pagination and the
whole-list exports, details remember when the registry last changed from their row."""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.pagination import BasePagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.schemas.inspectors import ViewInspector
from rest_framework.views import APIView

from .. import selectors
from .conditional import set_cache_headers, strong_etag
from .exports import ExportMixin
from .inputs import format_of, renamed
from .pagination import MAX_PAGE_SIZE, ApiPagination, _positive_int
from .permissions import ReadOnly
from .renderers import CSVRenderer
from .schema import ListViewSchema


class ApiMixin(APIView):
    """Shared by every view: JSON errors, unknown ``format`` as 400, cache validators."""

    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer]
    pagination_class: type[BasePagination] | None = ApiPagination
    #: set by views that fetched it with their rows, to spare a query
    last_modified: datetime.datetime | None = None

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        if request.query_params.get("format") == "" and not force:
            # DRF would ignore an empty format; it names none of the formats offered.
            formats = ", ".join(r.format for r in self.get_renderers())
            raise ValidationError({"format": [f"Unknown format; choose from {formats}."]})
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404:
            formats = ", ".join(r.format for r in self.get_renderers())
            raise ValidationError({"format": [f"Unknown format; choose from {formats}."]}) from None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # A method the view does not offer is a 405 whoever asks, before any question of
        # credentials (DRF would check permissions first and answer 401 or 403).
        method = (request.method or "").lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method or "")
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ValidationError):
            exc = renamed(exc)
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        if isinstance(response, Response) and response.status_code >= 400:
            # Errors are JSON whatever format was asked for.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and isinstance(response, Response)
        ):
            response.render()
            changed = self.last_modified or selectors.registry_changed_at()
            # A 304 is a plain HttpResponseNotModified, which DRF passes on as it does any
            # HttpResponseBase (the stubs name only Response).
            return set_cache_headers(  # type: ignore[return-value]
                request,
                response,
                etag=strong_etag(response.content, response["Content-Type"]),
                last_modified=changed,
            )
        return response

    def remember_last_modified(self, objects: Iterable[Any]) -> None:
        """Take Last-Modified from the first row's ``registry_changed``, if it has one."""
        first = next(iter(objects), None)
        if first is not None and getattr(first, "registry_changed", None) is not None:
            self.last_modified = first.registry_changed


# No docstring on the mixins below: drf-spectacular describes an operation that has no
# description of its own by its view's docstring, found through the classes it inherits:
# ApiMixin's, which the published schema has.


class ListMixin(ApiMixin, ExportMixin):
    # A paginated JSON list, or every row as CSV or GeoJSON.

    schema: ViewInspector | None = ListViewSchema()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        fmt = format_of(request)
        if fmt in ("csv", "geojson"):
            # Page parameters do not apply to an export, but a bad one is still a 400.
            for name in ("page", "page_size"):
                _positive_int(request, name, maximum=MAX_PAGE_SIZE if name == "page_size" else None)
            # A StreamingHttpResponse: DRF's views take any HttpResponseBase from a handler
            # (finalize_response asserts no more); the stubs name only Response.
            return self.export(queryset, fmt)  # type: ignore[return-value]
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else queryset
        self.remember_last_modified(rows)
        serializer = self.get_serializer(rows, many=True)
        return self.get_paginated_response(serializer.data)


class DetailMixin(ApiMixin, GenericAPIView):
    # A record whose queryset annotates ``registry_changed``: its Last-Modified costs no
    # query of its own.

    def get_object(self) -> Any:
        obj = super().get_object()
        self.last_modified = obj.registry_changed
        return obj


class ReadOnlyList(ListMixin, ListAPIView):
    # A list anyone may read, as JSON or CSV, of the rows that ``rows()`` gives.
    permission_classes = [ReadOnly]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @staticmethod
    def rows() -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.rows()


class ReadOnlyDetail(DetailMixin, RetrieveAPIView):
    # A record anyone may read, found among the rows that ``rows()`` gives.
    permission_classes = [ReadOnly]

    @staticmethod
    def rows() -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.rows()
