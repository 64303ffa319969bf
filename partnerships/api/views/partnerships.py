"""The partnership endpoints: the list (paginated through the lean rows, CSV and
GeoJSON exports, create), the detail (read and change under If-Match), a partnership's
status events (list and record) and one status event (correct)."""

import builtins
import datetime
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from ... import selectors, services
from ...filters import MAX_ID, PartnershipFilterSet
from ...models import Partnership, StatusEvent
from .. import inputs
from .. import serializers as s
from ..conditional import PreconditionRequired, current_etag, if_match, require_match
from ..exceptions import django_validation_error_as_drf
from ..exports import Geometry, partnership_line
from ..inputs import format_of
from ..mixins import ApiMixin, ListMixin
from ..pagination import ApiPagination
from ..permissions import StaffModelPermissions
from ..renderers import CSVRenderer, FastJSONRenderer, GeoJSONRenderer, csv_chunks
from ..schema import (
    AS_OF_PARAMETER,
    ERRORS,
    IF_MATCH_OPTIONAL,
    IF_MATCH_REQUIRED,
    PATCH_ERRORS,
    PRECONDITION_FAILED,
    WRITE_ERRORS,
    detail_schema,
    list_schema,
)
from ..serializers import lean, lean_exports, lean_pages


def _partnership_detail(pk: int, as_of: datetime.date | None = None) -> Partnership:
    partnership = selectors.partnership_detail(pk, as_of=as_of)
    if partnership is None:
        raise Http404
    return partnership


class _LazyRows:
    """A FilterSet's queryset built on first use: ``model`` at once (the FilterSet asks it),
    the rows (``build()``) when ``all()`` is called, as ``FilterSet.qs`` does."""

    def __init__(self, build: "Callable[[], QuerySet[Partnership]]") -> None:
        self.build = build
        self.model = Partnership

    def all(self) -> "QuerySet[Partnership]":
        return self.build().all()


@list_schema(
    "Partnerships",
    s.PartnershipSerializer,
    geojson=True,
    description="Partnerships matching the filters, paginated; `?format=csv` or `?format=geojson` "
    "for all of them (a line between the two parties; null geometry without coordinates).",
    post=extend_schema(
        summary="Create a partnership",
        description="Staff with an API token and the `add_partnership` permission (and `add_source` "
        "to describe new sources). The same rules as the admin: a pair that exists in either "
        "order is refused.",
        request=s.PartnershipInput,
        responses={201: s.PartnershipDetailSerializer, **WRITE_ERRORS},
    ),
)
class PartnershipList(ListMixin, generics.ListCreateAPIView):
    permission_classes = [StaffModelPermissions]
    renderer_classes = [FastJSONRenderer, CSVRenderer, GeoJSONRenderer]
    serializer_class = s.PartnershipSerializer
    filterset_class = PartnershipFilterSet
    queryset = Partnership.objects.all()
    export_name = "partnerships"
    csv_indexed = {"localities": (2, s.LocalityRefSerializer)}

    def get_queryset(self) -> "QuerySet[Partnership]":
        return selectors.partnership_rows()

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return s.PartnershipInput if self.request.method == "POST" else s.PartnershipSerializer

    def geometry(self, obj: Partnership) -> Geometry:
        return partnership_line(obj)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The lean path (serializers/lean.py): the serializer's rows from plain tuples, the
        # count from the list index when the filters allow, three queries per page.
        filterset = self.partnership_filterset()
        fmt = format_of(request)
        if fmt in ("csv", "geojson"):
            return self.export(filterset.qs, fmt)  # type: ignore[return-value]  # see ListMixin.list
        assert isinstance(self.paginator, ApiPagination)
        # One country or a pair (± status): the page's SQL compiled once per shape
        # (lean_pages), not the FilterSet's queryset built and compiled per request.
        rows: Any = lean_pages.precompiled_rows(filterset)
        if rows is None:
            queryset = filterset.qs
            rows = lean.page_rows(queryset)
            if filterset.form.cleaned_data.get("q") and not filterset.index_join:
                # A name's matches: the page cut on the partnerships' own sort keys first.
                rows = lean.CutFirst(
                    queryset, selectors.partnership_rows().as_of(filterset.form.cleaned_data.get("as_of"))
                )
        page = self.paginator.paginate_queryset(rows, request, self, count=filterset.count())
        if page:
            self.last_modified = page[0][-1]
        return self.paginator.get_paginated_response(lean.RowBuilder(request).rows(page))

    def csv_columns(self) -> "builtins.list[str]":
        # Each row's licences (the serializer's ``license``: their names) and whom to credit
        # (issue 13).
        return [*super().csv_columns(), "attribution"]

    def export_content(self, queryset: "QuerySet[Any]", fmt: str) -> Iterator[bytes]:
        builder = lean.RowBuilder(self.request)
        if fmt == "csv":
            # The cells straight from the rows' tuples (lean.RowBuilder.csv_rows), written a
            # chunk at a time; the columns are the serializer's, as the generic export has them.
            columns = self.csv_columns()
            if tuple(columns) != lean.CSV_COLUMNS:
                raise AssertionError(f"the serializer's CSV columns changed: {columns}; update lean.csv_rows")
            if lean_exports.supported(queryset):
                # PostgreSQL: organizations, focus areas and licences in the rows' own query.
                return csv_chunks(lean_exports.csv_rows(queryset, builder), columns)
            rows = (row for chunk in lean.export_csv_rows(queryset, builder) for row in chunk)
            return csv_chunks(rows, columns)
        if lean_exports.supported(queryset):
            return lean.geojson_bytes(lean_exports.features(queryset, builder))
        return lean.geojson_bytes(
            {"type": "Feature", "id": t[0], "geometry": lean.line(t), "properties": row}
            for row, t in lean.export_rows(queryset, builder, geometry=True)
        )

    def partnership_filterset(self) -> PartnershipFilterSet:
        """The request's filters, validated (a bad one is a 400, as DjangoFilterBackend says).
        Its queryset, ``get_queryset()``, is built only when ``qs`` is asked for (a
        precompiled page never does)."""
        backend = DjangoFilterBackend()
        filterset = backend.get_filterset(self.request, _LazyRows(self.get_queryset), self)
        assert isinstance(filterset, PartnershipFilterSet)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.PartnershipInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        citations = inputs.citations(request, values["citations"])
        try:
            partnership = services.create_partnership(
                locality_a=values["locality_a"],
                locality_b=values["locality_b"],
                level=values["kind"],
                established=values["established"],
                description=values["description"],
                organizations=values["organizations"],
                focus_areas=values["focus_areas"],
                citations=citations,
                internal_record=values["internal_record"],
            )
        except DjangoValidationError as error:
            raise django_validation_error_as_drf(error) from None
        created = _partnership_detail(partnership.pk)
        body = s.PartnershipDetailSerializer(created, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


def _known_id(*ids: int) -> None:
    """A 404 for an id no row can have (the path's int converter takes any size)."""
    if any(not 1 <= pk <= MAX_ID for pk in ids):
        raise Http404


def _locked_partnership(pk: int) -> Partnership:
    """The partnership's row, locked until the write's transaction ends (404 if none)."""
    partnership = Partnership.objects.select_for_update().filter(pk=pk).first()
    if partnership is None:
        raise Http404
    return partnership


def _check_partnership_etag(request: Request, pk: int, *, required: bool) -> None:
    """If-Match against the partnership detail's current ETag; call with its row locked."""
    tags = if_match(request)
    if tags is not None or required:
        require_match(tags, current_etag(request, PartnershipDetail.as_view(), pk=pk), required=required)


@detail_schema(
    "A partnership",
    s.PartnershipDetailSerializer,
    description="With its status events and their citations, its own citations and its activities.",
    parameters=[AS_OF_PARAMETER],
    patch=extend_schema(
        summary="Change a partnership",
        description="Staff with an API token and the `change_partnership` permission. Send "
        "`If-Match` with the ETag of this detail (a GET without parameters): a change made since "
        "is a 412, a request without it a 428. Each field given replaces the stored value; the "
        "parties and the status (which follows the status events) are not changed here. The "
        "answer is the detail, with its new ETag.",
        parameters=[IF_MATCH_REQUIRED],
        request=s.PartnershipPatchInput,
        responses={200: s.PartnershipDetailSerializer, **PATCH_ERRORS},
    ),
)
class PartnershipDetail(ApiMixin, generics.RetrieveAPIView):
    permission_classes = [StaffModelPermissions]
    serializer_class = s.PartnershipDetailSerializer
    queryset = Partnership.objects.all()

    def get_object(self) -> Partnership:
        partnership = _partnership_detail(self.kwargs["pk"], inputs.as_of(self.request))
        self.remember_last_modified([partnership])
        return partnership

    def patch(self, request: Request, pk: int) -> Response:
        _known_id(pk)
        if not Partnership.objects.filter(pk=pk).exists():
            raise Http404
        if if_match(request) is None:
            raise PreconditionRequired
        data = s.PartnershipPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "kind" in values:
            values["level"] = values.pop("kind")
        try:
            with transaction.atomic():
                partnership = _locked_partnership(pk)
                _check_partnership_etag(request, pk, required=True)
                services.update_partnership(partnership=partnership, **values)
        except DjangoValidationError as error:
            raise django_validation_error_as_drf(error) from None
        body = s.PartnershipDetailSerializer(
            _partnership_detail(pk), context=self.get_serializer_context()
        ).data
        etag = current_etag(request, PartnershipDetail.as_view(), pk=pk)
        return Response(body, headers={"ETag": etag} if etag else None)


@extend_schema_view(
    get=extend_schema(
        summary="A partnership's status events",
        responses={200: s.StatusEventSerializer(many=True), **ERRORS},
    ),
    post=extend_schema(
        summary="Record a status event",
        description="Staff with an API token and the `add_statusevent` permission. The same rules as "
        "the admin: allowed transitions, a timeline that fits, and a citation unless "
        "`internal_record` is true. `If-Match` (the partnership detail's ETag) is optional: "
        "when sent, a partnership changed since is a 412.",
        parameters=[IF_MATCH_OPTIONAL],
        request=s.StatusEventInput,
        responses={201: s.StatusEventSerializer, **WRITE_ERRORS, **PRECONDITION_FAILED},
    ),
)
class PartnershipEvents(ApiMixin, generics.GenericAPIView):
    permission_classes = [StaffModelPermissions]
    serializer_class = s.StatusEventSerializer
    # The model permission checked for POST: add_statusevent.
    queryset = StatusEvent.objects.all()
    # A partnership has a handful of events: all of them, unpaginated and unfiltered.
    pagination_class = None
    filter_backends = []

    def get(self, request: Request, pk: int) -> Response:
        partnership = _partnership_detail(pk)
        self.remember_last_modified([partnership])
        events = partnership.events.all()
        return Response(
            s.StatusEventSerializer(events, many=True, context=self.get_serializer_context()).data
        )

    def post(self, request: Request, pk: int) -> Response:
        _known_id(pk)
        partnership = Partnership.objects.filter(pk=pk).first()
        if partnership is None:
            raise Http404
        data = s.StatusEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        citations = inputs.citations(request, values["citations"])
        try:
            with transaction.atomic():
                _locked_partnership(pk)
                _check_partnership_etag(request, pk, required=False)
                event = self._record(request, partnership, values, citations)
        except DjangoValidationError as error:
            raise django_validation_error_as_drf(error) from None
        event = StatusEvent.objects.select_related("declaring_organization").get(pk=event.pk)
        body = s.StatusEventSerializer(event, context=self.get_serializer_context()).data
        location = inputs.absolute(request, "api:partnership-detail", partnership.pk)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @staticmethod
    def _record(
        request: Request,
        partnership: Partnership,
        values: dict[str, Any],
        citations: list[services.CitationInput],
    ) -> StatusEvent:
        return services.record_status_event(
            partnership=partnership,
            status=values["status"],
            effective=values["date"],
            kind=values["kind"],
            note=values["note"],
            declared_by=values["declared_by"],
            declaring_organization=values["declaring_organization"],
            citations=citations,
            internal_record=values["internal_record"],
            # Only staff with the add permission get here (StaffModelPermissions).
            recorded_by=request.user if request.user.is_authenticated else None,
        )


@extend_schema_view(
    patch=extend_schema(
        summary="Correct a status event",
        description="Staff with an API token and the `change_statusevent` permission. Send `If-Match` "
        "with the ETag of the partnership's detail (a GET of `partnerships/{id}/` without "
        "parameters): a partnership changed since is a 412, a request without it a 428. Each field "
        "given replaces the stored value (`declared_by` and `declaring_organization` together); "
        "the same rules as recording one: allowed transitions and a timeline that fits.",
        parameters=[IF_MATCH_REQUIRED],
        request=s.StatusEventPatchInput,
        responses={200: s.StatusEventSerializer, **PATCH_ERRORS},
    ),
)
class PartnershipEvent(ApiMixin, generics.GenericAPIView):
    permission_classes = [StaffModelPermissions]
    serializer_class = s.StatusEventSerializer
    # The model permission checked for PATCH: change_statusevent.
    queryset = StatusEvent.objects.all()
    pagination_class = None
    filter_backends = []

    def patch(self, request: Request, pk: int, event_id: int) -> Response:
        _known_id(pk, event_id)
        if not StatusEvent.objects.filter(pk=event_id, partnership_id=pk).exists():
            raise Http404
        if if_match(request) is None:
            raise PreconditionRequired
        data = s.StatusEventPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "date" in values:
            values["effective"] = values.pop("date")
        try:
            with transaction.atomic():
                _locked_partnership(pk)
                _check_partnership_etag(request, pk, required=True)
                event = services.update_status_event(event=StatusEvent.objects.get(pk=event_id), **values)
        except DjangoValidationError as error:
            raise django_validation_error_as_drf(error) from None
        event = StatusEvent.objects.select_related("declaring_organization").get(pk=event.pk)
        return Response(s.StatusEventSerializer(event, context=self.get_serializer_context()).data)
